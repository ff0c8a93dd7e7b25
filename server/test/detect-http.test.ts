import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertRaiser, Detector, createDetection } from '../src/detect/index.js';
import { buildHttpApp } from '../src/http/app.js';
import { CsrfTokens } from '../src/identity/index.js';
import { hashSecretToken } from '../src/identity/secret-token.js';
import type { AlertNotifier } from '../src/notify/alert-notice.js';
import { FIRM_ZONE, ScriptedAudit, alertsOf, detectAll, disableRules, events } from './detect-fixture.js';
import { EventStreamClient, sessionCookie } from './event-stream-client.js';
import { createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;
let audit: ScriptedAudit;
let security: TestSession;
let baseUrl: string | undefined;

const noNotifications: AlertNotifier = { enqueue: async () => undefined };

beforeAll(async () => {
  app = await createTestApp();
  firm = await createSmallFirm(app, { clientCount: 6 });
  audit = new ScriptedAudit(app);
  await disableRules(app, ['off_hours', 'new_device'], firm.members.secadmin);
  security = await TestSession.signIn(app.app, 'secadmin', TEST_PASSWORD);
});

afterAll(async () => {
  await app.dispose();
});

/** Events a second apart that end now. */
async function scriptRecent(build: () => Parameters<typeof audit.at>[1], count: number): Promise<number[]> {
  const now = Date.now();
  return audit.script(Array.from({ length: count }, (_, index) => ({ at: new Date(now - (count - index) * 1000).toISOString(), event: build() })));
}

async function listenOn(server: { listen: (options: { host: string; port: number }) => Promise<string>; server: { address: () => unknown } }): Promise<string> {
  await server.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
}

/** Returns the test app's loopback address, starting to listen on first use. */
async function appUrl(): Promise<string> {
  baseUrl ??= await listenOn(app.app);
  return baseUrl;
}

/** PUT as the security administrator (the cookie-keeping test client sends GET and POST only). */
async function put(url: string, payload: unknown) {
  const cookie = await sessionCookie(app.app, 'secadmin', TEST_PASSWORD);
  const csrf = (await app.app.inject({ method: 'GET', url: '/api/auth/csrf', headers: { cookie } })).json() as { token: string };
  return app.app.inject({ method: 'PUT', url, payload: payload as object, headers: { cookie, 'x-csrf-token': csrf.token } });
}

describe('alert routes', () => {
  it('answer only the security administrator', async () => {
    const bookkeeper = await TestSession.signIn(app.app, 'bk1', TEST_PASSWORD);
    const auditor = await TestSession.signIn(app.app, 'auditor', TEST_PASSWORD);

    expect((await bookkeeper.get('/api/security/alerts')).statusCode).toBe(403);
    expect((await auditor.get('/api/security/rules')).statusCode).toBe(403);
    expect((await new TestSession(app.app).get('/api/security/alerts/stream')).statusCode).toBe(401);
    expect((await security.get('/api/security/alerts')).statusCode).toBe(200);
  });

  it('list, filter, sort and show alerts with their evidence', async () => {
    const failureSeqs = await scriptRecent(() => events.failedSignIn('bk1', '10.0.0.5', firm.members.bk1.id), 5);
    await scriptRecent(() => events.denied(firm.members.bk2, '10.0.0.6'), 10);
    const client = await app.db.selectFrom('clients').select('id').executeTakeFirstOrThrow();
    await audit.at(new Date().toISOString(), events.breakGlass(firm.members.bk2, client.id, '10.0.0.6'));
    await detectAll(app);

    const all = (await security.get('/api/security/alerts?sort=-severity')).json() as { total: number; items: { id: string; rule: string; severity: string; username: string | null; displayName: string | null; status: string; count: number; facts: Record<string, unknown> }[] };
    expect(all.total).toBe(3);
    expect(all.items[0]).toMatchObject({ rule: 'break_glass', severity: 'high', username: 'bk2', displayName: 'bk2 测试', status: 'new' });
    const byRule = (await security.get('/api/security/alerts?rule=failed_sign_ins')).json() as typeof all;
    expect(byRule.items.map((item) => item.rule)).toEqual(['failed_sign_ins']);
    expect((await security.get(`/api/security/alerts?userId=${firm.members.bk2.id}`)).json()).toMatchObject({ total: 2 });
    expect((await security.get('/api/security/alerts?severity=high&pageSize=1')).json()).toMatchObject({ total: 1 });
    expect((await security.get('/api/security/alerts?sort=sideways')).statusCode).toBe(400);

    const detail = (await security.get(`/api/security/alerts/${byRule.items[0]!.id}`)).json() as { evidence: { seq: number; actorUsername: string; action: string; outcome: string; ip: string }[]; notes: unknown[]; responseLog: unknown[]; facts: Record<string, unknown> };
    expect(detail.evidence.map((event) => event.seq)).toEqual(failureSeqs);
    expect(detail.evidence[0]).toMatchObject({ actorUsername: 'bk1', action: 'auth.login', outcome: 'failure', ip: '10.0.0.5' });
    expect(detail.facts).toMatchObject({ account: 'bk1', failures: 5 });
    expect(detail.notes).toEqual([]);
    expect((await security.get('/api/security/alerts/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('move along the status flow with notes, and refuse other moves', async () => {
    const [failed] = await alertsOf(app, 'failed_sign_ins');
    const [probing] = await alertsOf(app, 'probing');
    const move = (id: string, status: string, note: string) => security.post(`/api/security/alerts/${id}/status`, { status, note });

    const acknowledged = await move(failed!.id, 'acknowledged', '');
    expect(acknowledged.statusCode).toBe(200);
    expect(acknowledged.json()).toMatchObject({ status: 'acknowledged', notes: [{ username: 'secadmin', from: 'new', to: 'acknowledged', note: '' }] });

    const shortNote = await move(failed!.id, 'resolved', '好');
    expect(shortNote.statusCode).toBe(400);
    expect(shortNote.json()).toMatchObject({ code: 'validation_failed', issues: [{ path: 'note' }] });

    const resolved = await move(failed!.id, 'resolved', '已电话核实为本人输错密码');
    expect(resolved.json()).toMatchObject({ status: 'resolved' });
    expect((resolved.json() as { notes: unknown[] }).notes.length).toBe(2);

    const reopened = await move(failed!.id, 'acknowledged', '');
    expect(reopened.statusCode).toBe(409);
    expect(reopened.json()).toMatchObject({ code: 'alert_transition_invalid', message: '告警当前状态为“已解决”，不能改为“已确认”。' });
    expect((await move(probing!.id, 'false_positive', '系统测试产生的拒绝')).json()).toMatchObject({ status: 'false_positive' });
    expect((await move(probing!.id, 'resolved', '重复处理测试')).statusCode).toBe(409);

    const audited = await app.db.selectFrom('audit_events').select(['actor_username', 'details', 'reason']).where('action', '=', 'security.alert_updated').where('actor_username', '=', 'secadmin').orderBy('seq').execute();
    expect(audited.map((row) => [JSON.parse(row.details).from, JSON.parse(row.details).to])).toEqual([
      ['new', 'acknowledged'],
      ['acknowledged', 'resolved'],
      ['new', 'false_positive'],
    ]);
    expect(audited[1]!.reason).toBe('已电话核实为本人输错密码');
  });

  it('opens a new alert after a resolved one', async () => {
    await scriptRecent(() => events.failedSignIn('bk1', '10.0.0.5', firm.members.bk1.id), 1);
    await detectAll(app);

    expect((await alertsOf(app, 'failed_sign_ins')).map((alert) => [alert.status, alert.count])).toEqual([
      ['resolved', 1],
      ['new', 1],
    ]);
  });
});

describe('rule and calendar routes', () => {
  it('list every rule with its specs and defaults', async () => {
    const rules = (await security.get('/api/security/rules')).json() as { items: { key: string; paramSpecs: { name: string }[]; defaults: Record<string, unknown>; params: Record<string, unknown>; updatedAt: string | null }[] };

    expect(rules.items.map((rule) => rule.key)).toEqual(['failed_sign_ins', 'credential_stuffing', 'new_device', 'off_hours', 'volume_anomaly', 'bulk_export', 'probing', 'dormant_account', 'unusual_department', 'break_glass', 'audit_chain_broken']);
    for (const rule of rules.items) {
      expect(rule.paramSpecs.map((spec) => spec.name).sort(), rule.key).toEqual(Object.keys(rule.defaults).sort());
    }
    expect(rules.items.find((rule) => rule.key === 'off_hours')!.params).toMatchObject({ workStart: '08:00', workEnd: '20:00', workDays: [1, 2, 3, 4, 5] });
  });

  it('save valid settings and name each invalid field', async () => {
    const saved = await put('/api/security/rules/probing', { enabled: true, severity: 'high', params: { denials: 4, windowMinutes: 5, groupMinutes: 30 }, responses: ['end_sessions'] });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ key: 'probing', severity: 'high', params: { denials: 4 }, responses: ['end_sessions'], updatedBy: 'secadmin' });

    const invalid = await put('/api/security/rules/probing', { enabled: true, severity: 'high', params: { denials: 0, windowMinutes: 'ten' }, responses: [] });
    expect(invalid.statusCode).toBe(400);
    expect((invalid.json() as { code: string; issues: { path: string }[] }).issues.map((issue) => issue.path).sort()).toEqual(['params.denials', 'params.windowMinutes']);
    expect(invalid.json()).toMatchObject({ code: 'rule_settings_invalid' });
    expect((await put('/api/security/rules/break_glass', { enabled: false, severity: 'high', params: {}, responses: [] })).statusCode).toBe(400);
    expect((await put('/api/security/rules/no_such_rule', { enabled: true, severity: 'high', params: {}, responses: [] })).statusCode).toBe(404);
    expect((await put('/api/security/rules/probing', { enabled: true, severity: 'high', params: {}, responses: ['delete_everything'] })).statusCode).toBe(400);

    const changes = await app.db.selectFrom('audit_events').select('details').where('action', '=', 'security.rule_changed').where('target_id', '=', 'probing').execute();
    expect(changes.map((row) => JSON.parse(row.details))).toEqual([expect.objectContaining({ rule: 'probing', after: expect.objectContaining({ severity: 'high', responses: ['end_sessions'] }) })]);
  });

  it('replace the work calendar and reject bad days', async () => {
    const days = [
      { date: '2027-02-06', kind: 'holiday', name: '春节' },
      { date: '2027-01-30', kind: 'workday', name: '春节调休' },
    ];
    const saved = await put('/api/security/calendar', { days });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({ days: [days[1], days[0]] });
    expect((await security.get('/api/security/calendar')).json()).toEqual({ days: [days[1], days[0]] });

    const bad = await put('/api/security/calendar', { days: [days[0], { date: '2027-02-30', kind: 'holiday', name: '无' }, days[0]] });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toEqual(['days.1.date', 'days.2.date']);
    expect((await security.get('/api/security/calendar')).json()).toEqual({ days: [days[1], days[0]] });
    const audited = await app.db.selectFrom('audit_events').select('details').where('action', '=', 'security.calendar_changed').execute();
    expect(audited.map((row) => JSON.parse(row.details))).toEqual([expect.objectContaining({ days: 2, holidays: 1, workdays: 1, added: 2, removed: 0 })]);
  });
});

describe('live alert stream', () => {
  it('delivers an alert within a second of its event, and its status changes', async () => {
    const base = await appUrl();
    const cookie = await sessionCookie(app.app, 'secadmin', TEST_PASSWORD);
    const stream = await EventStreamClient.open(`${base}/api/security/alerts/stream`, { cookie });
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(stream.headers['cache-control']).toBe('no-cache');
      expect(stream.headers['x-accel-buffering']).toBe('no');
      await stream.waitFor(() => stream.comments.includes('connected'), 2000, 'the connected comment');

      app.background.start();
      // The probing rule was tuned above to fire at four denials.
      await scriptRecent(() => events.denied(firm.members.bk1, '10.0.0.7'), 4);
      const committedAt = Date.now();
      const { message, alert } = await stream.nextAlert(0, 1000);

      expect(message.receivedAt - committedAt).toBeLessThan(1000);
      expect(alert).toMatchObject({ rule: 'probing', status: 'new', username: 'bk1', severity: 'high' });
      expect(Number(message.id)).toBeGreaterThan(0);

      await security.post(`/api/security/alerts/${String(alert.id)}/status`, { status: 'acknowledged', note: '' });
      const { alert: changed } = await stream.nextAlert(1, 1000);
      expect(changed).toMatchObject({ id: alert.id, status: 'acknowledged' });
    } finally {
      await app.background.stop();
      stream.close();
    }
  });

  it('delivers alerts written by another server instance, and replays missed ones on reconnect', async () => {
    const base = await appUrl();
    const cookie = await sessionCookie(app.app, 'secadmin', TEST_PASSWORD);
    const stream = await EventStreamClient.open(`${base}/api/security/alerts/stream`, { cookie });
    try {
      await stream.waitFor(() => stream.comments.includes('connected'), 2000, 'the connected comment');
      // Another instance's detector: same database, no link to this process's stream.
      const elsewhere = new Detector({ db: app.db, audit: app.audit, raiser: new AlertRaiser({ notifier: noNotifications }), timeZone: FIRM_ZONE });
      await scriptRecent(() => events.exported(firm.members.auditor, '10.0.0.8', 50_000), 1);
      const committedAt = Date.now();
      await elsewhere.runUntilIdle();

      const { message, alert } = await stream.nextAlert(0, 1000);
      expect(message.receivedAt - committedAt).toBeLessThan(1000);
      expect(alert).toMatchObject({ rule: 'bulk_export', username: 'auditor' });

      const resumed = await EventStreamClient.open(`${base}/api/security/alerts/stream`, { cookie, 'last-event-id': String(Number(message.id) - 1) });
      try {
        const { alert: replayed } = await resumed.nextAlert(0, 1000);
        expect(replayed).toMatchObject({ id: alert.id });
      } finally {
        resumed.close();
      }
    } finally {
      stream.close();
    }
  });

  it('sends heartbeats, ends when the session ends, and does not hold up shutdown', async () => {
    const detection = createDetection({ db: app.db, audit: app.audit, notifier: noNotifications, timeZone: FIRM_ZONE, stream: { pollMs: 100, heartbeatMs: 100, sessionCheckMs: 200 } });
    const { app: server } = await buildHttpApp({ logger: app.logger, db: app.db, audit: app.audit, auth: app.auth, csrf: new CsrfTokens(Buffer.alloc(32)), routes: [detection.routes], webRoot: undefined, trustProxy: false });
    const base = await listenOn(server);
    const cookie = await sessionCookie(app.app, 'secadmin', TEST_PASSWORD);

    const first = await EventStreamClient.open(`${base}/api/security/alerts/stream`, { cookie });
    await first.waitFor(() => first.comments.includes('heartbeat'), 1000, 'a heartbeat');
    const sessionId = cookie.split('=')[1]!;
    await app.db.deleteFrom('sessions').where('id_hash', '=', hashSecretToken(sessionId)).execute();
    await first.waitFor(() => first.ended, 1000, 'the stream to end after sign-out');

    const second = await EventStreamClient.open(`${base}/api/security/alerts/stream`, { cookie: await sessionCookie(app.app, 'secadmin', TEST_PASSWORD) });
    await second.waitFor(() => second.comments.includes('connected'), 1000, 'the connected comment');
    const closing = Date.now();
    await server.close();
    expect(Date.now() - closing).toBeLessThan(2000);
    await second.waitFor(() => second.ended, 1000, 'the stream to end at shutdown');
    expect(detection.feed.listenerCount).toBe(0);
  });
});
