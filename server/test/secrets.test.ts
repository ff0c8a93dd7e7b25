import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { testConfig } from '../src/config/config.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';
import { readDecryptedSqliteBytes } from './sqlite-inspection.js';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;
let secrets: string[];

// The working-day test (security/secrets-day.test.ts) follows every kind of secret through the
// default AES-256-GCM suite. This file checks the sensitive client values at rest under the SM
// suite (SM4 with SM3-based integrity), which firms bound by China's commercial cryptography rules choose.
beforeAll(async () => {
  app = await createTestApp({ keys: { ...testConfig().keys, suite: 'sm4' } });
  firm = await createSmallFirm(app, { clientCount: 20 });
  secrets = firm.generated.flatMap(({ client }) => [client.legalRepIdNumber, client.bankAccount].filter((value): value is string => Boolean(value)));

  // A working day in miniature: sign-ins (one failed), searches by identifiers, views and reveals.
  const bk1 = await TestSession.signIn(app.app, 'bk1', TEST_PASSWORD);
  await new TestSession(app.app).post('/api/auth/login', { username: 'bk1', password: 'wrong-password-123' });
  for (const id of (await clientIdsAssignedTo(app, firm.members.bk1.id)).slice(0, 3)) {
    await bk1.get(`/api/clients/${id}`);
    await bk1.post(`/api/clients/${id}/reveal`, { field: 'legalRepIdNumber', reason: '报税申报核对' });
    await bk1.post(`/api/clients/${id}/reveal`, { field: 'bankAccount', reason: '银行代扣协议' });
  }
  for (const secret of secrets.slice(0, 6)) {
    await bk1.get(`/api/clients?q=${encodeURIComponent(secret)}`);
  }
});

afterAll(async () => {
  await app.dispose();
});

function expectNoSecret(text: string, where: string) {
  for (const secret of secrets) {
    expect(text.includes(secret), `${where} contains a plaintext value`).toBe(false);
  }
}

describe('sensitive values at rest', () => {
  it('never appear in client rows', async () => {
    const rows = await app.db.selectFrom('clients').selectAll().execute();
    const people = await app.db.selectFrom('client_people').selectAll().execute();

    expect(rows.length).toBe(20);
    expect(rows.every((row) => !row.bank_account_enc || row.bank_account_enc.split('.')[1] === 'sm4ctr-hsm3')).toBe(true);
    expectNoSecret(JSON.stringify(rows), 'clients table');
    expectNoSecret(JSON.stringify(people), 'client_people table');
  });

  it('never appear in the audit table', async () => {
    const events = await app.db.selectFrom('audit_events').selectAll().execute();

    expect(events.some((event) => event.action === 'client.reveal')).toBe(true);
    expectNoSecret(JSON.stringify(events), 'audit_events table');
  });

  it('never appear in the server log', () => {
    expect(app.logLines.length).toBeGreaterThan(0);
    expectNoSecret(app.logLines.join('\n'), 'server log');
    expect(app.logLines.join('\n')).not.toContain(TEST_PASSWORD);
  });

  it.skipIf(Boolean(process.env.TEST_DATABASE_URL))('never appear in the SQLite database file', async () => {
    await app.database.db.destroy().catch(() => undefined);
    // The file itself is encrypted, so the pages are read decrypted: field encryption must hold underneath.
    const bytes = readDecryptedSqliteBytes(app.database.sqliteFile!, app.keyring);
    const text = bytes.toString('latin1');

    expect(bytes.length).toBeGreaterThan(0);
    expect(text.includes(firm.generated[0]!.client.name) || bytes.includes(Buffer.from(firm.generated[0]!.client.uscc))).toBe(true);
    expectNoSecret(text, 'database file');
  });
});
