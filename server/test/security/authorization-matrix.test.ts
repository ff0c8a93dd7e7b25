import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, httpStatusOf } from '../../src/errors/index.js';
import { enrolTotp, nextTotpCode } from '../mfa-fixture.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from '../test-app.js';
import { MEMBER_OF_ROLE, type MatrixFirm, createMatrixFirm, endBreakGlassGrants, tinyPdf } from './matrix-firm.js';
import { HttpCaller, type HttpMethod, type ObservedResponse, multipartBody, openOverSocket } from './matrix-http.js';
import { type ClientTarget, DOCUMENTED_ROLE_KEYS, type DocumentedPermission, type DocumentedRole, holds, scopeReaches, visibilityOf } from './matrix-roles.js';

/**
 * The authorization matrix: every route of the running app × every built-in role (and the
 * anonymous visitor) × the client a request names (one in the caller's scope, one of another
 * department, none). Expected outcomes come from the documented roles in matrix-roles.ts and the
 * table below, never from `decide()`. Requests are valid in shape, so the response shows the
 * authorization decision and not an input error.
 */

type Caller = DocumentedRole | 'anonymous';

/**
 * The result of a request: `ok` (2xx), `denied` (403 forbidden), `hidden` (404, returned for a
 * record outside the caller's reach exactly as for a missing one), `unauthenticated` (401),
 * `step_up` (403 step_up_required), or another error code that the handler returned after every
 * authorization check passed.
 */
type Outcome = 'ok' | 'denied' | 'hidden' | 'unauthenticated' | 'step_up' | ErrorCode;

interface RequestSpec {
  url: string;
  json?: unknown;
  raw?: { body: Buffer; contentType: string };
}

interface CaseContext {
  readonly firm: MatrixFirm;
  readonly caller: Caller;
  /** The client id the target names (own, other or a missing id); undefined on routes that name none. */
  readonly clientId: string | undefined;
  readonly target: ClientTarget | undefined;
}

interface MatrixCase {
  /** Told apart in failure messages when a route has more than one case. */
  readonly name?: string;
  /** Who passes the route's gate, as documented: anyone, any signed-in member, or holders of a permission. */
  readonly access: 'public' | 'member' | DocumentedPermission;
  /** The outcome for a caller who passes the gate. */
  readonly allowed: (caller: Caller, target: ClientTarget | undefined) => Outcome;
  /** Routes that name a client run once per target. */
  readonly targets?: readonly ClientTarget[];
  /** Picks the client id per target when the default own/other/missing ids do not fit (spare clients). */
  readonly clientFor?: (firm: MatrixFirm, target: ClientTarget) => string;
  readonly request: (context: CaseContext) => RequestSpec | Promise<RequestSpec>;
  /** Undoes a side effect that would change another caller's result. */
  readonly after?: (firm: MatrixFirm) => Promise<void>;
  /** The call ends the session, so it runs in a session of its own. */
  readonly freshSession?: boolean;
  /** Served over a real socket: a server-sent event stream never ends under injection. */
  readonly overSocket?: boolean;
  /** A reveal, download or export: after a step-up, each `step_up` result must become `ok`. */
  readonly stepUpThenOk?: boolean;
}

const CLIENT_TARGETS: readonly ClientTarget[] = ['own', 'other', 'none'];
const IN_FUTURE = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

const always =
  (outcome: Outcome) =>
  (): Outcome =>
    outcome;

/** Allowed within the caller's documented scope; outside it, and for a missing client, the same 404. */
const inScope =
  (outcome: Outcome | ((role: DocumentedRole) => Outcome)) =>
  (caller: Caller, target: ClientTarget | undefined): Outcome => {
    const role = caller as DocumentedRole;
    if (!target || !scopeReaches(role, target)) return 'hidden';
    return typeof outcome === 'function' ? outcome(role) : outcome;
  };

/** Returns `step_up` where the role sees the category plain, and `otherwise` elsewhere. */
const stepUpIfPlain = (category: 'basic' | 'sensitive', otherwise: Outcome) => (role: DocumentedRole) => (visibilityOf(role, category) === 'plain' ? 'step_up' : otherwise);

/** Returns the outcome listed for the caller's role, or `fallback` for a role not listed. */
const byRole =
  (outcomes: Partial<Record<DocumentedRole, Outcome>>, fallback: Outcome) =>
  (caller: Caller): Outcome =>
    outcomes[caller as DocumentedRole] ?? fallback;

const clientPath = (suffix = '') => (context: CaseContext) => ({ url: `/api/clients/${context.clientId}${suffix}` });

/** Builds a request for a document of the target client in the given category, or for a missing document of the missing client. */
function documentPath(category: 'basic' | 'sensitive', delivery: 'download' | 'preview') {
  return ({ firm, target, clientId }: CaseContext) => {
    const documentId = target === 'own' || target === 'other' ? firm.documents[target][category] : firm.missingId;
    return { url: `/api/clients/${clientId}/documents/${documentId}/${delivery}`, json: { reason: '矩阵测试调阅' } };
  };
}

const WRONG_CODE = { code: '000000' };
const FOREIGN_PASSKEY = { challengeId: 'matrix-challenge', response: { id: 'matrix', type: 'public-key' } };
const STRONG_PASSWORD = 'Violet-Harbour-Lantern-2026!';
const EMAIL_CHANNEL = { kind: 'email', name: '矩阵测试通道', enabled: false, minSeverity: 'high', recipients: ['security@example.com'] };

/** Returns the break-glass outcome: denied to a portal contact, while staff open any existing client. */
function breakGlassOutcome(caller: Caller, target: ClientTarget | undefined): Outcome {
  if (caller === 'client_contact') return 'denied';
  return target === 'none' ? 'hidden' : 'ok';
}

/** Takes an unused client of the target's department, since archiving a client is for good. */
function spareClientOf(firm: MatrixFirm, target: ClientTarget): string {
  if (target === 'own') return firm.spareClient('deptOne');
  if (target === 'other') return firm.spareClient('deptTwo');
  return firm.missingId;
}

function publicRoute(outcome: Outcome, request: MatrixCase['request'] = () => ({ url: '' })): MatrixCase[] {
  return [{ access: 'public', allowed: always(outcome), request }];
}

/** A sign-in step that needs the pending-challenge cookie, which no caller here holds. */
const pendingSignInStep = (json?: unknown): MatrixCase[] => [{ access: 'public', allowed: always('mfa_challenge_invalid'), request: () => ({ url: '', ...(json ? { json } : {}) }) }];

function memberRoute(outcome: Outcome, request: MatrixCase['request'] = () => ({ url: '' }), extra: Partial<MatrixCase> = {}): MatrixCase[] {
  return [{ access: 'member', allowed: always(outcome), request, ...extra }];
}

function permitted(permission: DocumentedPermission, outcome: Outcome, request: MatrixCase['request'] = () => ({ url: '' }), extra: Partial<MatrixCase> = {}): MatrixCase[] {
  return [{ access: permission, allowed: always(outcome), request, ...extra }];
}

/**
 * The expected outcome of every route, keyed like the route table ("METHOD /path"). A request
 * spec with an empty url uses the route's own path. A route the app registers that is missing
 * here fails the suite.
 */
const MATRIX: Record<string, MatrixCase[]> = {
  'GET /healthz': publicRoute('ok'),
  'GET /api/openapi.json': publicRoute('ok'),
  'GET /api/auth/csrf': publicRoute('ok'),
  // One unknown username per caller: five failures lock even a username that does not exist.
  'POST /api/auth/login': publicRoute('invalid_credentials', ({ caller }) => ({ url: '', json: { username: `matrix-nobody-${caller}`, password: 'not-the-password' } })),
  'GET /api/setup/status': publicRoute('ok'),
  // The first administrator exists, so set-up is closed whatever the caller sends.
  'POST /api/setup': publicRoute('setup_not_needed', () => ({ url: '', json: { token: 'm'.repeat(32), username: 'matrixroot', displayName: '矩阵', password: STRONG_PASSWORD } })),

  'POST /api/auth/mfa/totp': pendingSignInStep(WRONG_CODE),
  'POST /api/auth/mfa/sms/send': pendingSignInStep(),
  'POST /api/auth/mfa/sms': pendingSignInStep(WRONG_CODE),
  'POST /api/auth/mfa/recovery': pendingSignInStep(WRONG_CODE),
  'POST /api/auth/mfa/passkey/options': pendingSignInStep(),
  'POST /api/auth/mfa/passkey': pendingSignInStep(FOREIGN_PASSKEY),
  'POST /api/auth/mfa/enrol/totp': pendingSignInStep(),
  'POST /api/auth/mfa/enrol/totp/confirm': pendingSignInStep(WRONG_CODE),
  'POST /api/auth/mfa/enrol/passkey/options': pendingSignInStep(),
  'POST /api/auth/mfa/enrol/passkey': pendingSignInStep(FOREIGN_PASSKEY),
  'POST /api/auth/passkey/options': publicRoute('ok'),
  'POST /api/auth/passkey': publicRoute('passkey_failed', () => ({ url: '', json: FOREIGN_PASSKEY })),

  'POST /api/auth/logout': memberRoute('ok', () => ({ url: '' }), { freshSession: true }),
  'GET /api/auth/me': memberRoute('ok'),
  // Three wrong step-ups per member stay below the lock of five failures.
  'POST /api/auth/step-up/totp': memberRoute('mfa_code_invalid', () => ({ url: '', json: WRONG_CODE })),
  'POST /api/auth/step-up/sms/send': memberRoute('mfa_method_unavailable'),
  'POST /api/auth/step-up/sms': memberRoute('mfa_code_invalid', () => ({ url: '', json: WRONG_CODE })),
  'POST /api/auth/step-up/passkey/options': memberRoute('mfa_method_unavailable'),
  'POST /api/auth/step-up/passkey': memberRoute('passkey_failed', () => ({ url: '', json: FOREIGN_PASSKEY })),

  'GET /api/account/security': memberRoute('ok'),
  'POST /api/account/totp/start': memberRoute('ok'),
  'POST /api/account/totp/confirm': memberRoute('mfa_code_invalid', () => ({ url: '', json: WRONG_CODE })),
  'POST /api/account/totp/remove': memberRoute('step_up'),
  'POST /api/account/passkeys/options': memberRoute('ok'),
  'POST /api/account/passkeys': memberRoute('passkey_failed', () => ({ url: '', json: { ...FOREIGN_PASSKEY, name: '矩阵' } })),
  'POST /api/account/passkeys/:id/rename': memberRoute('passkey_failed', () => ({ url: '/api/account/passkeys/matrix-credential/rename', json: { name: '矩阵' } })),
  'POST /api/account/passkeys/:id/remove': memberRoute('step_up', () => ({ url: '/api/account/passkeys/matrix-credential/remove' })),
  'POST /api/account/recovery-codes': memberRoute('step_up'),
  'POST /api/account/email': memberRoute('step_up', () => ({ url: '', json: { email: 'matrix@example.com' } })),
  'POST /api/account/phone': memberRoute('step_up', () => ({ url: '', json: { phone: '13800138000' } })),
  // The right current password with a weak new one: rejected by the policy, no failure counted.
  'POST /api/account/password': memberRoute('password_rejected', () => ({ url: '', json: { currentPassword: TEST_PASSWORD, newPassword: 'weak' } })),
  'GET /api/account/sessions': memberRoute('ok'),
  'POST /api/account/sessions/:id/revoke': memberRoute('hidden', () => ({ url: '/api/account/sessions/matrix-session/revoke' })),
  'POST /api/account/sessions/revoke-others': memberRoute('ok'),
  'GET /api/account/sign-ins': memberRoute('ok'),
  'GET /api/account/notifications': memberRoute('ok'),
  'POST /api/account/notifications/read': memberRoute('ok'),

  'GET /api/admin/sessions': permitted('session:manage', 'ok'),
  'POST /api/admin/sessions/:id/revoke': permitted('session:manage', 'hidden', () => ({ url: '/api/admin/sessions/matrix-session/revoke' })),
  'GET /api/admin/users': permitted('user:manage', 'ok'),
  'POST /api/admin/users/:id/disable': permitted('user:manage', 'ok', ({ firm }) => ({ url: `/api/admin/users/${firm.targetUserId}/disable` })),
  'POST /api/admin/users/:id/enable': permitted('user:manage', 'ok', ({ firm }) => ({ url: `/api/admin/users/${firm.targetUserId}/enable` })),
  'POST /api/admin/users/:id/unlock': permitted('user:manage', 'ok', ({ firm }) => ({ url: `/api/admin/users/${firm.targetUserId}/unlock` })),
  'POST /api/admin/users/:id/reset-password': permitted('user:manage', 'ok', ({ firm }) => ({ url: `/api/admin/users/${firm.targetUserId}/reset-password` })),

  // Anyone may ask for access to any existing client; approval decides.
  'POST /api/access-requests': [
    { access: 'member', targets: CLIENT_TARGETS, allowed: (_caller, target) => (target === 'none' ? 'hidden' : 'ok'), request: ({ clientId }) => ({ url: '', json: { kind: 'assignment_add', payload: { clientId }, reason: '矩阵测试申请' } }) },
  ],
  'GET /api/access-requests': memberRoute('ok'),
  // bk1 filed it for itself: the filer, the approvers of its step and the two reviewing administrators see it.
  'GET /api/access-requests/:id': [
    { access: 'member', allowed: byRole({ bookkeeper: 'ok', department_manager: 'ok', partner: 'ok', security_admin: 'ok', audit_admin: 'ok' }, 'hidden'), request: ({ firm }) => ({ url: `/api/access-requests/${firm.pendingRequestId}` }) },
  ],
  'POST /api/access-requests/:id/approve': [
    {
      access: 'member',
      allowed: byRole({ bookkeeper: 'self_approval_forbidden', department_manager: 'ok', partner: 'ok' }, 'approver_not_eligible'),
      request: async ({ firm }) => ({ url: `/api/access-requests/${await firm.fileRequest()}/approve`, json: { note: '矩阵测试' } }),
    },
  ],
  'POST /api/access-requests/:id/reject': [
    {
      access: 'member',
      allowed: byRole({ bookkeeper: 'self_approval_forbidden', department_manager: 'ok', partner: 'ok' }, 'approver_not_eligible'),
      request: async ({ firm }) => ({ url: `/api/access-requests/${await firm.fileRequest()}/reject`, json: { note: '矩阵测试' } }),
    },
  ],
  'POST /api/access-requests/:id/withdraw': [{ access: 'member', allowed: byRole({ bookkeeper: 'ok' }, 'hidden'), request: async ({ firm }) => ({ url: `/api/access-requests/${await firm.fileRequest()}/withdraw` }) }],
  // Break-glass is for staff: a client company's portal contact must never open another company.
  'POST /api/break-glass': [
    {
      access: 'client:list',
      targets: CLIENT_TARGETS,
      allowed: breakGlassOutcome,
      request: ({ clientId }) => ({ url: '', json: { clientId, reason: '矩阵测试紧急访问' } }),
      after: (firm) => endBreakGlassGrants(firm.app),
    },
  ],
  'GET /api/governance/flows': permitted('security:manage', 'ok'),
  'POST /api/governance/flows/:kind': permitted('security:manage', 'ok', () => ({ url: '/api/governance/flows/role_revoke', json: { steps: [{ approver: 'department_manager' }, { approver: 'role', role: 'security_admin' }] } })),
  'GET /api/grants': memberRoute('ok'),

  'POST /api/reviews/campaigns': permitted('review:manage', 'ok', () => ({ url: '', json: { name: '矩阵测试新复核', population: { kind: 'role', role: 'system_admin' }, deadline: IN_FUTURE(), deadlineRule: 'escalate' } })),
  'GET /api/reviews/campaigns': permitted('review:manage', 'ok'),
  'GET /api/reviews/campaigns/:id/items': permitted('review:manage', 'ok', ({ firm }) => ({ url: `/api/reviews/campaigns/${firm.readCampaignId}/items` })),
  'POST /api/reviews/campaigns/:id/close': permitted('review:manage', 'ok', ({ firm }) => ({ url: `/api/reviews/campaigns/${firm.closingCampaignId}/close` })),
  'GET /api/reviews/campaigns/:id/report': permitted('review:manage', 'ok', ({ firm }) => ({ url: `/api/reviews/campaigns/${firm.readCampaignId}/report` })),
  'GET /api/reviews/items': memberRoute('ok', () => ({ url: '/api/reviews/items?mine=1' })),
  // The item is the registration agent's; the manager of 记账一部 reviews it.
  'POST /api/reviews/items/:id/decide': [
    { access: 'member', allowed: byRole({ registration_agent: 'review_own_item_forbidden', department_manager: 'ok' }, 'review_not_reviewer'), request: ({ firm }) => ({ url: `/api/reviews/items/${firm.reviewItemId}/decide`, json: { decision: 'confirm' } }) },
  ],
  'GET /api/reviews/dormant': permitted('review:manage', 'ok'),
  'POST /api/reviews/dormant/disable': permitted('review:manage', 'ok', () => ({ url: '', json: { days: 3650 } })),

  'GET /api/access/explain': [
    { access: 'access:explain', targets: CLIENT_TARGETS, allowed: (_caller, target) => (target === 'none' ? 'hidden' : 'ok'), request: ({ firm, clientId }) => ({ url: `/api/access/explain?userId=${firm.userIds.bookkeeper}&clientId=${clientId}&action=client:read` }) },
  ],
  'GET /api/access/clients/:clientId/fields/:field/viewers': [
    { access: 'access:explain', targets: CLIENT_TARGETS, allowed: (_caller, target) => (target === 'none' ? 'hidden' : 'ok'), request: ({ clientId }) => ({ url: `/api/access/clients/${clientId}/fields/legalRepIdNumber/viewers` }) },
  ],
  'GET /api/access/members/:userId/reach': permitted('access:explain', 'ok', ({ firm }) => ({ url: `/api/access/members/${firm.userIds.bookkeeper}/reach` })),
  'GET /api/access/roles': permitted('access:explain', 'ok'),
  'GET /api/access/matrix': permitted('access:explain', 'ok', ({ firm }) => ({ url: `/api/access/matrix?departmentId=${firm.departments.deptOne}` })),
  'GET /api/departments': memberRoute('ok'),

  'GET /api/clients': permitted('client:list', 'ok'),
  'GET /api/clients/filters': permitted('client:list', 'ok'),
  'GET /api/clients/:id': [{ access: 'client:read', targets: CLIENT_TARGETS, allowed: inScope('ok'), request: clientPath() }],
  // The contact phone is basic data every staff role sees plain; the ID number is sensitive.
  'POST /api/clients/:id/reveal': [
    { name: 'basic field', access: 'client:reveal', targets: CLIENT_TARGETS, allowed: inScope(stepUpIfPlain('basic', 'denied')), request: (context) => ({ ...clientPath('/reveal')(context), json: { field: 'contactPhone', reason: '矩阵测试核对' } }), stepUpThenOk: true },
    { name: 'sensitive field', access: 'client:reveal', targets: CLIENT_TARGETS, allowed: inScope(stepUpIfPlain('sensitive', 'denied')), request: (context) => ({ ...clientPath('/reveal')(context), json: { field: 'legalRepIdNumber', reason: '矩阵测试核对' } }), stepUpThenOk: true },
  ],
  'GET /api/clients/:id/documents': [{ access: 'client:read', targets: CLIENT_TARGETS, allowed: inScope('ok'), request: clientPath('/documents') }],
  'POST /api/clients/:id/documents': [
    { access: 'document:upload', targets: CLIENT_TARGETS, allowed: inScope('ok'), request: async (context) => ({ ...clientPath('/documents')(context), raw: multipartBody({ category: 'contract' }, { name: 'contract.pdf', content: await tinyPdf() }) }) },
  ],
  // A document in a category the caller cannot reveal returns what a missing document returns.
  'POST /api/clients/:id/documents/:documentId/download': [
    { name: 'basic document', access: 'client:reveal', targets: CLIENT_TARGETS, allowed: inScope(stepUpIfPlain('basic', 'hidden')), request: documentPath('basic', 'download'), stepUpThenOk: true },
    { name: 'sensitive document', access: 'client:reveal', targets: CLIENT_TARGETS, allowed: inScope(stepUpIfPlain('sensitive', 'hidden')), request: documentPath('sensitive', 'download'), stepUpThenOk: true },
  ],
  'POST /api/clients/:id/documents/:documentId/preview': [
    { name: 'basic document', access: 'client:reveal', targets: CLIENT_TARGETS, allowed: inScope(stepUpIfPlain('basic', 'hidden')), request: documentPath('basic', 'preview'), stepUpThenOk: true },
    { name: 'sensitive document', access: 'client:reveal', targets: CLIENT_TARGETS, allowed: inScope(stepUpIfPlain('sensitive', 'hidden')), request: documentPath('sensitive', 'preview'), stepUpThenOk: true },
  ],
  // Archiving is for good, so each call takes a spare client of the target's department.
  'POST /api/clients/:id/archive': [
    {
      access: 'client:archive',
      targets: CLIENT_TARGETS,
      clientFor: spareClientOf,
      allowed: inScope('ok'),
      request: (context) => ({ ...clientPath('/archive')(context), json: { reason: '矩阵测试归档' } }),
    },
  ],

  // A roster with a header and no rows: the job starts and fails on its own, creating nothing.
  'POST /api/imports': permitted('client:import', 'ok', () => ({ url: '', raw: multipartBody({}, { name: 'roster.csv', content: Buffer.from('客户名称,统一社会信用代码\n') }) }), { after: (firm) => waitForImports(firm) }),
  'GET /api/imports': permitted('client:import', 'ok'),
  // The fixture's import has no importer, so only a firm-wide importer (scope all) sees it.
  'GET /api/imports/:jobId': [{ access: 'client:import', allowed: byRole({ partner: 'ok' }, 'hidden'), request: ({ firm }) => ({ url: `/api/imports/${firm.importJobId}` }) }],
  'GET /api/imports/:jobId/report.xlsx': [{ access: 'client:import', allowed: byRole({ partner: 'ok' }, 'hidden'), request: ({ firm }) => ({ url: `/api/imports/${firm.importJobId}/report.xlsx` }) }],

  'GET /api/audit/events': permitted('audit:read', 'ok'),
  'GET /api/audit/actions': permitted('audit:read', 'ok'),
  'POST /api/audit/verify': permitted('audit:read', 'ok'),
  'GET /api/audit/events/:seq': permitted('audit:read', 'ok', () => ({ url: '/api/audit/events/1' })),
  'POST /api/audit/export': permitted('audit:read', 'step_up', () => ({ url: '', json: { format: 'csv' } }), { stepUpThenOk: true }),
  'GET /api/audit/checkpoints': permitted('audit:read', 'ok'),
  'GET /api/audit/checkpoints/export': permitted('audit:read', 'ok'),
  'GET /api/security/chain-status': permitted('security:manage', 'ok'),

  'GET /api/security/alerts': permitted('security:manage', 'ok'),
  'GET /api/security/alerts/stream': permitted('security:manage', 'ok', () => ({ url: '' }), { overSocket: true }),
  'GET /api/security/alerts/:id': permitted('security:manage', 'ok', ({ firm }) => ({ url: `/api/security/alerts/${firm.alertId}` })),
  'POST /api/security/alerts/:id/status': permitted('security:manage', 'ok', ({ firm }) => ({ url: `/api/security/alerts/${firm.alertId}/status`, json: { status: 'acknowledged', note: '矩阵测试确认' } })),
  'GET /api/security/rules': permitted('security:manage', 'ok'),
  'PUT /api/security/rules/:key': permitted('security:manage', 'ok', async ({ firm }) => ({ url: '/api/security/rules/off_hours', json: await currentRuleSettings(firm, 'off_hours') })),
  'GET /api/security/calendar': permitted('security:manage', 'ok'),
  'PUT /api/security/calendar': permitted('security:manage', 'ok', () => ({ url: '', json: { days: [] } })),
  'GET /api/security/channels': permitted('security:manage', 'ok'),
  'POST /api/security/channels': permitted('security:manage', 'ok', () => ({ url: '', json: EMAIL_CHANNEL })),
  'PUT /api/security/channels/:id': permitted('security:manage', 'ok', ({ firm }) => ({ url: `/api/security/channels/${firm.channelId}`, json: EMAIL_CHANNEL })),
  'DELETE /api/security/channels/:id': permitted('security:manage', 'ok', async ({ firm }) => ({ url: `/api/security/channels/${await firm.createChannel()}` })),
  // A test message goes out at once, so the check names a missing channel and sends nothing.
  'POST /api/security/channels/:id/test': permitted('security:manage', 'hidden', ({ firm }) => ({ url: `/api/security/channels/${firm.missingId}/test` })),
  'GET /api/security/deliveries': permitted('security:manage', 'ok'),
};

async function currentRuleSettings(firm: MatrixFirm, key: string) {
  const response = await firm.callers.security_admin.send('GET', '/api/security/rules');
  const rule = (response.json() as { items: { key: string; enabled: boolean; severity: string; params: unknown; responses: string[] }[] }).items.find((item) => item.key === key)!;
  return { enabled: rule.enabled, severity: rule.severity, params: rule.params, responses: rule.responses };
}

async function waitForImports(firm: MatrixFirm): Promise<void> {
  await expect.poll(async () => (await firm.app.db.selectFrom('import_jobs').select('id').where('status', '=', 'running').execute()).length).toBe(0);
}

let app: TestApp;
let firm: MatrixFirm;
let baseUrl: string;

beforeAll(async () => {
  // Step-up is on, as in production (MFA_REQUIRED=true). Members sign in with the password alone
  // here, so each reveal, download and export first returns step_up_required.
  app = await createTestApp({ mfa: { required: false, stepUpRequired: true, stepUpMinutes: 5, trustedDeviceDays: 30 } });
  firm = await createMatrixFirm(app);
  await app.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.dispose();
});

function routeKeyOf(method: string, url: string): string {
  return `${method} ${url}`;
}

function splitKey(key: string): { method: HttpMethod; path: string } {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { method, path };
}

function outcomeOf(response: ObservedResponse): Outcome {
  if (response.statusCode >= 200 && response.statusCode < 300) return 'ok';
  const code = parseCode(response.body);
  switch (code) {
    case 'forbidden':
      return 'denied';
    case 'not_found':
      return 'hidden';
    case 'unauthenticated':
      return 'unauthenticated';
    case 'step_up_required':
      return 'step_up';
    default:
      return (code ?? `status ${response.statusCode}`) as Outcome;
  }
}

function parseCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

function statusOf(outcome: Outcome): number {
  switch (outcome) {
    case 'ok':
      return 200;
    case 'denied':
    case 'step_up':
      return 403;
    case 'hidden':
      return 404;
    case 'unauthenticated':
      return 401;
    default:
      return httpStatusOf(outcome);
  }
}

function expectedFor(matrixCase: MatrixCase, caller: Caller, target: ClientTarget | undefined): Outcome {
  if (matrixCase.access === 'public') return matrixCase.allowed(caller, target);
  if (caller === 'anonymous') return 'unauthenticated';
  if (matrixCase.access !== 'member' && !holds(caller, matrixCase.access)) return 'denied';
  return matrixCase.allowed(caller, target);
}

function clientIdFor(matrixCase: MatrixCase, target: ClientTarget | undefined): string | undefined {
  if (!target) return undefined;
  if (matrixCase.clientFor) return matrixCase.clientFor(firm, target);
  if (target === 'own') return firm.ownClientId;
  if (target === 'other') return firm.otherClientId;
  return firm.missingId;
}

async function callerSession(caller: Caller, fresh: boolean): Promise<HttpCaller> {
  if (caller === 'anonymous') return fresh ? new HttpCaller(app.app) : firm.anonymous;
  return fresh ? HttpCaller.signIn(app.app, MEMBER_OF_ROLE[caller], TEST_PASSWORD) : firm.callers[caller];
}

interface Observation {
  readonly caller: Caller;
  readonly target: ClientTarget | undefined;
  readonly expected: Outcome;
  readonly actual: Outcome;
  readonly response: ObservedResponse;
  readonly head?: ObservedResponse;
}

/** Sends one case for one caller and target, and the HEAD twin of a GET where the app has one. */
async function observe(key: string, matrixCase: MatrixCase, caller: Caller, target: ClientTarget | undefined): Promise<Observation> {
  const { method, path } = splitKey(key);
  const clientId = clientIdFor(matrixCase, target);
  const spec = await matrixCase.request({ firm, caller, clientId, target });
  const url = spec.url || path;
  const session = await callerSession(caller, Boolean(matrixCase.freshSession));

  const response: ObservedResponse = matrixCase.overSocket ? await openOverSocket(baseUrl, url, session.cookieHeader) : await session.send(method, url, { json: spec.json, ...(spec.raw ? { raw: spec.raw } : {}) });
  await matrixCase.after?.(firm);

  const head = method === 'GET' && !matrixCase.overSocket && hasHeadRoute(path) ? await session.send('HEAD', url) : undefined;
  return { caller, target, expected: expectedFor(matrixCase, caller, target), actual: outcomeOf(response), response, ...(head ? { head } : {}) };
}

function hasHeadRoute(path: string): boolean {
  return app.routeTable.some((route) => route.method === 'HEAD' && route.url === path);
}

/** Returns the server's log line of the latest unhandled error, so that a 500 in the matrix names its cause. */
function serverErrorOf(observation: Observation): string {
  if (observation.response.statusCode < 500) return '';
  const line = app.logLines.findLast((candidate) => candidate.includes('unhandled error'));
  return line ? ` — server log: ${line.slice(0, 400)}` : '';
}

const CALLERS: readonly Caller[] = ['anonymous', ...DOCUMENTED_ROLE_KEYS];

/** Runs a case for every caller and target, and returns one line per result that differs from the table. */
async function mismatchesOf(key: string, matrixCase: MatrixCase): Promise<string[]> {
  const problems: string[] = [];
  const label = matrixCase.name ? ` (${matrixCase.name})` : '';
  // Callers run side by side: each has its own session, and every case that changes data
  // works on objects of its own (a fresh request, a spare client) or undoes its change.
  const observed = await Promise.all(
    CALLERS.map(async (caller) => {
      const observations: Observation[] = [];
      for (const target of matrixCase.targets ?? [undefined]) {
        observations.push(await observe(key, matrixCase, caller, target));
      }
      return { caller, observations };
    }),
  );

  for (const { caller, observations } of observed) {

    for (const observation of observations) {
      const where = `${caller}${observation.target ? ` → ${observation.target} client` : ''}${label}`;
      if (observation.actual !== observation.expected) {
        problems.push(`${where}: expected ${observation.expected}, got ${observation.actual} (${observation.response.statusCode} ${observation.response.body.slice(0, 160)})${serverErrorOf(observation)}`);
      }
      if (observation.head && observation.head.statusCode !== statusOf(observation.expected)) {
        problems.push(`${where}: HEAD answered ${observation.head.statusCode}, GET is expected to answer ${statusOf(observation.expected)}`);
      }
    }

    // A client outside the scope must be indistinguishable from a missing one.
    const other = observations.find((observation) => observation.target === 'other');
    const missing = observations.find((observation) => observation.target === 'none');
    if (other?.actual === 'hidden' && missing?.actual === 'hidden' && other.response.body !== missing.response.body) {
      problems.push(`${caller}${label}: another department's client answers ${other.response.body}, a missing one ${missing.response.body}`);
    }
  }
  return problems;
}

describe('authorization matrix', () => {
  it('has an entry for every route of the app', () => {
    const appRoutes = app.routeTable.filter((route) => route.method !== 'HEAD').map((route) => routeKeyOf(route.method, route.url));
    const missing = appRoutes.filter((key) => !(key in MATRIX));
    const stale = Object.keys(MATRIX).filter((key) => !appRoutes.includes(key));

    expect(missing, `routes without an authorization matrix entry: ${missing.join(', ')}`).toEqual([]);
    expect(stale, `matrix entries for routes the app no longer has: ${stale.join(', ')}`).toEqual([]);
  });

  it.each(Object.keys(MATRIX))('%s', async (key) => {
    const problems: string[] = [];
    for (const matrixCase of MATRIX[key]!) {
      problems.push(...(await mismatchesOf(key, matrixCase)));
    }

    expect(problems).toEqual([]);
  });

  it('returns the value after a step-up', async () => {
    const steppedUp = new Set<DocumentedRole>();
    const problems: string[] = [];

    for (const [key, cases] of Object.entries(MATRIX)) {
      for (const matrixCase of cases.filter((candidate) => candidate.stepUpThenOk)) {
        for (const role of DOCUMENTED_ROLE_KEYS) {
          for (const target of matrixCase.targets ?? [undefined]) {
            if (expectedFor(matrixCase, role, target) !== 'step_up') continue;
            if (!steppedUp.has(role)) {
              await stepUp(role);
              steppedUp.add(role);
            }

            const observation = await observe(key, matrixCase, role, target);
            if (observation.actual !== 'ok') {
              problems.push(`${key} ${role}${target ? ` → ${target} client` : ''}${matrixCase.name ? ` (${matrixCase.name})` : ''}: expected ok after step-up, got ${observation.actual}`);
            }
          }
        }
      }
    }

    expect(steppedUp.size).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('rejects writes without a CSRF token', async () => {
    const problems: string[] = [];
    for (const key of Object.keys(MATRIX)) {
      const { method, path } = splitKey(key);
      if (method === 'GET') continue;
      const response = await firm.callers.partner.send(method, path.replace(/:[A-Za-z]+/g, firm.missingId), { json: {}, withoutCsrf: true });
      if (outcomeOf(response) !== 'csrf_invalid') problems.push(`${key}: ${response.statusCode} ${response.body.slice(0, 120)}`);
    }

    expect(problems).toEqual([]);
  });

  it('checks permission before validating input', async () => {
    // Invalid input from a caller the gate stops must still get 401 or 403, never a 400 that
    // would describe the route's schema to someone who may not use it.
    const problems: string[] = [];
    for (const [key, cases] of Object.entries(MATRIX)) {
      const access = cases[0]!.access;
      if (access === 'public') continue;
      const { method, path } = splitKey(key);
      const url = `${path.replace(/:[A-Za-z]+/g, 'x'.repeat(80))}?page=-1&pageSize=banana`;
      const excluded = access === 'member' ? undefined : DOCUMENTED_ROLE_KEYS.find((role) => !holds(role, access));
      const callers: [Caller, Outcome][] = [['anonymous', 'unauthenticated'], ...(excluded ? [[excluded, 'denied'] as [Caller, Outcome]] : [])];
      for (const [caller, expected] of callers) {
        const session = caller === 'anonymous' ? firm.anonymous : firm.callers[caller];
        const response = await session.send(method, url, method === 'GET' ? {} : { json: { unexpected: [null, { deep: true }] } });
        if (outcomeOf(response) !== expected) problems.push(`${key} as ${caller}: expected ${expected}, got ${response.statusCode} ${response.body.slice(0, 120)}`);
      }
    }

    expect(problems).toEqual([]);
  });

  it('invalid input hides which clients exist', async () => {
    // Validation runs before the scope check, so a malformed request must not tell an existing
    // client from a missing one either.
    const malformed: [HttpMethod, (clientId: string) => string, ((clientId: string) => unknown) | undefined][] = [
      ['POST', (id) => `/api/clients/${id}/reveal`, () => ({ field: '', reason: 7 })],
      ['POST', (id) => `/api/clients/${id}/archive`, () => ({ reason: 'x'.repeat(501) })],
      ['POST', (id) => `/api/clients/${id}/documents/${firm.documents.other.basic}/download`, () => ({ reason: ['list'] })],
      ['GET', (id) => `/api/clients/${id}/documents?pageSize=0`, undefined],
      ['POST', () => '/api/break-glass', (id) => ({ clientId: id, reason: 42 })],
      ['POST', () => '/api/access-requests', (id) => ({ kind: 'assignment_add', payload: { clientId: id }, reason: null })],
    ];
    for (const [method, urlOf, bodyOf] of malformed) {
      const other = await firm.callers.department_manager.send(method, urlOf(firm.otherClientId), bodyOf ? { json: bodyOf(firm.otherClientId) } : {});
      const missing = await firm.callers.department_manager.send(method, urlOf(firm.missingId), bodyOf ? { json: bodyOf(firm.missingId) } : {});

      expect(other.statusCode, urlOf('…')).toBe(missing.statusCode);
      expect(other.body, urlOf('…')).toBe(missing.body);
    }
  });
});

/** Confirms a second factor for the role's session through the step-up route, as the web app does. */
async function stepUp(role: DocumentedRole): Promise<void> {
  const secret = await enrolTotp(app, firm.userIds[role], MEMBER_OF_ROLE[role]);
  const response = await firm.callers[role].send('POST', '/api/auth/step-up/totp', { json: { code: await nextTotpCode(secret) } });
  if (response.statusCode !== 200) throw new Error(`Step-up of ${role} failed: ${response.statusCode} ${response.body}`);
}
