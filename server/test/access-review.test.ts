import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createDepartment, createMember, createTestApp } from './test-app.js';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;

beforeAll(async () => {
  app = await createTestApp();
  firm = await createSmallFirm(app, { clientCount: 8 });
});

afterAll(async () => {
  await app.dispose();
});

interface Item {
  id: string;
  campaignId: string;
  member: { id: string; username: string };
  kind: 'role' | 'assignment' | 'grant' | 'scope';
  role: string | null;
  client: { id: string; name: string | null } | null;
  grant: { id: string } | null;
  department: { id: string } | null;
  reviewer: { userId?: string; role?: string };
  dueAt: string;
  escalated: boolean;
  decision: 'confirm' | 'revoke' | null;
  decisionSource: 'reviewer' | 'deadline' | null;
}

const DAY_MS = 86_400_000;
const signIn = (username: string) => TestSession.signIn(app.app, username, TEST_PASSWORD);
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS);

async function startCampaign(body: { population: Record<string, string>; deadline?: Date; deadlineRule?: 'revoke' | 'escalate' }): Promise<string> {
  const auditor = await signIn('auditor');
  const response = await auditor.post('/api/reviews/campaigns', { name: '2026 年第四季度权限复核', deadlineRule: 'revoke', ...body, deadline: (body.deadline ?? inDays(30)).toISOString() });
  expect(response.statusCode).toBe(201);
  return (response.json() as { id: string }).id;
}

async function campaignItems(campaignId: string): Promise<Item[]> {
  const response = await (await signIn('auditor')).get(`/api/reviews/campaigns/${campaignId}/items`);
  expect(response.statusCode).toBe(200);
  return (response.json() as { items: Item[] }).items;
}

async function itemsToReview(session: TestSession, campaignId: string): Promise<Item[]> {
  const response = await session.get('/api/reviews/items?mine=1');
  expect(response.statusCode).toBe(200);
  return (response.json() as { items: Item[] }).items.filter((item) => item.campaignId === campaignId);
}

function itemOf(items: Item[], username: string, kind: Item['kind']): Item {
  const found = items.find((item) => item.member.username === username && item.kind === kind);
  if (!found) throw new Error(`No ${kind} item for ${username}`);
  return found;
}

async function insertGrant(userId: string, clientId: string, { endsAt, revokedAt = null }: { endsAt: Date; revokedAt?: string | null }): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  await app.db
    .insertInto('access_grants')
    .values({ id, user_id: userId, client_id: clientId, department_id: null, categories: '["basic"]', actions: '["client:read"]', starts_at: new Date(Date.now() - DAY_MS).toISOString(), ends_at: endsAt.toISOString(), kind: 'temporary', reason: '代同事处理年报', created_by: null, created_at: now, revoked_at: revokedAt })
    .execute();
  return id;
}

async function assign(userId: string, clientIds: string[]): Promise<void> {
  await app.db.insertInto('client_assignments').values(clientIds.map((clientId) => ({ client_id: clientId, user_id: userId, created_at: new Date().toISOString() }))).execute();
}

describe('starting a campaign', () => {
  it('snapshots a department tree with the nearest reviewers', async () => {
    const department = await createDepartment(app, '复核一部', firm.departments.firm);
    const team = await createDepartment(app, '复核一部一组', department);
    const manager = await createMember(app, { username: 'r1-manager', roles: ['department_manager'], departmentId: department });
    const teamManager = await createMember(app, { username: 'r1-team-manager', roles: ['department_manager'], departmentId: team });
    const bookkeeper = await createMember(app, { username: 'r1-bookkeeper', roles: ['bookkeeper'], departmentId: team });
    const assistant = await createMember(app, { username: 'r1-assistant', roles: ['assistant'], departmentId: department });
    const [firstClient, secondClient] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    await assign(bookkeeper.id, [firstClient!, secondClient!]);
    const liveGrant = await insertGrant(assistant.id, firstClient!, { endsAt: inDays(5) });
    await insertGrant(assistant.id, firstClient!, { endsAt: new Date(Date.now() - 60_000) });
    await insertGrant(assistant.id, secondClient!, { endsAt: inDays(5), revokedAt: new Date().toISOString() });
    await createMember(app, { username: 'r1-contact', roles: ['client_contact'], departmentId: department, clientId: firstClient! });
    const leaver = await createMember(app, { username: 'r1-leaver', roles: ['bookkeeper'], departmentId: department });
    await app.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', leaver.id).execute();

    const items = await campaignItems(await startCampaign({ population: { kind: 'department', departmentId: department } }));

    const summary = items.map((item) => `${item.member.username}:${item.kind}:${item.role ?? item.grant?.id ?? item.client?.id ?? item.department?.id}`).sort();
    expect(summary).toEqual(
      [
        `r1-assistant:grant:${liveGrant}`,
        `r1-assistant:role:assistant`,
        `r1-assistant:scope:${department}`,
        `r1-bookkeeper:assignment:${firstClient}`,
        `r1-bookkeeper:assignment:${secondClient}`,
        `r1-bookkeeper:role:bookkeeper`,
        `r1-bookkeeper:scope:${team}`,
        `r1-manager:role:department_manager`,
        `r1-manager:scope:${department}`,
        `r1-team-manager:role:department_manager`,
        `r1-team-manager:scope:${team}`,
      ].sort(),
    );
    // The nearest manager reviews; a manager's own items go up the tree, then to the partners.
    const reviewerOf = (username: string) => new Set(items.filter((item) => item.member.username === username).map((item) => item.reviewer.userId ?? `role:${item.reviewer.role}`));
    expect(reviewerOf('r1-bookkeeper')).toEqual(new Set([teamManager.id]));
    expect(reviewerOf('r1-team-manager')).toEqual(new Set([manager.id]));
    expect(reviewerOf('r1-assistant')).toEqual(new Set([manager.id]));
    expect(reviewerOf('r1-manager')).toEqual(new Set(['role:partner']));
    // The audit administrator gets the client's id without its name.
    expect(itemOf(items, 'r1-bookkeeper', 'assignment').client?.name).toBeNull();
  });

  it('lists for a reviewer only the items they review', async () => {
    const department = await createDepartment(app, '复核二部', firm.departments.firm);
    const manager = await createMember(app, { username: 'r2-manager', roles: ['department_manager'], departmentId: department });
    await createMember(app, { username: 'r2-bookkeeper', roles: ['bookkeeper'], departmentId: department });
    const campaignId = await startCampaign({ population: { kind: 'department', departmentId: department } });

    const managerQueue = await itemsToReview(await signIn('r2-manager'), campaignId);
    const partnerQueue = await itemsToReview(await signIn('partner'), campaignId);

    expect(managerQueue.map((item) => `${item.member.username}:${item.kind}`).sort()).toEqual(['r2-bookkeeper:role', 'r2-bookkeeper:scope']);
    expect(partnerQueue.map((item) => `${item.member.username}:${item.kind}`).sort()).toEqual(['r2-manager:role', 'r2-manager:scope']);
    expect(partnerQueue.every((item) => item.member.id === manager.id)).toBe(true);
  });

  it('is restricted to review managers and validated', async () => {
    const auditor = await signIn('auditor');
    const body = { name: '季度复核', population: { kind: 'all' }, deadline: inDays(7).toISOString(), deadlineRule: 'revoke' };

    const byBookkeeper = await (await signIn('bk1')).post('/api/reviews/campaigns', body);
    const pastDeadline = await auditor.post('/api/reviews/campaigns', { ...body, deadline: new Date(Date.now() - 60_000).toISOString() });
    const unknownDepartment = await auditor.post('/api/reviews/campaigns', { ...body, population: { kind: 'department', departmentId: randomUUID() } });
    const portalRole = await auditor.post('/api/reviews/campaigns', { ...body, population: { kind: 'role', role: 'client_contact' } });
    const before = await app.db.selectFrom('access_review_campaigns').select('id').execute();

    expect(byBookkeeper.statusCode).toBe(403);
    expect(pastDeadline.statusCode).toBe(400);
    expect(pastDeadline.json()).toMatchObject({ code: 'review_invalid' });
    expect(unknownDepartment.statusCode).toBe(404);
    expect(portalRole.statusCode).toBe(400);
    expect(await app.db.selectFrom('access_review_campaigns').select('id').execute()).toHaveLength(before.length);
  });
});

describe('deciding items', () => {
  it('revokes at once and confirms without change', async () => {
    const team = await createDepartment(app, '记账一部三组', firm.departments.deptOne);
    const member = await createMember(app, { username: 'r3-bookkeeper', roles: ['bookkeeper'], departmentId: team });
    const [keptClient, droppedClient] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    await assign(member.id, [keptClient!, droppedClient!]);
    const campaignId = await startCampaign({ population: { kind: 'department', departmentId: team } });
    const session = await signIn('r3-bookkeeper');
    const manager = await signIn('manager1');
    const queue = await itemsToReview(manager, campaignId);
    const byClient = (clientId: string) => queue.find((item) => item.client?.id === clientId)!;
    expect((await session.get('/api/clients')).statusCode).toBe(200);

    const confirmed = await manager.post(`/api/reviews/items/${byClient(keptClient!).id}/decide`, { decision: 'confirm' });
    const assignmentRevoked = await manager.post(`/api/reviews/items/${byClient(droppedClient!).id}/decide`, { decision: 'revoke', note: '已不再负责该客户' });

    expect(confirmed.statusCode).toBe(200);
    expect(assignmentRevoked.statusCode).toBe(200);
    expect(await clientIdsAssignedTo(app, member.id)).toEqual([keptClient]);
    expect((await session.get(`/api/clients/${keptClient}`)).statusCode).toBe(200);
    expect((await session.get(`/api/clients/${droppedClient}`)).statusCode).toBe(404);

    const roleRevoked = await manager.post(`/api/reviews/items/${itemOf(queue, 'r3-bookkeeper', 'role').id}/decide`, { decision: 'revoke' });

    expect(roleRevoked.statusCode).toBe(200);
    expect((await session.get('/api/clients')).statusCode).toBe(403);
    const events = await app.db.selectFrom('audit_events').select(['actor_username', 'details', 'reason']).where('action', '=', 'review.item_decided').where('target_id', '=', member.id).orderBy('seq').execute();
    expect(events.map((event) => (JSON.parse(event.details) as { decision: string; kind: string }).decision)).toEqual(['confirm', 'revoke', 'revoke']);
    expect(events.every((event) => event.actor_username === 'manager1')).toBe(true);
    expect(events[1]!.reason).toBe('已不再负责该客户');
    // The reviewer's own scope covers these clients, so the names are shown to the reviewer.
    expect(byClient(keptClient!).client?.name).toEqual(expect.any(String));
  });

  it('rejects a second decision and another reviewer', async () => {
    const team = await createDepartment(app, '记账一部四组', firm.departments.deptOne);
    const member = await createMember(app, { username: 'r4-assistant', roles: ['assistant'], departmentId: team });
    const campaignId = await startCampaign({ population: { kind: 'department', departmentId: team } });
    const manager = await signIn('manager1');
    const [roleItem, scopeItem] = [itemOf(await campaignItems(campaignId), 'r4-assistant', 'role'), itemOf(await campaignItems(campaignId), 'r4-assistant', 'scope')];

    const first = await manager.post(`/api/reviews/items/${roleItem.id}/decide`, { decision: 'confirm' });
    const second = await manager.post(`/api/reviews/items/${roleItem.id}/decide`, { decision: 'revoke' });
    const outsider = await (await signIn('bk2')).post(`/api/reviews/items/${scopeItem.id}/decide`, { decision: 'revoke' });
    const unknown = await manager.post(`/api/reviews/items/${randomUUID()}/decide`, { decision: 'confirm' });

    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'review_item_decided' });
    expect(outsider.statusCode).toBe(403);
    expect(outsider.json()).toMatchObject({ code: 'review_not_reviewer' });
    expect(unknown.statusCode).toBe(404);
    const roles = await app.db.selectFrom('user_roles').select('role_key').where('user_id', '=', member.id).execute();
    expect(roles.map((row) => row.role_key)).toEqual(['assistant']);
    const stored = await app.db.selectFrom('users').select('department_id').where('id', '=', member.id).executeTakeFirstOrThrow();
    expect(stored.department_id).toBe(team);
  });

  it('records one of two simultaneous decisions', async () => {
    const team = await createDepartment(app, '记账一部八组', firm.departments.deptOne);
    const member = await createMember(app, { username: 'r8-assistant', roles: ['assistant'], departmentId: team });
    const campaignId = await startCampaign({ population: { kind: 'department', departmentId: team } });
    const roleItem = itemOf(await campaignItems(campaignId), 'r8-assistant', 'role');
    const [first, second] = await Promise.all([signIn('manager1'), signIn('manager1')]);

    const results = await Promise.all([first.post(`/api/reviews/items/${roleItem.id}/decide`, { decision: 'confirm' }), second.post(`/api/reviews/items/${roleItem.id}/decide`, { decision: 'revoke' })]);

    expect(results.map((result) => result.statusCode).sort()).toEqual([200, 409]);
    const events = await app.db.selectFrom('audit_events').select('details').where('action', '=', 'review.item_decided').where('target_id', '=', member.id).execute();
    expect(events).toHaveLength(1);
    const winner = (JSON.parse(events[0]!.details) as { decision: string }).decision;
    const roles = await app.db.selectFrom('user_roles').select('role_key').where('user_id', '=', member.id).execute();
    expect(roles.length).toBe(winner === 'confirm' ? 1 : 0);
  });

  it('never lets a member review their own access', async () => {
    const campaignId = await startCampaign({ population: { kind: 'role', role: 'partner' } });
    const items = await campaignItems(campaignId);
    const partner = await signIn('partner');

    const ownDecision = await partner.post(`/api/reviews/items/${itemOf(items, 'partner', 'role').id}/decide`, { decision: 'confirm' });

    // The only partner's items fall through to the security administrators.
    expect(items.map((item) => item.reviewer.role)).toEqual(items.map(() => 'security_admin'));
    expect(ownDecision.statusCode).toBe(403);
    expect(ownDecision.json()).toMatchObject({ code: 'review_own_item_forbidden' });
    expect(await itemsToReview(partner, campaignId)).toEqual([]);
    expect(await itemsToReview(await signIn('secadmin'), campaignId)).toHaveLength(items.length);
  });

  it('keeps escalated items from their own reviewer role', async () => {
    const campaignId = await startCampaign({ population: { kind: 'role', role: 'security_admin' }, deadlineRule: 'escalate' });
    await (await signIn('auditor')).post(`/api/reviews/campaigns/${campaignId}/close`, {});
    const items = await campaignItems(campaignId);
    const security = await signIn('secadmin');

    const ownDecision = await security.post(`/api/reviews/items/${itemOf(items, 'secadmin', 'role').id}/decide`, { decision: 'confirm' });

    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.reviewer.role === 'security_admin' && item.escalated)).toBe(true);
    expect(ownDecision.statusCode).toBe(403);
    expect(ownDecision.json()).toMatchObject({ code: 'review_own_item_forbidden' });
    expect(await itemsToReview(security, campaignId)).toEqual([]);
  });
});

describe('deadline rules', () => {
  it('revokes undecided items at the deadline', async () => {
    const team = await createDepartment(app, '记账一部五组', firm.departments.deptOne);
    const member = await createMember(app, { username: 'r5-bookkeeper', roles: ['bookkeeper'], departmentId: team });
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    await assign(member.id, [clientId!]);
    const deadline = new Date(Date.now() + 3_600_000);
    const campaignId = await startCampaign({ population: { kind: 'department', departmentId: team }, deadline, deadlineRule: 'revoke' });
    const manager = await signIn('manager1');
    await manager.post(`/api/reviews/items/${itemOf(await campaignItems(campaignId), 'r5-bookkeeper', 'role').id}/decide`, { decision: 'confirm' });

    const early = await app.reviews.closeDueCampaigns(new Date(deadline.getTime() - 60_000));
    const due = await app.reviews.closeDueCampaigns(new Date(deadline.getTime() + 60_000));

    expect(early.closed).not.toContain(campaignId);
    expect(due.closed).toEqual([campaignId]);
    const items = await campaignItems(campaignId);
    expect(items.map((item) => `${item.kind}:${item.decision}:${item.decisionSource}`).sort()).toEqual(['assignment:revoke:deadline', 'role:confirm:reviewer', 'scope:revoke:deadline']);
    expect(await clientIdsAssignedTo(app, member.id)).toEqual([]);
    const stored = await app.db.selectFrom('users').select('department_id').where('id', '=', member.id).executeTakeFirstOrThrow();
    expect(stored.department_id).toBeNull();
    expect((await app.db.selectFrom('user_roles').select('role_key').where('user_id', '=', member.id).execute()).map((row) => row.role_key)).toEqual(['bookkeeper']);
    const closing = await app.db.selectFrom('audit_events').select(['actor_id', 'details']).where('action', '=', 'review.campaign_closed').where('target_id', '=', campaignId).executeTakeFirstOrThrow();
    expect(closing.actor_id).toBeNull();
    expect(JSON.parse(closing.details)).toMatchObject({ deadlineRule: 'revoke', revoked: 2, escalated: 0 });

    const closeAgain = await (await signIn('auditor')).post(`/api/reviews/campaigns/${campaignId}/close`, {});
    const lateDecision = await manager.post(`/api/reviews/items/${itemOf(items, 'r5-bookkeeper', 'assignment').id}/decide`, { decision: 'confirm' });
    expect(closeAgain.statusCode).toBe(409);
    expect(closeAgain.json()).toMatchObject({ code: 'review_campaign_closed' });
    expect(lateDecision.statusCode).toBe(409);
  });

  it('escalates undecided items to the security administrators', async () => {
    const team = await createDepartment(app, '记账一部六组', firm.departments.deptOne);
    const member = await createMember(app, { username: 'r6-bookkeeper', roles: ['bookkeeper'], departmentId: team });
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    await assign(member.id, [clientId!]);
    const deadline = inDays(2);
    const campaignId = await startCampaign({ population: { kind: 'department', departmentId: team }, deadline, deadlineRule: 'escalate' });
    const manager = await signIn('manager1');
    const security = await signIn('secadmin');

    const closed = await (await signIn('auditor')).post(`/api/reviews/campaigns/${campaignId}/close`, {});

    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'closed', revoked: 0, escalated: 3 });
    const escalated = await campaignItems(campaignId);
    expect(escalated.every((item) => item.escalated && item.reviewer.role === 'security_admin' && item.decision === null)).toBe(true);
    expect(escalated.every((item) => item.dueAt === new Date(deadline.getTime() + 3 * DAY_MS).toISOString())).toBe(true);
    expect(await itemsToReview(manager, campaignId)).toEqual([]);
    expect(await itemsToReview(security, campaignId)).toHaveLength(3);
    // Until the extended deadline nothing is taken away.
    expect(await clientIdsAssignedTo(app, member.id)).toEqual([clientId]);

    const confirmed = await security.post(`/api/reviews/items/${itemOf(escalated, 'r6-bookkeeper', 'role').id}/decide`, { decision: 'confirm' });
    const sweep = await app.reviews.closeDueCampaigns(new Date(deadline.getTime() + 3 * DAY_MS + 60_000));

    expect(confirmed.statusCode).toBe(200);
    expect(sweep.revokedAfterEscalation).toBe(2);
    expect(await clientIdsAssignedTo(app, member.id)).toEqual([]);
    const settled = await campaignItems(campaignId);
    expect(settled.map((item) => `${item.kind}:${item.decision}`).sort()).toEqual(['assignment:revoke', 'role:confirm', 'scope:revoke']);
  });
});

describe('campaign report', () => {
  it('counts decisions and lists revocations', async () => {
    const team = await createDepartment(app, '记账一部七组', firm.departments.deptOne);
    const member = await createMember(app, { username: 'r7-bookkeeper', roles: ['bookkeeper'], departmentId: team });
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    await assign(member.id, [clientId!]);
    const campaignId = await startCampaign({ population: { kind: 'department', departmentId: team } });
    const manager = await signIn('manager1');
    const items = await campaignItems(campaignId);
    await manager.post(`/api/reviews/items/${itemOf(items, 'r7-bookkeeper', 'role').id}/decide`, { decision: 'confirm' });
    await manager.post(`/api/reviews/items/${itemOf(items, 'r7-bookkeeper', 'assignment').id}/decide`, { decision: 'revoke', note: '客户已解约' });
    const auditor = await signIn('auditor');
    const midway = (await auditor.get(`/api/reviews/campaigns/${campaignId}/report`)).json() as { byDecision: Record<string, number> };
    await auditor.post(`/api/reviews/campaigns/${campaignId}/close`, {});

    const response = await auditor.get(`/api/reviews/campaigns/${campaignId}/report`);

    expect(midway.byDecision).toEqual({ confirm: 1, revoke: 1, undecided: 1 });
    expect(response.statusCode).toBe(200);
    const report = response.json() as { campaign: { status: string }; total: number; byDecision: Record<string, number>; bySource: Record<string, number>; byKind: Record<string, Record<string, number>>; revocations: (Item & { decidedBy: { username: string } | null; note: string | null })[] };
    expect(report.campaign.status).toBe('closed');
    expect(report.total).toBe(3);
    expect(report.byDecision).toEqual({ confirm: 1, revoke: 2, undecided: 0 });
    expect(report.bySource).toEqual({ reviewer: 2, deadline: 1 });
    expect(report.byKind).toEqual({
      role: { total: 1, confirm: 1, revoke: 0, undecided: 0 },
      assignment: { total: 1, confirm: 0, revoke: 1, undecided: 0 },
      grant: { total: 0, confirm: 0, revoke: 0, undecided: 0 },
      scope: { total: 1, confirm: 0, revoke: 1, undecided: 0 },
    });
    const revocations = Object.fromEntries(report.revocations.map((item) => [item.kind, item]));
    expect(revocations.assignment).toMatchObject({ decisionSource: 'reviewer', decidedBy: { username: 'manager1' }, note: '客户已解约', client: { id: clientId, name: null } });
    expect(revocations.scope).toMatchObject({ decisionSource: 'deadline', decidedBy: null, department: { id: team } });
    expect((await manager.get(`/api/reviews/campaigns/${campaignId}/report`)).statusCode).toBe(403);
  });
});

describe('dormant accounts', () => {
  it('flags and disables unused accounts, ending their sessions', async () => {
    const longAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
    const idle = await createMember(app, { username: 'd-idle', roles: ['bookkeeper'], departmentId: firm.departments.deptTwo });
    const idleSession = await signIn('d-idle');
    await app.db.updateTable('users').set({ last_login_at: longAgo(200) }).where('id', '=', idle.id).execute();
    const never = await createMember(app, { username: 'd-never', roles: ['assistant'], departmentId: firm.departments.deptTwo });
    const neverCreatedAt = longAgo(120);
    await app.db.updateTable('users').set({ created_at: neverCreatedAt }).where('id', '=', never.id).execute();
    const recent = await createMember(app, { username: 'd-recent', roles: ['assistant'], departmentId: firm.departments.deptTwo });
    await app.db.updateTable('users').set({ last_login_at: longAgo(10), created_at: longAgo(400) }).where('id', '=', recent.id).execute();
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    const contact = await createMember(app, { username: 'd-contact', roles: ['client_contact'], clientId: clientId! });
    await app.db.updateTable('users').set({ created_at: longAgo(300) }).where('id', '=', contact.id).execute();
    // The only system administrator stays active, so that accounts can still be enabled again.
    await app.db.updateTable('users').set({ last_login_at: longAgo(150) }).where('id', '=', firm.members.sysadmin.id).execute();

    const found = await app.reviews.findDormantAccounts({ days: 90 });
    const auditor = await signIn('auditor');
    const listed = await auditor.get('/api/reviews/dormant?days=90');
    const tooShort = await auditor.post('/api/reviews/dormant/disable', { days: 5 });
    const byBookkeeper = await (await signIn('bk1')).post('/api/reviews/dormant/disable', {});
    const disabled = await auditor.post('/api/reviews/dormant/disable', {});

    expect(found.map((account) => account.username).sort()).toEqual(['d-idle', 'd-never', 'sysadmin']);
    expect(found.find((account) => account.id === never.id)?.lastActivityAt).toBe(neverCreatedAt);
    expect(listed.statusCode).toBe(200);
    expect((listed.json() as { items: { username: string }[] }).items.map((item) => item.username).sort()).toEqual(['d-idle', 'd-never', 'sysadmin']);
    expect(tooShort.statusCode).toBe(400);
    expect(byBookkeeper.statusCode).toBe(403);
    expect(disabled.statusCode).toBe(200);
    const outcome = disabled.json() as { disabled: { username: string }[]; kept: { username: string; reason: string }[] };
    expect(outcome.disabled.map((account) => account.username).sort()).toEqual(['d-idle', 'd-never']);
    expect(outcome.kept).toEqual([expect.objectContaining({ username: 'sysadmin', reason: 'last_administrator' })]);

    const statuses = await app.db.selectFrom('users').select(['username', 'status']).where('id', 'in', [idle.id, never.id, recent.id, contact.id, firm.members.sysadmin.id]).orderBy('username').execute();
    expect(statuses).toEqual([
      { username: 'd-contact', status: 'active' },
      { username: 'd-idle', status: 'disabled' },
      { username: 'd-never', status: 'disabled' },
      { username: 'd-recent', status: 'active' },
      { username: 'sysadmin', status: 'active' },
    ]);
    expect(await app.db.selectFrom('sessions').select('id_hash').where('user_id', '=', idle.id).execute()).toEqual([]);
    expect((await idleSession.get('/api/auth/me')).statusCode).toBe(401);
    const events = await app.db.selectFrom('audit_events').select(['action', 'target_id', 'details']).where('action', 'in', ['review.dormant_flagged', 'review.dormant_disabled']).orderBy('seq').execute();
    expect(events.map((event) => event.action)).toEqual(['review.dormant_flagged', 'review.dormant_disabled', 'review.dormant_disabled']);
    expect(JSON.parse(events.find((event) => event.target_id === idle.id)!.details)).toMatchObject({ days: 90, sessionsEnded: 1 });
  });
});
