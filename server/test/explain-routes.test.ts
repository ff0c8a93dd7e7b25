import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;

beforeAll(async () => {
  app = await createTestApp();
  firm = await createSmallFirm(app, { clientCount: 6 });
});

afterAll(async () => {
  await app.dispose();
});

describe('explanation routes', () => {
  it('answers who can see a client’s ID number, for the security administrator only', async () => {
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    const security = await TestSession.signIn(app.app, 'secadmin', TEST_PASSWORD);
    const bookkeeper = await TestSession.signIn(app.app, 'bk1', TEST_PASSWORD);

    const viewers = await security.get(`/api/access/clients/${clientId}/fields/legalRepIdNumber/viewers`);
    const denied = await bookkeeper.get(`/api/access/clients/${clientId}/fields/legalRepIdNumber/viewers`);

    expect(viewers.statusCode).toBe(200);
    const usernames = (viewers.json() as { viewers?: { username: string }[] } & { username?: string }[]);
    expect(JSON.stringify(usernames)).toContain('bk1');
    expect(JSON.stringify(usernames)).toContain('partner');
    expect(JSON.stringify(usernames)).not.toContain('"service"');
    expect(denied.statusCode).toBe(403);
    const audited = await app.db.selectFrom('audit_events').select('action').where('action', '=', 'access.explained').execute();
    expect(audited.length).toBeGreaterThan(0);
  });

  it('explains why a bookkeeper is denied another department’s client', async () => {
    const [otherClient] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    const auditor = await TestSession.signIn(app.app, 'auditor', TEST_PASSWORD);

    const response = await auditor.get(`/api/access/explain?userId=${firm.members.bk1.id}&clientId=${otherClient}&action=client:read`);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ allow: false });
    expect(JSON.stringify(response.json())).toContain('out_of_scope');
  });

  it('shows the access matrix of a department without client data', async () => {
    const security = await TestSession.signIn(app.app, 'secadmin', TEST_PASSWORD);
    const bookkeeper = await TestSession.signIn(app.app, 'bk1', TEST_PASSWORD);

    const matrix = await security.get(`/api/access/matrix?departmentId=${firm.departments.deptOne}`);
    const roles = await security.get('/api/access/roles');
    const denied = await bookkeeper.get(`/api/access/matrix?departmentId=${firm.departments.deptOne}`);

    expect(matrix.statusCode).toBe(200);
    const body = matrix.json() as { rows: { displayName: string; cells: { clientId: string; allow: boolean }[] }[]; clientIds: string[] };
    const bk1Row = body.rows.find((row) => row.displayName === 'bk1 测试')!;
    const assigned = new Set(await clientIdsAssignedTo(app, firm.members.bk1.id));
    expect(bk1Row.cells.filter((cell) => cell.allow).map((cell) => cell.clientId).sort()).toEqual(body.clientIds.filter((id) => assigned.has(id)).sort());
    expect(matrix.body).not.toContain(firm.generated[0]!.client.name);
    expect((roles.json() as { items: { key: string }[] }).items).toHaveLength(10);
    expect(denied.statusCode).toBe(403);
  });
});
