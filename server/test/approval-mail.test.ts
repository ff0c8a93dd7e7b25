import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmtp } from './fake-smtp.js';
import { clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';

let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;

beforeAll(async () => {
  smtp = await startFakeSmtp();
  app = await createTestApp({ mail: { smtpUrl: smtp.url, from: 'LedgerGuard <no-reply@localhost>' } });
  firm = await createSmallFirm(app, { clientCount: 4 });
});

afterAll(async () => {
  await app.dispose();
  await smtp.close();
});

describe('approval notice by e-mail', () => {
  it('mails the approvers of the current step', async () => {
    const manager = await TestSession.signIn(app.app, 'manager1', TEST_PASSWORD);
    const set = await manager.post('/api/account/email', { email: 'manager1@firm.test' });
    const invalid = await manager.post('/api/account/email', { email: 'not-an-address' });
    const bk1 = await TestSession.signIn(app.app, 'bk1', TEST_PASSWORD);
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);

    await bk1.post('/api/access-requests', { kind: 'assignment_add', payload: { clientId }, reason: '接手客户的记账工作' });
    await expect.poll(() => smtp.received.length, { timeout: 5000 }).toBe(1);

    expect(set.statusCode).toBe(204);
    expect(invalid.statusCode).toBe(400);
    expect(smtp.received[0]!.to).toEqual(['manager1@firm.test']);
    expect(smtp.received[0]!.data).toMatch(/Subject: /);
    expect(smtp.received[0]!.data).not.toContain(clientId);
  });
});
