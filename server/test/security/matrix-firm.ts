import { randomUUID } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { loadSubjectSnapshot } from '../../src/access/index.js';
import { clientIdsAssignedTo, createSmallFirm } from '../firm-fixture.js';
import { TEST_PASSWORD, type TestApp, createMember } from '../test-app.js';
import { HttpCaller, multipartBody } from './matrix-http.js';
import { DOCUMENTED_ROLE_KEYS, type DocumentedRole } from './matrix-roles.js';

const ORIGIN = { ip: '127.0.0.1', userAgent: 'vitest-security' };

/** The member who has each built-in role in the security tests. Each of them has that one role only. */
export const MEMBER_OF_ROLE: Readonly<Record<DocumentedRole, string>> = {
  bookkeeper: 'bk1',
  assistant: 'assistant',
  customer_service: 'service',
  registration_agent: 'agent1',
  department_manager: 'manager1',
  partner: 'partner',
  security_admin: 'secadmin',
  audit_admin: 'auditor',
  system_admin: 'sysadmin',
  client_contact: 'contact1',
};

export async function tinyPdf(text = 'LedgerGuard security test'): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.addPage([200, 200]).drawText(text, { x: 10, y: 100, size: 8 });
  return Buffer.from(await document.save());
}

/**
 * Builds the firm the security tests run against. It is the small firm of firm-fixture.ts (two
 * bookkeeping departments, 24 imported clients) with the records the routes look up: a
 * registration agent and an assistant assigned to the "own" client, a portal contact of that
 * client, documents of two categories on the own and the other client, a pending access
 * request, two review campaigns, an alert, a notification channel and a finished import.
 *
 * "Own" is a client of 记账一部 assigned to bk1, the assistant and the agent; "other" is a client
 * of 记账二部 assigned to bk2 only. Pools of further clients of each department serve routes
 * that change a client for good, such as archiving.
 */
export async function createMatrixFirm(app: TestApp) {
  const firm = await createSmallFirm(app);
  const { deptOne, deptTwo } = firm.departments;

  const deptOneClients = await clientIdsAssignedTo(app, firm.members.bk1.id);
  const deptTwoClients = await clientIdsAssignedTo(app, firm.members.bk2.id);
  const ownClientId = deptOneClients[0]!;
  const otherClientId = deptTwoClients[0]!;

  const agent = await createMember(app, { username: 'agent1', roles: ['registration_agent'], departmentId: deptOne });
  const contact = await createMember(app, { username: 'contact1', roles: ['client_contact'], clientId: ownClientId });
  // A member the system administrator's account actions act on, so no signed-in caller is disabled.
  const target = await createMember(app, { username: 'matrix-target', roles: ['bookkeeper'], departmentId: deptTwo });
  const now = new Date().toISOString();
  await app.db
    .insertInto('client_assignments')
    .values([
      { client_id: ownClientId, user_id: firm.members.assistant.id, created_at: now },
      { client_id: ownClientId, user_id: agent.id, created_at: now },
    ])
    .execute();

  const userIds: Record<DocumentedRole, string> = {
    bookkeeper: firm.members.bk1.id,
    assistant: firm.members.assistant.id,
    customer_service: firm.members.service.id,
    registration_agent: agent.id,
    department_manager: firm.members.manager1.id,
    partner: firm.members.partner.id,
    security_admin: firm.members.secadmin.id,
    audit_admin: firm.members.auditor.id,
    system_admin: firm.members.sysadmin.id,
    client_contact: contact.id,
  };

  const callers = {} as Record<DocumentedRole, HttpCaller>;
  for (const role of DOCUMENTED_ROLE_KEYS) {
    callers[role] = await HttpCaller.signIn(app.app, MEMBER_OF_ROLE[role], TEST_PASSWORD);
  }

  // Documents: a basic-category and a sensitive-category PDF on each of the two clients.
  const pdf = await tinyPdf();
  const upload = async (clientId: string, category: string) => {
    const response = await callers.partner.send('POST', `/api/clients/${clientId}/documents`, { raw: multipartBody({ category }, { name: `${category}.pdf`, content: pdf }) });
    if (response.statusCode !== 201) throw new Error(`Fixture upload failed: ${response.statusCode} ${response.body}`);
    return (response.json() as { id: string }).id;
  };
  const documents = {
    own: { basic: await upload(ownClientId, 'business_licence'), sensitive: await upload(ownClientId, 'id_card') },
    other: { basic: await upload(otherClientId, 'business_licence'), sensitive: await upload(otherClientId, 'id_card') },
  };

  // Break-glass raises an alert inline, which the alert routes need. Its grant ends at once, so
  // bk2 still reaches only its assigned clients.
  const bk2 = (await loadSubjectSnapshot(app.db, firm.members.bk2.id))!;
  const breakGlass = await app.breakGlass.open({ subject: bk2, clientId: otherClientId, reason: '矩阵测试紧急访问', origin: ORIGIN });
  await endBreakGlassGrants(app);

  const bk1Actor = { id: firm.members.bk1.id, username: 'bk1' };
  const fileRequest = async () => {
    const filed = await app.requests.file({ kind: 'assignment_add', beneficiaryId: bk1Actor.id, payload: { clientId: ownClientId }, reason: '矩阵测试申请', filer: bk1Actor, origin: ORIGIN });
    return filed.id;
  };
  const pendingRequestId = await fileRequest();

  // Two campaigns over the registration agent, reviewed by the manager of 记账一部: one is read
  // and decided on, the other is closed. `escalate` keeps every undecided item's access.
  const auditorActor = { id: userIds.audit_admin, username: 'auditor' };
  const startCampaign = (name: string) => app.reviews.start({ name, population: { kind: 'role', role: 'registration_agent' }, deadline: new Date(Date.now() + 7 * 86_400_000), deadlineRule: 'escalate', actor: auditorActor, origin: ORIGIN });
  const readCampaign = await startCampaign('矩阵测试复核');
  const closingCampaign = await startCampaign('矩阵测试待关闭复核');
  const reviewItem = await app.db.selectFrom('access_review_items').select('id').where('campaign_id', '=', readCampaign.id).orderBy('id').executeTakeFirstOrThrow();

  const secadminActor = { id: userIds.security_admin, username: 'secadmin' };
  const channel = await app.notificationChannels.create({ input: { kind: 'email', name: '矩阵测试通道', enabled: false, minSeverity: 'high', recipients: ['security@example.com'] }, actor: secadminActor, origin: ORIGIN });
  const importJob = await app.db.selectFrom('import_jobs').select('id').orderBy('created_at').executeTakeFirstOrThrow();

  // Clients that routes may change for good: one per call, so no call depends on another.
  const pools = { deptOne: deptOneClients.slice(1), deptTwo: deptTwoClients.slice(1) };
  const takeFromPool = (pool: string[]) => {
    const id = pool.shift();
    if (!id) throw new Error('No spare client is left in the matrix firm. Pass a larger clientCount to createSmallFirm.');
    return id;
  };

  return {
    app,
    firm,
    departments: { deptOne, deptTwo, firm: firm.departments.firm },
    ownClientId,
    otherClientId,
    missingId: randomUUID(),
    userIds,
    targetUserId: target.id,
    callers,
    anonymous: new HttpCaller(app.app),
    documents,
    alertId: breakGlass.alertId,
    breakGlassReviewId: breakGlass.reviewId,
    pendingRequestId,
    fileRequest,
    readCampaignId: readCampaign.id,
    closingCampaignId: closingCampaign.id,
    reviewItemId: reviewItem.id,
    channelId: channel.id,
    importJobId: importJob.id,
    createChannel: async () => (await app.notificationChannels.create({ input: { kind: 'email', name: '矩阵测试临时通道', enabled: false, minSeverity: 'high', recipients: ['security@example.com'] }, actor: secadminActor, origin: ORIGIN })).id,
    spareClient: (department: 'deptOne' | 'deptTwo') => takeFromPool(pools[department]),
  };
}

export type MatrixFirm = Awaited<ReturnType<typeof createMatrixFirm>>;

/** Ends every break-glass grant now, so an emergency opened by one check widens nobody's reach in the next. */
export async function endBreakGlassGrants(app: TestApp): Promise<void> {
  await app.db.updateTable('access_grants').set({ revoked_at: new Date().toISOString() }).where('kind', '=', 'break_glass').where('revoked_at', 'is', null).execute();
}
