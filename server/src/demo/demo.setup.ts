import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findRunningServer } from '../cli/server-lock.js';
import { addClientPerson } from '../clients/client-people.js';
import { residentIdCheckChar } from '../clients/identifiers.js';
import type { AppConfig } from '../config/config.js';
import type { KeyringMaterial } from '../crypto/index.js';
import { hashPassword, insertUser, usernameKey } from '../identity/index.js';
import { composeApplication } from '../main/compose.js';
import { DEMO_ACCOUNTS, DEMO_ASSIGNEES, DEMO_DEPARTMENTS, DEMO_FIRM, DEMO_PASSWORD } from './demo.staff.js';
import { generateClients, writeRosterWorkbook } from './demo.data.js';
import { totpCodeAt } from '../identity/mfa/totp.js';

export const DEMO_CLIENT_COUNT = 2000;

/**
 * Prepares the demo firm in the data folder: departments, one account per built-in role,
 * and 2,000 generated clients loaded through the same importer the firm's staff use.
 */
export async function runDemo(config: AppConfig, { reset, clientCount = DEMO_CLIENT_COUNT, keyring }: { reset: boolean; clientCount?: number; keyring?: KeyringMaterial }): Promise<number> {
  const runningServer = await findRunningServer(config.dataDir);
  if (reset && runningServer) {
    // Deleting the file under a running server would leave it writing to a deleted database.
    console.error(`服务器仍在使用此数据目录（进程 ${runningServer}），请先停止服务器再重置演示数据。\nA server (process ${runningServer}) is using this data folder; stop it before resetting the demo.`);
    return 1;
  }
  if (reset && !config.databaseUrl) {
    // The checkpoint file and archive under `audit` belong to the deleted database; left behind,
    // they would make the new database's chain look tampered with.
    for (const name of ['ledgerguard.db', 'ledgerguard.db-wal', 'ledgerguard.db-shm', 'demo', 'audit']) {
      await rm(path.join(config.dataDir, name), { recursive: true, force: true });
    }
  }
  // Tests pass their ephemeral keys, because the SQLite file they already opened is encrypted with them.
  const application = await composeApplication({ ...config, serveWeb: false }, keyring ? { keyring } : {});
  const { db } = application;

  try {
    const existing = await db.selectFrom('users').select('id').limit(1).execute();
    if (existing.length > 0) {
      console.error('数据库中已有账号，演示数据只能装入空库。请使用新的 DATA_DIR，或运行 npm run demo -- --reset（会删除数据目录中的数据库）。\nThe database has accounts already; the demo needs an empty one. Use a new DATA_DIR, or run npm run demo -- --reset (deletes the database in the data folder).');
      return 1;
    }

    const now = new Date().toISOString();
    const firmId = randomUUID();
    const departmentIds = new Map<string, string>([[DEMO_FIRM, firmId]]);
    await db.insertInto('departments').values({ id: firmId, name: DEMO_FIRM, parent_id: null, created_at: now }).execute();
    for (const name of DEMO_DEPARTMENTS) {
      const id = randomUUID();
      departmentIds.set(name, id);
      await db.insertInto('departments').values({ id, name, parent_id: firmId, created_at: now }).execute();
    }

    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const accountIds = new Map<string, string>();
    for (const account of DEMO_ACCOUNTS) {
      const id = randomUUID();
      accountIds.set(account.username, id);
      await insertUser(db, { id, username: account.username, usernameKey: usernameKey(account.username), displayName: account.displayName, departmentId: departmentIds.get(account.department) ?? null, passwordHash, roles: account.roles });
    }

    const demoDir = path.join(config.dataDir, 'demo');
    await mkdir(demoDir, { recursive: true, mode: 0o700 });
    const generated = generateClients({ count: clientCount, seed: 20261204, departments: ['记账一部', '记账二部', '税务部'], assigneesByDepartment: DEMO_ASSIGNEES });
    const rosterFile = path.join(demoDir, 'roster.xlsx');
    await writeRosterWorkbook(generated, rosterFile);

    const { readFile } = await import('node:fs/promises');
    let lastPercent = -1;
    const job = await application.imports.run({
      content: await readFile(rosterFile),
      fileName: 'roster.xlsx',
      importer: { subject: undefined },
      onProgress: (progress) => {
        const percent = progress.total === 0 ? 0 : Math.floor((progress.processed / progress.total) * 100);
        if (percent !== lastPercent && percent % 10 === 0) {
          process.stderr.write(`导入 import: ${progress.phase} ${percent}%\n`);
          lastPercent = percent;
        }
      },
    });
    if (job.status !== 'done') {
      console.error(`演示花名册导入失败 / demo roster import failed: ${job.errorCode}`);
      return 1;
    }

    await linkDemoExtras(application, accountIds, generated.length);

    // Every demo account comes with an authenticator app set up, so scripts and load tests can
    // complete the second factor with the secret from accounts.json.
    const totpSecrets = new Map<string, string>();
    for (const account of DEMO_ACCOUNTS) {
      const userId = accountIds.get(account.username)!;
      const { secret } = await application.totp.startEnrolment(userId, account.username);
      if (!(await application.totp.confirmEnrolment(userId, totpCodeAt(secret, new Date())))) {
        throw new Error(`Demo TOTP enrolment failed for ${account.username}`);
      }
      totpSecrets.set(account.username, secret);
      if (account.phone) {
        await application.accounts.setPhone({ actor: { id: userId, username: account.username }, phone: account.phone, origin: { ip: undefined, userAgent: 'demo' } });
      }
    }

    const accounts = DEMO_ACCOUNTS.map((account) => ({ username: account.username, password: DEMO_PASSWORD, totpSecret: totpSecrets.get(account.username)!, phone: account.phone ?? null, displayName: account.displayName, roles: account.roles, department: account.department }));
    await writeFile(path.join(demoDir, 'accounts.json'), `${JSON.stringify({ note: 'Demo-only accounts. 仅供演示，切勿用于生产。', accounts }, null, 2)}\n`, { mode: 0o600 });

    console.log(`演示事务所已就绪 / Demo firm ready: ${job.created} clients (${job.rejected} rejected), ${DEMO_ACCOUNTS.length} accounts.`);
    console.log(`花名册 / roster: ${rosterFile}`);
    console.log(`账号 / accounts: ${path.join(demoDir, 'accounts.json')}`);
    console.log(`演示密码（仅供演示）/ demo password (demo only): ${DEMO_PASSWORD}`);
    console.log('每个账号都已绑定验证器应用，密钥见 accounts.json 的 totpSecret（可导入手机验证器）。\nEvery account has an authenticator app set up; its secret is totpSecret in accounts.json (importable into a phone app).');
    for (const account of DEMO_ACCOUNTS) {
      console.log(`  ${account.username.padEnd(12)} ${account.roles.join(',').padEnd(20)} ${account.department}`);
    }
    return 0;
  } finally {
    await application.close();
  }
}

/** Assigns clients to the assistants and the registration agent, links the portal contact, and adds a few linked people. */
async function linkDemoExtras(application: Awaited<ReturnType<typeof composeApplication>>, accountIds: Map<string, string>, _count: number): Promise<void> {
  const { db, crypto } = application;
  const clients = await db.selectFrom('clients').innerJoin('departments', 'departments.id', 'clients.department_id').select(['clients.id', 'clients.contact_name', 'departments.name as department']).orderBy('clients.name').execute();
  const now = new Date().toISOString();
  const assign = (clientId: string, username: string) => ({ client_id: clientId, user_id: accountIds.get(username)!, created_at: now });

  const assignments = [
    ...clients.filter((client) => client.department === '记账一部').slice(0, 120).map((client) => assign(client.id, 'assistant1')),
    ...clients.filter((client) => client.department === '记账二部').slice(0, 120).map((client) => assign(client.id, 'assistant2')),
    ...clients.slice(0, 15).map((client) => assign(client.id, 'registrar1')),
  ];
  for (let start = 0; start < assignments.length; start += 200) {
    await db.insertInto('client_assignments').values(assignments.slice(start, start + 200)).onConflict((conflict) => conflict.columns(['client_id', 'user_id']).doNothing()).execute();
  }

  const first = clients[0];
  if (first) {
    await db.updateTable('users').set({ client_id: first.id }).where('id', '=', accountIds.get('contact1')!).execute();
  }

  for (const [index, client] of clients.filter((_, position) => position % 40 === 0).entries()) {
    await addClientPerson(db, crypto, { clientId: client.id, role: '财务负责人', name: client.contact_name ?? '财务负责人', idNumber: demoIdNumber(index), phone: `139${String(10000000 + index * 7919).slice(-8)}` });
  }
}

/** Builds a valid 18-character resident ID for a demo person: Huangpu area code, birth date, sequence and check character. */
function demoIdNumber(index: number): string {
  const birth = new Date(Date.UTC(1975, 0, 1) + index * 86_400_000 * 97);
  const date = birth.toISOString().slice(0, 10).replace(/-/g, '');
  const first17 = `310101${date}${String(100 + (index % 900)).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}
