import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_KEYS } from '../src/access/index.js';
import { isValidResidentId, isValidUscc } from '../src/clients/identifiers.js';
import { generateClients } from '../src/demo/demo.data.js';
import { runDemo } from '../src/demo/demo.setup.js';
import { DEMO_ASSIGNEES, DEMO_DEPARTMENTS } from '../src/demo/demo.staff.js';
import { type TestApp, createTestApp } from './test-app.js';

let app: TestApp;

beforeAll(async () => {
  // The demo runs on its own connection; the test app only provides the configuration and
  // afterwards reads what the demo wrote.
  app = await createTestApp();
  const status = await runDemo(app.config, { reset: false, keyring: app.keyring });
  if (status !== 0) throw new Error(`npm run demo failed with status ${status}`);
});

afterAll(async () => {
  await app.dispose();
});

describe('demo firm', () => {
  it('writes accounts for every built-in role with role and department', async () => {
    const file = JSON.parse(await readFile(path.join(app.config.dataDir, 'demo', 'accounts.json'), 'utf8')) as { accounts: { username: string; password: string; roles: string[]; department: string }[] };

    expect(new Set(file.accounts.flatMap((account) => account.roles))).toEqual(new Set(ROLE_KEYS));
    expect(file.accounts.every((account) => account.password.length >= 12 && account.department.length > 0)).toBe(true);
  });

  it('sets up an authenticator app for every account, with its secret in accounts.json', async () => {
    const file = JSON.parse(await readFile(path.join(app.config.dataDir, 'demo', 'accounts.json'), 'utf8')) as { accounts: { username: string; totpSecret: string }[] };
    const users = await app.db.selectFrom('users').select(['id', 'username']).execute();

    for (const account of file.accounts) {
      expect(account.totpSecret, account.username).toMatch(/^[A-Z2-7]{32}$/);
      expect(await app.totp.isEnrolled(users.find((user) => user.username === account.username)!.id), account.username).toBe(true);
    }
    const row = JSON.stringify(await app.db.selectFrom('totp_credentials').selectAll().execute());
    expect(row).not.toContain(file.accounts[0]!.totpSecret);
  });

  it('loads 2,000 valid clients into the department tree', async () => {
    const clients = await app.db.selectFrom('clients').select(['uscc']).execute();
    const departments = await app.db.selectFrom('departments').select('name').execute();

    expect(clients.length).toBe(2000);
    expect(clients.every((client) => isValidUscc(client.uscc))).toBe(true);
    expect(departments.map((department) => department.name)).toEqual(expect.arrayContaining([...DEMO_DEPARTMENTS]));
  });

  it('keeps demo ID numbers and bank accounts out of the database and the audit log', async () => {
    const generated = generateClients({ count: 2000, seed: 20261204, departments: ['记账一部', '记账二部', '税务部'], assigneesByDepartment: DEMO_ASSIGNEES });
    const secrets = generated.flatMap(({ client }) => [client.legalRepIdNumber!, client.bankAccount!]).filter(Boolean);
    expect(secrets.filter((secret) => secret.length === 18).every((secret) => isValidResidentId(secret))).toBe(true);
    expect(secrets.some((secret) => secret.endsWith('X'))).toBe(true);

    const clientRows = JSON.stringify(await app.db.selectFrom('clients').selectAll().execute());
    const auditRows = JSON.stringify(await app.db.selectFrom('audit_events').selectAll().execute());
    const databaseFile = app.database.sqliteFile ? (await readFile(app.database.sqliteFile)).toString('latin1') + (await readFile(`${app.database.sqliteFile}-wal`).catch(() => Buffer.alloc(0))).toString('latin1') : '';

    // One pass per text: every run of digits (and X) is looked up among the secrets.
    const secretSet = new Set(secrets);
    const leaked = (text: string) => (text.match(/[0-9X]{8,30}/g) ?? []).filter((run) => secretSet.has(run));
    expect(leaked(clientRows)).toEqual([]);
    expect(leaked(auditRows)).toEqual([]);
    expect(leaked(databaseFile)).toEqual([]);
    expect(leaked(secrets.join(' '))).toHaveLength(secrets.length);
    expect(clientRows).toContain(generated[0]!.client.uscc);
  });
});
