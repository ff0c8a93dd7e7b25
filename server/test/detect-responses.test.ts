import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResponseKind, RuleKey } from '../src/detect/index.js';
import { type Actor, ScriptedAudit, alertsOf, detectAll, disableRules, events } from './detect-fixture.js';
import { clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { enrolTotp, nextTotpCode } from './mfa-fixture.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;
let audit: ScriptedAudit;

beforeAll(async () => {
  app = await createTestApp();
  firm = await createSmallFirm(app);
  audit = new ScriptedAudit(app);
  await disableRules(app, ['off_hours', 'new_device'], firm.members.secadmin);
});

afterAll(async () => {
  await app.dispose();
});

const signIn = (username: string) => TestSession.signIn(app.app, username, TEST_PASSWORD);

async function setResponses(key: RuleKey, responses: ResponseKind[]): Promise<void> {
  const rule = (await app.detection.settings.listRules()).find((item) => item.key === key)!;
  await app.detection.settings.updateRule({ key, input: { enabled: true, severity: rule.severity, params: rule.params, responses }, actor: firm.members.secadmin, origin: { ip: undefined, userAgent: undefined } });
}

/** Appends events two seconds apart that end now, so all of them fall in the rule's window, and runs the detector. */
async function scriptRecent(build: () => Parameters<typeof audit.at>[1], count: number): Promise<void> {
  const now = Date.now();
  await audit.script(Array.from({ length: count }, (_, index) => ({ at: new Date(now - (count - index) * 2000).toISOString(), event: build() })));
  await detectAll(app);
}

async function alertFor(rule: string, userId: string) {
  const alert = (await alertsOf(app, rule)).find((row) => row.user_id === userId);
  if (!alert) throw new Error(`No ${rule} alert for ${userId}`);
  return (await (await signIn('secadmin')).get(`/api/security/alerts/${alert.id}`)).json() as { id: string; responses: string[]; responseLog: { kind: string; outcome: string; detail: string | null }[] };
}

async function responseEvents(userId: string) {
  const rows = await app.db.selectFrom('audit_events').select(['outcome', 'details']).where('action', '=', 'security.response_taken').where('target_id', '=', userId).execute();
  return rows.map((row) => ({ outcome: row.outcome, ...(JSON.parse(row.details) as { response: string; result: string }) }));
}

describe('automatic responses', () => {
  it('lock_account locks until an administrator unlocks', async () => {
    await setResponses('failed_sign_ins', ['lock_account']);
    const bk1 = await signIn('bk1');
    const member: Actor = firm.members.bk1;
    expect((await bk1.get('/api/clients')).statusCode).toBe(200);

    await scriptRecent(() => events.failedSignIn('bk1', '10.0.0.66', member.id), 5);

    expect((await bk1.get('/api/clients')).statusCode).toBe(401);
    const refused = await new TestSession(app.app).post('/api/auth/login', { username: 'bk1', password: TEST_PASSWORD });
    expect(refused.statusCode).toBe(423);
    expect(refused.json()).toMatchObject({ code: 'account_locked_by_alert' });
    const alert = await alertFor('failed_sign_ins', member.id);
    expect(alert.responses).toEqual(['lock_account']);
    expect(alert.responseLog).toEqual([expect.objectContaining({ kind: 'lock_account', outcome: 'done', detail: 'sessions_ended=1' })]);
    expect(await responseEvents(member.id)).toEqual([expect.objectContaining({ outcome: 'success', response: 'lock_account', result: 'done' })]);

    const admin = await signIn('sysadmin');
    expect((await admin.post(`/api/admin/users/${member.id}/unlock`)).statusCode).toBe(204);
    expect((await (await signIn('bk1')).get('/api/clients')).statusCode).toBe(200);
  });

  it('lock_account spares the last security administrator', async () => {
    const admin = firm.members.secadmin;
    await scriptRecent(() => events.failedSignIn('secadmin', '10.0.0.67', admin.id), 5);

    const alert = await alertFor('failed_sign_ins', admin.id);
    expect(alert.responses).toEqual([]);
    expect(alert.responseLog).toEqual([expect.objectContaining({ kind: 'lock_account', outcome: 'skipped', detail: 'last_administrator=security_admin, sessions_ended=1' })]);
    expect(await responseEvents(admin.id)).toEqual([expect.objectContaining({ outcome: 'failure', response: 'lock_account', result: 'skipped' })]);
    expect((await signIn('secadmin')).locale).toBe('zh-CN');
  });

  it('end_sessions signs out once per alert', async () => {
    await setResponses('probing', ['end_sessions']);
    const member = firm.members.bk2;
    const [first, second] = [await signIn('bk2'), await signIn('bk2')];

    await scriptRecent(() => events.denied(member, '10.0.0.68'), 10);

    expect((await first.get('/api/clients')).statusCode).toBe(401);
    expect((await second.get('/api/clients')).statusCode).toBe(401);
    const again = await signIn('bk2');
    expect((await again.get('/api/clients')).statusCode).toBe(200);

    // A repeat of the same alert does not sign the member out a second time.
    await scriptRecent(() => events.denied(member, '10.0.0.68'), 1);
    expect((await alertsOf(app, 'probing')).find((row) => row.user_id === member.id)!.count).toBe(2);
    expect((await again.get('/api/clients')).statusCode).toBe(200);
    expect((await alertFor('probing', member.id)).responseLog).toEqual([expect.objectContaining({ kind: 'end_sessions', outcome: 'done', detail: 'sessions_ended=2' })]);
  });

  it('require_step_up demands a fresh second factor', async () => {
    await setResponses('probing', ['require_step_up']);
    const member = firm.members.partner;
    const secret = await enrolTotp(app, member.id, 'partner');
    const partner = await signIn('partner');
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    const reveal = () => partner.post(`/api/clients/${clientId}/reveal`, { field: 'legalRepIdNumber', reason: '核对法定代表人身份' });
    expect((await reveal()).statusCode).toBe(200);

    await scriptRecent(() => events.denied(member, '10.0.0.69'), 10);

    const demanded = await reveal();
    expect(demanded.statusCode).toBe(403);
    expect(demanded.json()).toMatchObject({ code: 'step_up_required', methods: ['totp'] });
    expect((await partner.post('/api/auth/step-up/totp', { code: await nextTotpCode(secret) })).statusCode).toBe(200);
    expect((await reveal()).statusCode).toBe(200);
  });

  it('suspend_grant ends open grants', async () => {
    await setResponses('probing', ['suspend_grant']);
    const member = firm.members.assistant;
    const assistant = await signIn('assistant');
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    expect((await assistant.post('/api/break-glass', { clientId, reason: '客户来电紧急核对' })).statusCode).toBe(201);
    expect((await assistant.get(`/api/clients/${clientId}`)).statusCode).toBe(200);

    await scriptRecent(() => events.denied(member, '10.0.0.70'), 10);

    expect((await assistant.get(`/api/clients/${clientId}`)).statusCode).toBe(404);
    const grants = await app.db.selectFrom('access_grants').select(['revoked_at']).where('user_id', '=', member.id).execute();
    expect(grants.length).toBe(1);
    expect(grants[0]!.revoked_at).not.toBeNull();
    expect((await alertFor('probing', member.id)).responseLog).toEqual([expect.objectContaining({ kind: 'suspend_grant', outcome: 'done', detail: 'grants_suspended=1' })]);
  });

  it('skips responses without a member', async () => {
    await setResponses('credential_stuffing', ['lock_account', 'end_sessions']);
    const names = ['a1', 'a2', 'a3', 'a4', 'a5'];
    let index = 0;
    await scriptRecent(() => events.failedSignIn(names[index++ % names.length]!, '198.51.100.77'), 5);

    const [alert] = await alertsOf(app, 'credential_stuffing');
    const detail = (await (await signIn('secadmin')).get(`/api/security/alerts/${alert!.id}`)).json() as { responseLog: { kind: string; outcome: string; detail: string }[] };
    expect(detail.responseLog.map((entry) => [entry.kind, entry.outcome, entry.detail])).toEqual([
      ['lock_account', 'skipped', 'no_member'],
      ['end_sessions', 'skipped', 'no_member'],
    ]);
  });
});
