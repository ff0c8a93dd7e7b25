import { rm } from 'node:fs/promises';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSubjectSnapshot } from '../src/access/index.js';
import { AlertRaiser, Detector } from '../src/detect/index.js';
import { type Application, composeApplication } from '../src/main/compose.js';
import type { AlertNotice, AlertNotifier } from '../src/notify/alert-notice.js';
import { FIRM_ZONE, ScriptedAudit, alertsOf, detectAll, events, shanghai, shanghaiToday } from './detect-fixture.js';
import { clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { type TestApp, createMember, createTestApp } from './test-app.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshApp(): Promise<TestApp> {
  const app = await createTestApp();
  cleanups.push(() => app.dispose());
  return app;
}

/** Builds a second application over the same database and data folder, as a restarted or second server would. */
async function sameDatabase(app: TestApp): Promise<Application> {
  return composeApplication(app.config, { keyring: app.keyring, logger: pino({ level: 'silent' }) });
}

class RecordingNotifier implements AlertNotifier {
  readonly notices: AlertNotice[] = [];
  failing = false;

  async enqueue(_trx: unknown, notice: AlertNotice): Promise<void> {
    if (this.failing) throw new Error('notification queue unavailable');
    this.notices.push(notice);
  }
}

function detectorOver(app: Application, notifier: AlertNotifier, batchSize = 200): Detector {
  return new Detector({ db: app.db, audit: app.audit, raiser: new AlertRaiser({ notifier }), timeZone: FIRM_ZONE, batchSize });
}

/** Failed sign-ins for one account, a second apart, ending a minute ago. */
function failures(account: string, userId: string, count: number) {
  const end = Date.now() - 60_000;
  return Array.from({ length: count }, (_, index) => ({ at: new Date(end - (count - index) * 1000).toISOString(), event: events.failedSignIn(account, '10.0.0.7', userId) }));
}

async function countActions(app: Application, action: string): Promise<number> {
  const row = await app.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('count')).where('action', '=', action).executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Audit events of one kind about one alert. */
async function countAlertEvents(app: Application, action: string, alertId: string): Promise<number> {
  const rows = await app.db.selectFrom('audit_events').select('details').where('action', '=', action).execute();
  return rows.filter((row) => JSON.parse(row.details).alertId === alertId).length;
}

async function cursorAndHead(app: Application) {
  const cursor = await app.db.selectFrom('detector_cursors').select('last_seq').where('name', '=', 'main').executeTakeFirstOrThrow();
  const head = await app.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow();
  return { cursor: Number(cursor.last_seq), head: Number(head.seq) };
}

describe('detector cursor', () => {
  it('resumes after a restart exactly', async () => {
    const first = await createTestApp();
    const member = await createMember(first, { username: 'bk1', roles: ['bookkeeper'] });
    const scripted = new ScriptedAudit(first);
    await scripted.script(failures('bk1', member.id, 12));
    const clientIds = ['c-1', 'c-2', 'c-3', 'c-1', 'c-2', 'c-4'];
    await scripted.script(clientIds.map((clientId, index) => ({ at: shanghai(shanghaiToday(), `10:0${index}`), event: events.view(member, clientId, '10.0.0.7') })));

    // The first server reads two small batches and stops, as if it were shut down mid-way.
    const partial = detectorOver(first, new RecordingNotifier(), 4);
    expect(await partial.runOnce()).toBe(4);
    expect(await partial.runOnce()).toBe(4);
    const before = await cursorAndHead(first);
    await first.close();

    const second = await sameDatabase(first);
    cleanups.push(async () => {
      await second.close();
      await rm(first.config.dataDir, { recursive: true, force: true });
    });
    expect((await cursorAndHead(second)).cursor).toBe(before.cursor);
    await detectAll(second);

    const [alert, ...others] = await alertsOf(second, 'failed_sign_ins');
    expect(others).toEqual([]);
    // Failures 5 to 12 each fire once: one raise and seven repeats.
    expect(alert!.count).toBe(8);
    expect(JSON.parse(alert!.facts).failures).toBe(12);
    expect(await countAlertEvents(second, 'security.alert_raised', alert!.id)).toBe(1);
    expect(await countAlertEvents(second, 'security.alert_updated', alert!.id)).toBe(7);
    const day = await second.db.selectFrom('member_activity_days').select(['clients_accessed']).where('user_id', '=', member.id).executeTakeFirstOrThrow();
    expect(Number(day.clients_accessed)).toBe(4);
    const after = await cursorAndHead(second);
    expect(after.cursor).toBe(after.head);
  });

  it('rolls a failed batch back whole', async () => {
    const app = await freshApp();
    const member = await createMember(app, { username: 'bk1', roles: ['bookkeeper'] });
    await new ScriptedAudit(app).script(failures('bk1', member.id, 5));
    const before = await cursorAndHead(app);
    const notifier = new RecordingNotifier();
    notifier.failing = true;

    await expect(detectorOver(app, notifier).runOnce()).rejects.toThrow('notification queue unavailable');

    expect(await cursorAndHead(app)).toEqual(before);
    expect(await alertsOf(app)).toEqual([]);
    expect(await countActions(app, 'security.alert_raised')).toBe(0);

    notifier.failing = false;
    await detectorOver(app, notifier).runUntilIdle();

    expect((await alertsOf(app)).map((alert) => alert.count)).toEqual([1]);
    expect(notifier.notices.map((notice) => [notice.rule, notice.count, notice.username])).toEqual([['failed_sign_ins', 1, 'bk1']]);
  });

  it('two detectors never double-count', async () => {
    const app = await freshApp();
    const member = await createMember(app, { username: 'bk2', roles: ['bookkeeper'] });
    // A second server on PostgreSQL. SQLite serves one process (the server lock file), so there
    // the second detector shares the first one's connection and takes turns with it.
    const other = app.database.dialect === 'postgres' ? await sameDatabase(app) : app;
    if (other !== app) cleanups.push(() => other.close());
    const notifiers = [new RecordingNotifier(), new RecordingNotifier()];
    const detectors = [detectorOver(app, notifiers[0]!, 3), detectorOver(other, notifiers[1]!, 3)];

    let appending = true;
    const loops = detectors.map(async (detector) => {
      while (appending) {
        await detector.runOnce();
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    });
    const scripted = new ScriptedAudit(app);
    for (const failure of failures('bk2', member.id, 30)) {
      await scripted.at(failure.at, failure.event);
    }
    appending = false;
    await Promise.all(loops);
    await Promise.all(detectors.map((detector) => detector.runUntilIdle()));
    await detectors[0]!.runUntilIdle();

    const [alert, ...others] = await alertsOf(app, 'failed_sign_ins');
    expect(others).toEqual([]);
    expect(alert!.count).toBe(26);
    expect(await countActions(app, 'security.alert_raised')).toBe(1);
    expect(await countActions(app, 'security.alert_updated')).toBe(25);
    // Notifications go out for the 1st, 2nd, 5th, 10th and 20th firing, whichever detector saw it.
    expect([...notifiers[0]!.notices, ...notifiers[1]!.notices].map((notice) => notice.count).sort((a, b) => a - b)).toEqual([1, 2, 5, 10, 20]);
    const after = await cursorAndHead(app);
    expect(after.cursor).toBe(after.head);
  });

  it('ignores security events', async () => {
    const app = await freshApp();
    const admin = await createMember(app, { username: 'secadmin', roles: ['security_admin'] });
    const scripted = new ScriptedAudit(app);
    const night = shanghai(shanghaiToday(), '03:00');
    await scripted.script(Array.from({ length: 20 }, () => ({ at: night, event: { action: 'security.alert_updated' as const, outcome: 'denied' as const, actor: admin, ip: '10.0.0.8', details: {} } })));
    await scripted.at(night, { action: 'security.rule_changed', outcome: 'success', actor: admin, ip: '10.0.0.8', details: {} });
    await detectAll(app);

    expect(await alertsOf(app)).toEqual([]);
    const { cursor, head } = await cursorAndHead(app);
    expect(cursor).toBe(head);
  });

  it('raises break-glass alerts once, inline', async () => {
    const app = await freshApp();
    const firm = await createSmallFirm(app, { clientCount: 6 });
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    const subject = (await loadSubjectSnapshot(app.db, firm.members.bk1.id))!;

    const opened = await app.breakGlass.open({ subject, clientId: clientId!, reason: '客户税务稽查紧急处理', origin: { ip: '10.0.0.9', userAgent: 'vitest' } });
    const [alert] = await alertsOf(app, 'break_glass');
    const event = await app.db.selectFrom('audit_events').select(['seq', 'details']).where('action', '=', 'governance.break_glass').executeTakeFirstOrThrow();

    expect(alert).toMatchObject({ id: opened.alertId, user_id: firm.members.bk1.id, client_id: clientId, severity: 'high', status: 'new', count: 1 });
    expect(JSON.parse(alert!.evidence)).toEqual([Number(event.seq)]);
    expect(JSON.parse(event.details).alertId).toBe(opened.alertId);
    expect(JSON.parse(alert!.facts)).toMatchObject({ grantId: opened.grantId, endsAt: opened.endsAt });

    await detectAll(app);
    expect((await alertsOf(app, 'break_glass')).map((row) => row.count)).toEqual([1]);
  });
});
