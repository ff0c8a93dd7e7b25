import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateClients, writeRosterWorkbook, type GeneratedClient } from '../src/demo/demo.data.js';
import { createDepartment, createMember, type TestApp } from './test-app.js';

/**
 * A small firm: two bookkeeping departments under the firm, one member per role that the
 * checks need, and generated clients imported through the real importer.
 */
export async function createSmallFirm(app: TestApp, { clientCount = 24 } = {}) {
  const firm = await createDepartment(app, '测试事务所');
  const deptOne = await createDepartment(app, '记账一部', firm);
  const deptTwo = await createDepartment(app, '记账二部', firm);

  const members = {
    bk1: await createMember(app, { username: 'bk1', roles: ['bookkeeper'], departmentId: deptOne }),
    bk2: await createMember(app, { username: 'bk2', roles: ['bookkeeper'], departmentId: deptTwo }),
    assistant: await createMember(app, { username: 'assistant', roles: ['assistant'], departmentId: deptOne }),
    service: await createMember(app, { username: 'service', roles: ['customer_service'], departmentId: firm }),
    manager1: await createMember(app, { username: 'manager1', roles: ['department_manager'], departmentId: deptOne }),
    partner: await createMember(app, { username: 'partner', roles: ['partner'], departmentId: firm }),
    sysadmin: await createMember(app, { username: 'sysadmin', roles: ['system_admin'], departmentId: firm }),
    secadmin: await createMember(app, { username: 'secadmin', roles: ['security_admin'], departmentId: firm }),
    auditor: await createMember(app, { username: 'auditor', roles: ['audit_admin'], departmentId: firm }),
  };

  const generated = generateClients({ count: clientCount, seed: 7, departments: ['记账一部', '记账二部'], assigneesByDepartment: { 记账一部: ['bk1'], 记账二部: ['bk2'] } });
  const folder = await mkdtemp(path.join(os.tmpdir(), 'lg-roster-'));
  const rosterFile = path.join(folder, 'roster.xlsx');
  await writeRosterWorkbook(generated, rosterFile);
  const job = await app.imports.run({ content: await readFile(rosterFile), fileName: 'roster.xlsx', importer: { subject: undefined } });
  if (job.status !== 'done' || job.created !== clientCount) {
    throw new Error(`Fixture import failed: ${job.status} ${job.errorCode} created ${job.created} rejected ${job.rejected}`);
  }

  return { departments: { firm, deptOne, deptTwo }, members, generated, rosterFile };
}

export async function clientIdsAssignedTo(app: TestApp, userId: string): Promise<string[]> {
  const rows = await app.db.selectFrom('client_assignments').select('client_id').where('user_id', '=', userId).execute();
  return rows.map((row) => row.client_id).sort();
}

export async function clientIdByUscc(app: TestApp, uscc: string): Promise<string> {
  const row = await app.db.selectFrom('clients').select('id').where('uscc', '=', uscc).executeTakeFirstOrThrow();
  return row.id;
}

export type { GeneratedClient };
