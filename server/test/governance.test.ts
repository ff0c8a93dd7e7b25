import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createMember, createTestApp } from './test-app.js';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;

beforeAll(async () => {
  app = await createTestApp({ breakGlassMinutes: 0.05 });
  firm = await createSmallFirm(app, { clientCount: 8 });
});

afterAll(async () => {
  await app.dispose();
});

const signIn = (username: string) => TestSession.signIn(app.app, username, TEST_PASSWORD);

async function fileAssignment(filer: TestSession, beneficiaryId: string, clientId: string) {
  const response = await filer.post('/api/access-requests', { kind: 'assignment_add', beneficiaryId, payload: { clientId }, reason: '接手客户的记账工作' });
  expect(response.statusCode).toBe(201);
  return (response.json() as { id: string }).id;
}

describe('approvals', () => {
  it('rejects approval by the beneficiary and by the filer', async () => {
    const bk1 = await signIn('bk1');
    const manager = await signIn('manager1');
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);

    const ownRequest = await fileAssignment(bk1, firm.members.bk1.id, clientId!);
    const filedByManager = await fileAssignment(manager, firm.members.bk1.id, clientId!);
    const selfApproval = await bk1.post(`/api/access-requests/${ownRequest}/approve`, {});
    const filerApproval = await manager.post(`/api/access-requests/${filedByManager}/approve`, {});

    expect(selfApproval.statusCode).toBe(403);
    expect(selfApproval.json()).toMatchObject({ code: 'self_approval_forbidden' });
    expect(filerApproval.statusCode).toBe(403);
    expect(await clientIdsAssignedTo(app, firm.members.bk1.id)).not.toContain(clientId);
  });

  it('refuses an approver outside the step', async () => {
    const bk1 = await signIn('bk1');
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    const requestId = await fileAssignment(bk1, firm.members.bk1.id, clientId!);

    const bystander = await (await signIn('service')).post(`/api/access-requests/${requestId}/approve`, {});

    expect(bystander.statusCode).toBe(403);
    expect(bystander.json()).toMatchObject({ code: 'approver_not_eligible' });
  });

  it('cannot approve an expired request', async () => {
    const bk1 = await signIn('bk1');
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    const requestId = await fileAssignment(bk1, firm.members.bk1.id, clientId!);
    await app.db.updateTable('access_requests').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', requestId).execute();

    const response = await (await signIn('manager1')).post(`/api/access-requests/${requestId}/approve`, {});

    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'request_expired' });
    const stored = await app.db.selectFrom('access_requests').select('status').where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(stored.status).toBe('expired');
    expect(await clientIdsAssignedTo(app, firm.members.bk1.id)).not.toContain(clientId);
  });

  it('expires lapsed requests on schedule, audited', async () => {
    const bk1 = await signIn('bk1');
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    const requestId = await fileAssignment(bk1, firm.members.bk1.id, clientId!);
    await app.db.updateTable('access_requests').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', requestId).execute();

    const expired = await app.requests.expireLapsed();

    expect(expired).toBeGreaterThanOrEqual(1);
    expect((await app.db.selectFrom('access_requests').select('status').where('id', '=', requestId).executeTakeFirstOrThrow()).status).toBe('expired');
    const events = await app.db.selectFrom('audit_events').select('action').where('action', '=', 'governance.request_expired').where('target_id', '=', requestId).execute();
    expect(events).toHaveLength(1);
  });

  it('completes a step once when two approvers act at the same moment', async () => {
    const bk1 = await signIn('bk1');
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    const requestId = await fileAssignment(bk1, firm.members.bk1.id, clientId!);
    const [manager, partner] = await Promise.all([signIn('manager1'), signIn('partner')]);

    const results = await Promise.all([manager.post(`/api/access-requests/${requestId}/approve`, {}), partner.post(`/api/access-requests/${requestId}/approve`, {})]);

    expect(results.map((result) => result.statusCode).sort()).toEqual([200, 409]);
    const decisions = await app.db.selectFrom('access_request_decisions').select('approver_id').where('request_id', '=', requestId).execute();
    expect(decisions).toHaveLength(1);
    const approvals = await app.db.selectFrom('audit_events').select('seq').where('action', '=', 'governance.request_approved').where('target_id', '=', requestId).execute();
    expect(approvals).toHaveLength(1);
    expect(await clientIdsAssignedTo(app, firm.members.bk1.id)).toContain(clientId);
    expect((await bk1.get(`/api/clients/${clientId}`)).statusCode).toBe(200);
  });

  it('applies a role change after both steps, effective on the next request', async () => {
    const newcomer = await createMember(app, { username: 'newhire', roles: ['assistant'], departmentId: firm.departments.deptOne });
    const session = await signIn('newhire');
    const filed = await session.post('/api/access-requests', { kind: 'role_grant', payload: { role: 'bookkeeper' }, reason: '转正为记账会计' });
    const { id } = filed.json() as { id: string };

    const first = (await (await signIn('manager1')).post(`/api/access-requests/${id}/approve`, {})).json() as { status: string; currentStep: number };
    const before = await app.db.selectFrom('user_roles').select('role_key').where('user_id', '=', newcomer.id).execute();
    const second = (await (await signIn('secadmin')).post(`/api/access-requests/${id}/approve`, {})).json() as { status: string };
    const me = (await session.get('/api/auth/me')).json() as { user: { roles: string[] } };

    expect(first).toMatchObject({ status: 'pending', currentStep: 1 });
    expect(before.map((row) => row.role_key)).toEqual(['assistant']);
    expect(second.status).toBe('applied');
    expect(me.user.roles).toEqual(['assistant', 'bookkeeper']);
  });

  it('keeps the three administrator roles apart', async () => {
    const filer = await signIn('secadmin');

    const response = await filer.post('/api/access-requests', { kind: 'role_grant', beneficiaryId: firm.members.sysadmin.id, payload: { role: 'audit_admin' }, reason: '兼任审计管理员' });
    const clientRole = await filer.post('/api/access-requests', { kind: 'role_grant', beneficiaryId: firm.members.sysadmin.id, payload: { role: 'bookkeeper' }, reason: '兼任记账会计' });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'admin_roles_exclusive' });
    expect(clientRole.statusCode).toBe(400);
  });

  it('rejects a malformed grant request with a field error and stores nothing', async () => {
    const bk1 = await signIn('bk1');
    const before = await app.db.selectFrom('access_requests').select('id').execute();

    const response = await bk1.post('/api/access-requests', { kind: 'temporary_grant', payload: { clientId: 'x', categories: [], actions: ['client:read'], startsAt: '2026-12-05T09:00:00+08:00', endsAt: '2026-12-04T09:00:00+08:00' }, reason: '临时协助' });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'request_invalid' });
    expect(await app.db.selectFrom('access_requests').select('id').execute()).toHaveLength(before.length);
  });

  it('turns an approved temporary-grant request into a grant', async () => {
    const bk1 = await signIn('bk1');
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const filed = (await bk1.post('/api/access-requests', { kind: 'temporary_grant', payload: { clientId, categories: ['basic', 'sensitive'], actions: ['client:read', 'client:reveal'], startsAt, endsAt }, reason: '代同事处理年报' })).json() as { id: string };

    await (await signIn('manager1')).post(`/api/access-requests/${filed.id}/approve`, {});
    const grants = (await bk1.get('/api/grants')).json() as { items: { clientId: string; active: boolean; endsAt: string }[] };

    expect(grants.items.some((grant) => grant.clientId === clientId && grant.active)).toBe(true);
  });
});

describe('approval flows and notices', () => {
  it('notifies the approvers of the current step', async () => {
    const bk1 = await signIn('bk1');
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    await fileAssignment(bk1, firm.members.bk1.id, clientId!);

    const manager = (await (await signIn('manager1')).get('/api/account/notifications')).json() as { items: { kind: string; message: string }[] };
    const bystander = (await (await signIn('service')).get('/api/account/notifications')).json() as { items: { kind: string }[] };

    expect(manager.items.some((item) => item.kind === 'approval_pending' && item.message.includes('审批'))).toBe(true);
    expect(bystander.items.some((item) => item.kind === 'approval_pending')).toBe(false);
  });

  it('lets the security administrator configure a kind as auto-approved, recorded as such', async () => {
    const security = await signIn('secadmin');
    const manager = await signIn('manager1');

    const denied = await manager.post('/api/governance/flows/assignment_remove', { steps: [{ approver: 'department_manager' }], autoApprove: true });
    const saved = await security.post('/api/governance/flows/assignment_remove', { steps: [{ approver: 'department_manager' }], autoApprove: true });
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    const filed = (await (await signIn('bk1')).post('/api/access-requests', { kind: 'assignment_remove', payload: { clientId }, reason: '客户已转交他人' })).json() as { status: string; autoApproved: boolean };

    expect(denied.statusCode).toBe(403);
    expect(saved.statusCode).toBe(200);
    expect(filed).toMatchObject({ status: 'applied', autoApproved: true });
    expect(await clientIdsAssignedTo(app, firm.members.bk1.id)).not.toContain(clientId);
    const applied = await app.db.selectFrom('audit_events').select('details').where('action', '=', 'governance.request_applied').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(applied.details)).toMatchObject({ kind: 'assignment_remove', autoApproved: true });
    await security.post('/api/governance/flows/assignment_remove', { steps: [{ approver: 'department_manager' }], autoApprove: false });
  });
});

describe('cross-department sharing', () => {
  it('shares another department’s clients once its manager approves', async () => {
    const manager1 = await signIn('manager1');
    const bk1 = await signIn('bk1');
    const reachable = new Set(await clientIdsAssignedTo(app, firm.members.bk1.id));
    const grantedClients = new Set((await app.db.selectFrom('access_grants').select('client_id').where('user_id', '=', firm.members.bk1.id).execute()).map((row) => row.client_id));
    const sharedClient = (await clientIdsAssignedTo(app, firm.members.bk2.id)).find((id) => !reachable.has(id) && !grantedClients.has(id));
    const share = { fromDepartmentId: firm.departments.deptOne, toDepartmentId: firm.departments.deptTwo, categories: ['basic'], actions: ['client:list', 'client:read'], startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString() };

    const byStaff = await bk1.post('/api/access-requests', { kind: 'department_share', payload: share, reason: '年底两部门协作结账' });
    const filed = await manager1.post('/api/access-requests', { kind: 'department_share', payload: share, reason: '年底两部门协作结账' });
    const { id } = filed.json() as { id: string };
    const before = await bk1.get(`/api/clients/${sharedClient}`);
    const ownApproval = await manager1.post(`/api/access-requests/${id}/approve`, {});
    const approved = await (await signIn('partner')).post(`/api/access-requests/${id}/approve`, {});
    const after = await bk1.get(`/api/clients/${sharedClient}`);

    expect(byStaff.statusCode).toBe(403);
    expect(filed.statusCode).toBe(201);
    expect(before.statusCode).toBe(404);
    expect(ownApproval.statusCode).toBe(403);
    expect(approved.json()).toMatchObject({ status: 'applied' });
    expect(after.statusCode).toBe(200);
    const fields = (after.json() as { fields: { key: string; display: string }[] }).fields;
    expect(fields.find((field) => field.key === 'bankAccount')!.display).toBe('hidden');
  });
});

describe('departments', () => {
  it('lists the tree with each department’s managers', async () => {
    const tree = (await (await signIn('bk1')).get('/api/departments')).json() as { items: { name: string; children: { name: string; managers: { displayName: string }[] }[] }[] };

    const firmNode = tree.items.find((node) => node.name === '测试事务所')!;
    expect(firmNode.children.map((child) => child.name).sort()).toEqual(['记账一部', '记账二部']);
    expect(firmNode.children.find((child) => child.name === '记账一部')!.managers.map((manager) => manager.displayName)).toEqual(['manager1 测试']);
  });
});

describe('break-glass', () => {
  it('opens access at once, raises an alert and a review, and ends by itself', async () => {
    const bk1 = await signIn('bk1');
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    await app.db.deleteFrom('access_grants').where('user_id', '=', firm.members.bk1.id).execute();
    await app.db.deleteFrom('client_assignments').where('user_id', '=', firm.members.bk1.id).where('client_id', '=', clientId!).execute();

    const noReason = await bk1.post('/api/break-glass', { clientId, reason: '' });
    const opened = await bk1.post('/api/break-glass', { clientId, reason: '客户税务稽查紧急处理' });
    const during = await bk1.get(`/api/clients/${clientId}`);

    expect(noReason.statusCode).toBe(400);
    expect(opened.statusCode).toBe(201);
    expect(during.statusCode).toBe(200);
    const alert = await app.db.selectFrom('alerts').selectAll().where('user_id', '=', firm.members.bk1.id).executeTakeFirstOrThrow();
    expect(alert).toMatchObject({ rule: 'break_glass', severity: 'high', status: 'new', client_id: clientId });
    const queue = (await (await signIn('secadmin')).get('/api/access-requests')).json() as { queue: { id: string; kind: string; beneficiaryId: string }[] };
    expect(queue.queue.some((entry) => entry.kind === 'break_glass_review' && entry.beneficiaryId === firm.members.bk1.id)).toBe(true);

    const review = queue.queue.find((entry) => entry.kind === 'break_glass_review' && entry.beneficiaryId === firm.members.bk1.id)!;
    expect((await bk1.post(`/api/access-requests/${review.id}/withdraw`)).statusCode).toBe(403);

    await new Promise((resolve) => setTimeout(resolve, 3200));
    expect((await bk1.get(`/api/clients/${clientId}`)).statusCode).toBe(404);
  });
});
