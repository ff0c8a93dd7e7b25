import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;

beforeAll(async () => {
  app = await createTestApp();
  firm = await createSmallFirm(app, { clientCount: 8 });
});

afterAll(async () => {
  await app.dispose();
});

async function grant(userId: string, clientId: string, { endsInMs, categories }: { endsInMs: number; categories: string[] }) {
  const now = Date.now();
  await app.db
    .insertInto('access_grants')
    .values({
      id: randomUUID(),
      user_id: userId,
      client_id: clientId,
      department_id: null,
      categories: JSON.stringify(categories),
      actions: JSON.stringify(['client:list', 'client:read', 'client:reveal']),
      starts_at: new Date(now - 1000).toISOString(),
      ends_at: new Date(now + endsInMs).toISOString(),
      kind: 'temporary',
      reason: '工商变更需要核对身份证',
      created_by: null,
      created_at: new Date(now).toISOString(),
    })
    .execute();
}

describe('temporary grant over HTTP', () => {
  it('opens another department’s client until its end, then closes it by itself', async () => {
    const [otherClient] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    await grant(firm.members.bk1.id, otherClient!, { endsInMs: 2500, categories: ['basic', 'sensitive'] });
    const bk1 = await TestSession.signIn(app.app, 'bk1', TEST_PASSWORD);

    const listed = (await bk1.get('/api/clients?pageSize=100')).json() as { items: { id: string }[] };
    const view = await bk1.get(`/api/clients/${otherClient}`);
    const reveal = await bk1.post(`/api/clients/${otherClient}/reveal`, { field: 'legalRepIdNumber', reason: '工商变更核对' });
    const bank = (view.json() as { fields: { key: string; display: string }[] }).fields.find((field) => field.key === 'bankAccount');

    expect(listed.items.map((item) => item.id)).toContain(otherClient);
    expect(view.statusCode).toBe(200);
    // The grant names basic and sensitive data only; the bank account is financial.
    expect(bank?.display).toBe('hidden');
    expect(reveal.statusCode).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 2600));
    const after = await bk1.get(`/api/clients/${otherClient}`);
    const listedAfter = (await bk1.get('/api/clients?pageSize=100')).json() as { items: { id: string }[] };

    expect(after.statusCode).toBe(404);
    expect(listedAfter.items.map((item) => item.id)).not.toContain(otherClient);
  });

  it('lets a registration agent search by ID number only on the granted client', async () => {
    const [target] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    const uscc = (await app.db.selectFrom('clients').select('uscc').where('id', '=', target!).executeTakeFirstOrThrow()).uscc;
    const idNumber = firm.generated.find((entry) => entry.client.uscc === uscc)!.client.legalRepIdNumber!;
    const registrar = await (await import('./test-app.js')).createMember(app, { username: 'registrar', roles: ['registration_agent'] });
    const session = await TestSession.signIn(app.app, 'registrar', TEST_PASSWORD);

    const before = (await session.get(`/api/clients?q=${idNumber}`)).json() as { total: number };
    await grant(registrar.id, target!, { endsInMs: 60_000, categories: ['sensitive'] });
    const after = (await session.get(`/api/clients?q=${idNumber}`)).json() as { total: number };

    expect(before.total).toBe(0);
    expect(after.total).toBe(1);
  });

  it('records each ended grant in the audit log once', async () => {
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    await grant(firm.members.bk1.id, clientId!, { endsInMs: -1, categories: ['basic'] });

    await app.requests.expireLapsed();
    await app.requests.expireLapsed();

    const events = await app.db.selectFrom('audit_events').select('details').where('action', '=', 'governance.grant_expired').where('target_id', '=', firm.members.bk1.id).execute();
    expect(events.length).toBeGreaterThanOrEqual(1);
    const grantIds = events.map((event) => (JSON.parse(event.details) as { grantId: string }).grantId);
    expect(new Set(grantIds).size).toBe(grantIds.length);
  });
});
