import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSubjectSnapshot } from '../src/access/index.js';
import { generateClients, writeRosterWorkbook } from '../src/demo/demo.data.js';
import { createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;

beforeAll(async () => {
  app = await createTestApp();
  firm = await createSmallFirm(app, { clientCount: 10 });
});

afterAll(async () => {
  await app.dispose();
});

async function countClients(target: TestApp = app): Promise<number> {
  const row = await target.db.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

/** A roster with a title row, two good rows and rows broken in known ways. */
function brokenRosterCsv(good: ReturnType<typeof generateClients>): string {
  const lines = [
    '客户花名册,,,,,,',
    '客户名称,统一社会信用代码,法定代表人身份证号,联系电话,服务开始日期,所属部门,负责会计',
    ...good.map(({ client }) => `${client.name},${client.uscc},${client.legalRepIdNumber},${client.contactPhone},2021/3/1,记账一部,bk1`),
    `坏校验位有限公司,${good[0]!.client.uscc.slice(0, 17)}${good[0]!.client.uscc.endsWith('0') ? '1' : '0'},,,,,`,
    `身份证错误有限公司,91350100M000100Y43,11010519491231002${'1'},,,,`,
    ',91310000MA1FL4XQ3K,,,,,',
    '日期错误有限公司,91310115MA1K4BQN9X,,,2023-02-30,,',
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

describe('roster import', () => {
  it('reports every broken row with its column and reason, and stores the good rows', async () => {
    const good = generateClients({ count: 2, seed: 99, departments: ['记账一部'], assigneesByDepartment: { 记账一部: ['bk1'] } });
    const before = await countClients();

    const job = await app.imports.run({ content: Buffer.from(brokenRosterCsv(good)), fileName: 'broken.csv', importer: { subject: undefined } });

    expect(job.status).toBe('done');
    expect(job.created).toBe(2);
    expect(await countClients()).toBe(before + 2);
    const codes = job.rejections.map((rejection) => `${rejection.row}:${rejection.column}:${rejection.code}`);
    expect(codes).toContain('5:统一社会信用代码:uscc_invalid');
    expect(codes).toContain('6:法定代表人身份证号:resident_id_invalid');
    expect(codes).toContain('7:客户名称:required_missing');
    expect(codes).toContain('8:服务开始日期:date_invalid');
    expect(job.rejected).toBe(4);
  });

  it('imports the same file twice without duplicates', async () => {
    const before = await countClients();

    const again = await app.imports.run({ content: await readFile(firm.rosterFile), fileName: 'roster.xlsx', importer: { subject: undefined } });

    expect(again.status).toBe('done');
    expect(again.created).toBe(0);
    expect(again.duplicates).toBe(10);
    expect(await countClients()).toBe(before);
  });

  it('serves the rejection report as a workbook over HTTP', async () => {
    const manager = await TestSession.signIn(app.app, 'manager1', TEST_PASSWORD);
    const good = generateClients({ count: 1, seed: 5, departments: ['记账一部'], assigneesByDepartment: { 记账一部: ['bk1'] } });
    const boundary = 'lgboundary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="broken.csv"\r\nContent-Type: text/csv\r\n\r\n${brokenRosterCsv(good)}\r\n--${boundary}--\r\n`;

    const started = await manager.post('/api/imports', Buffer.from(body), { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json() as { jobId: string };
    let job: { status: string; rejections: { message: string }[] } = { status: 'running', rejections: [] };
    for (let attempt = 0; attempt < 100 && job.status === 'running'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await manager.get(`/api/imports/${jobId}`)).json() as typeof job;
    }
    const report = await manager.get(`/api/imports/${jobId}/report.xlsx`);

    expect(job.status).toBe('done');
    expect(job.rejections[0]?.message).toMatch(/[\u4e00-\u9fa5]/);
    expect(report.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(report.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).value).toBe('行号');
    expect(sheet.getRow(2).getCell(2).value).toBe('统一社会信用代码');
  });

  it('rejects an upload that is not a roster without storing anything', async () => {
    const manager = await TestSession.signIn(app.app, 'manager1', TEST_PASSWORD);
    const before = await countClients();
    const boundary = 'lgboundary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="tool.exe"\r\nContent-Type: application/octet-stream\r\n\r\nMZ\x90\x00\r\n--${boundary}--\r\n`;

    const response = await manager.post('/api/imports', Buffer.from(body), { 'content-type': `multipart/form-data; boundary=${boundary}` });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'roster_file_unsupported' });
    expect(await countClients()).toBe(before);
  });

  it('refuses imports into departments outside the manager’s scope', async () => {
    const snapshot = (await loadSubjectSnapshot(app.db, firm.members.manager1.id))!;
    const rows = generateClients({ count: 1, seed: 11, departments: ['记账二部'], assigneesByDepartment: { 记账二部: ['bk2'] } });
    const csv = `客户名称,统一社会信用代码,所属部门\r\n${rows[0]!.client.name},${rows[0]!.client.uscc},记账二部\r\n`;

    const job = await app.imports.run({ content: Buffer.from(csv), fileName: 'other.csv', importer: { subject: snapshot } });

    expect(job.created).toBe(0);
    expect(job.rejections.map((rejection) => rejection.code)).toEqual(['department_out_of_scope']);
  });
});

describe('import reach of a department manager', () => {
  it('rejects assignees outside the department or without client work', async () => {
    const snapshot = (await loadSubjectSnapshot(app.db, firm.members.manager1.id))!;
    const rows = generateClients({ count: 3, seed: 12, departments: ['记账一部'], assigneesByDepartment: {} });
    const csv = ['客户名称,统一社会信用代码,所属部门,负责会计', ...rows.map(({ client }, index) => `${client.name},${client.uscc},记账一部,${['bk2', 'service', 'bk1'][index]}`)].join('\r\n');

    const job = await app.imports.run({ content: Buffer.from(csv), fileName: 'assign.csv', importer: { subject: snapshot } });

    expect(job.rejections.map((rejection) => `${rejection.row}:${rejection.column}:${rejection.code}`)).toEqual(['2:负责会计:assignee_not_eligible', '3:负责会计:assignee_not_eligible']);
    expect(job.created).toBe(1);
  });

  it('shows a manager only their own import jobs', async () => {
    const manager = await TestSession.signIn(app.app, 'manager1', TEST_PASSWORD);
    const cliJobs = await app.db.selectFrom('import_jobs').select('id').where('created_by', 'is', null).execute();

    const list = (await manager.get('/api/imports')).json() as { items: { id: string }[] };
    const other = await manager.get(`/api/imports/${cliJobs[0]!.id}`);

    expect(list.items.some((job) => cliJobs.some((cli) => cli.id === job.id))).toBe(false);
    expect(other.statusCode).toBe(404);
  });
});

describe('interrupted import', () => {
  it('leaves no client behind when the process is killed while writing', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lg-kill-'));
    const rosterFile = path.join(dataDir, 'big.xlsx');
    await writeRosterWorkbook(generateClients({ count: 6000, seed: 3, departments: ['记账一部'], assigneesByDepartment: {} }).map((row) => ({ ...row, department: '' })), rosterFile);

    const databaseUrl = process.env.TEST_DATABASE_URL;
    const schema = `kill_${Date.now()}`;
    const environment: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    if (databaseUrl) {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`create schema ${schema}`);
      await client.end();
      environment.DATABASE_URL = databaseUrl;
      environment.DATABASE_SCHEMA = schema;
    }

    const child = spawn(process.execPath, ['bin/ledgerguard.mjs', 'import', rosterFile], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    let sawWriting = false;
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('import never reached the writing phase')), 60_000);
      child.stderr.on('data', (chunk: Buffer) => {
        if (!sawWriting && /writing [1-9]/.test(chunk.toString())) {
          sawWriting = true;
          child.kill('SIGKILL');
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(sawWriting).toBe(true);
    expect(child.signalCode ?? (exited ? 'exited' : 'running')).toBe('SIGKILL');
    const reopened = await createTestApp(databaseUrl ? { databaseUrl: environment.DATABASE_URL, databaseSchema: schema, dataDir } : { dataDir });
    expect(await countClients(reopened)).toBe(0);
    expect((await reopened.audit.verify()).intact).toBe(true);
    const jobs = await reopened.db.selectFrom('import_jobs').select(['status', 'error_code']).execute();
    expect(jobs).toEqual([{ status: 'failed', error_code: 'import_interrupted' }]);
    await reopened.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});
