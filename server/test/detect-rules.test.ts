import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../src/detect/zoned-time.js';
import { type Actor, ScriptedAudit, alertsOf, detectAll, events, nextWeekday, shanghai, shanghaiToday, weekdaysBetween } from './detect-fixture.js';
import { type DemoFirm, buildDemoFirm, normalDay, replayDays } from './demo-replay.js';
import { type TestApp, createMember, createTestApp } from './test-app.js';

let app: TestApp;
let firm: DemoFirm;
let audit: ScriptedAudit;
/** The replayed ordinary day, and later weekdays and a Saturday for the scripted misuse. */
let normal: string;
let wednesday: string;
let thursday: string;
let saturday: string;

const member = (username: string): Actor => firm.members.get(username)!;
const office = (username: string): string => firm.addresses.get(username)!;
const clientsOf = (department: string) => firm.clients.filter((client) => client.department === department).map((client) => client.id);

beforeAll(async () => {
  app = await createTestApp();
  firm = await buildDemoFirm(app);
  audit = new ScriptedAudit(app);

  // About four weeks of ordinary working days build every member's baseline.
  const today = shanghaiToday();
  await replayDays(audit, firm, weekdaysBetween(addDays(today, -40), addDays(today, -12)));
  normal = nextWeekday(addDays(today, -11), 2);
  wednesday = addDays(normal, 1);
  thursday = addDays(normal, 2);
  saturday = addDays(normal, 4);
  await detectAll(app);
}, 600_000);

afterAll(async () => {
  await app.dispose();
});

describe('a normal day of the demo firm', () => {
  it('raises no alert at all', async () => {
    expect(await alertsOf(app)).toEqual([]);

    await audit.script(normalDay(firm, normal, 4242));
    await detectAll(app);

    expect(await alertsOf(app)).toEqual([]);
    const activeDays = await app.db.selectFrom('member_activity_days').select('day').where('user_id', '=', member('bookkeeper1').id).execute();
    expect(activeDays.length).toBeGreaterThanOrEqual(15);
    const views = await app.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('count')).where('action', '=', 'client.view').executeTakeFirstOrThrow();
    expect(Number(views.count)).toBeGreaterThan(1500);
  });
});

describe('rules on scripted misuse', () => {
  it('failed_sign_ins fires and groups repeats', async () => {
    const ip = '10.8.1.200';
    const failures = [0, 1, 2, 3, 4].map((minute) => ({ at: shanghai(wednesday, `10:0${minute}`), event: events.failedSignIn('bookkeeper2', ip, member('bookkeeper2').id) }));
    // The sign-in records an attempt on the now locked account without the account's id.
    failures.push({ at: shanghai(wednesday, '10:05'), event: { ...events.failedSignIn('bookkeeper2', ip), details: { method: 'password', failure: 'locked' } } });
    const seqs = await audit.script(failures.slice(0, 4));
    await detectAll(app);
    expect(await alertsOf(app, 'failed_sign_ins')).toEqual([]);

    seqs.push(...(await audit.script(failures.slice(4))));
    await detectAll(app);

    const [alert, ...others] = await alertsOf(app, 'failed_sign_ins');
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ user_id: member('bookkeeper2').id, severity: 'medium', status: 'new', count: 2 });
    expect(JSON.parse(alert!.facts)).toMatchObject({ account: 'bookkeeper2', failures: 6, windowMinutes: 15, ip });
    expect(JSON.parse(alert!.evidence)).toEqual(seqs);
  });

  it('credential_stuffing fires per address', async () => {
    const ip = '198.51.100.23';
    const names = ['admin', 'test', 'wangli', 'zhangwei', 'liuyang', 'chenjie'];
    await audit.script(names.map((name, index) => ({ at: shanghai(wednesday, `11:0${index}`), event: events.failedSignIn(name, ip) })));
    await detectAll(app);

    const [alert, ...others] = await alertsOf(app, 'credential_stuffing');
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ user_id: null, severity: 'high', count: 2 });
    expect(JSON.parse(alert!.facts)).toMatchObject({ ip, accounts: 6, attempts: 6 });
    expect((await alertsOf(app, 'failed_sign_ins')).length).toBe(1);
  });

  it('new_device fires on device and address', async () => {
    const newIp = '203.0.113.7';
    await audit.at(shanghai(wednesday, '09:00'), events.signIn(member('bookkeeper3'), office('bookkeeper3')));
    await audit.at(shanghai(wednesday, '13:00'), events.signIn(member('bookkeeper3'), newIp));
    await audit.at(shanghai(wednesday, '13:10'), events.newDevice(member('bookkeeper4'), office('bookkeeper4')));
    await audit.at(shanghai(wednesday, '13:10'), events.signIn(member('bookkeeper4'), office('bookkeeper4'), { newDevice: true }));
    await detectAll(app);

    const alerts = await alertsOf(app, 'new_device');
    expect(alerts.map((alert) => [alert.user_id, JSON.parse(alert.facts).reason, JSON.parse(alert.facts).ip]).sort((x, y) => String(x[1]).localeCompare(String(y[1])))).toEqual([
      [member('bookkeeper3').id, 'new_address', newIp],
      [member('bookkeeper4').id, 'new_device', office('bookkeeper4')],
    ]);
    expect(alerts.every((alert) => alert.count === 1)).toBe(true);
  });

  it('off_hours follows hours and calendar', async () => {
    const actor = member('bookkeeper1');
    const ownClient = firm.assigned.get('bookkeeper1')![0]!;
    const holiday = addDays(saturday, 3);
    const workedSaturday = addDays(saturday, 7);
    await app.detection.settings.replaceCalendar({
      days: [
        { date: holiday, kind: 'holiday', name: '测试假日' },
        { date: workedSaturday, kind: 'workday', name: '调休上班' },
      ],
      actor: member('secadmin'),
      origin: { ip: undefined, userAgent: undefined },
    });

    await audit.at(shanghai(wednesday, '23:10'), events.view(actor, ownClient, office('bookkeeper1')));
    await audit.at(shanghai(saturday, '10:00'), events.view(actor, ownClient, office('bookkeeper1')));
    await audit.at(shanghai(holiday, '10:00'), events.view(actor, ownClient, office('bookkeeper1')));
    await audit.at(shanghai(workedSaturday, '10:00'), events.view(actor, ownClient, office('bookkeeper1')));
    await detectAll(app);

    const alerts = await alertsOf(app, 'off_hours');
    expect(alerts.map((alert) => JSON.parse(alert.facts).dayKind).sort()).toEqual(['after_hours', 'holiday', 'weekend']);
    expect(alerts.find((alert) => JSON.parse(alert.facts).dayKind === 'holiday')!.facts).toContain('测试假日');
    expect(alerts.every((alert) => alert.user_id === actor.id && alert.severity === 'low')).toBe(true);
  });

  it('volume_anomaly uses each member’s baseline', async () => {
    const department = clientsOf('记账一部').slice(0, 25);
    const bookkeeper = member('bookkeeper2');
    const partner = member('partner');
    const day: { at: string; event: ReturnType<typeof events.view> }[] = [];
    department.forEach((clientId, index) => {
      const time = `${String(9 + Math.floor(index / 10)).padStart(2, '0')}:${String((index % 10) * 5).padStart(2, '0')}`;
      day.push({ at: shanghai(wednesday, time), event: events.view(bookkeeper, clientId, office('bookkeeper2')) });
      day.push({ at: shanghai(wednesday, time), event: events.view(partner, clientId, office('partner')) });
    });
    expect(department.length).toBe(25);
    await audit.script(day);
    await detectAll(app);

    const alerts = await alertsOf(app, 'volume_anomaly');
    expect(alerts.map((alert) => alert.user_id)).toEqual([bookkeeper.id]);
    const facts = JSON.parse(alerts[0]!.facts);
    // The floor of 20 is above this member's own mean plus three deviations, so the 21st client fires.
    expect(facts).toMatchObject({ metric: 'clients', value: 25, threshold: 20, day: wednesday });
    expect(facts.baseline).toBeLessThan(10);
    expect(alerts[0]!.count).toBe(5);
    expect(JSON.parse(alerts[0]!.responses)).toEqual(['require_step_up']);
  });

  it('volume_anomaly fires on many reveals', async () => {
    const actor = member('bookkeeper4');
    const own = firm.assigned.get('bookkeeper4')!;
    await audit.script(Array.from({ length: 12 }, (_, index) => ({ at: shanghai(thursday, `14:${String(index * 4).padStart(2, '0')}`), event: events.reveal(actor, own[index % own.length]!, office('bookkeeper4')) })));
    await detectAll(app);

    const alerts = (await alertsOf(app, 'volume_anomaly')).filter((alert) => alert.user_id === actor.id);
    expect(alerts.length).toBe(1);
    expect(JSON.parse(alerts[0]!.facts)).toMatchObject({ metric: 'reveals', value: 12 });
    expect(alerts[0]!.count).toBe(2);
  });

  it('bulk_export fires on many or large exports', async () => {
    const auditor = member('auditor');
    const second = await createMember(app, { username: 'auditor2', roles: ['audit_admin'], departmentId: firm.departments.get('审计部')! });
    await audit.script([1, 2, 3, 4, 5].map((index) => ({ at: shanghai(wednesday, `15:${String(index * 5).padStart(2, '0')}`), event: events.exported(auditor, office('auditor'), 300) })));
    await audit.at(shanghai(wednesday, '16:00'), events.exported(second, '10.8.1.99', 12_000));
    await detectAll(app);

    const alerts = await alertsOf(app, 'bulk_export');
    expect(alerts.map((alert) => [alert.user_id, JSON.parse(alert.facts).reason]).sort((x, y) => String(x[1]).localeCompare(String(y[1])))).toEqual([
      [second.id, 'large_export'],
      [auditor.id, 'many_exports'],
    ]);
    const many = alerts.find((alert) => alert.user_id === auditor.id)!;
    expect(JSON.parse(many.evidence).length).toBe(5);
  });

  it('probing fires on repeated denials', async () => {
    const actor = member('assistant1');
    await audit.script(Array.from({ length: 10 }, (_, index) => ({ at: shanghai(wednesday, `16:0${index}`), event: events.denied(actor, office('assistant1')) })));
    await detectAll(app);

    const alerts = await alertsOf(app, 'probing');
    expect(alerts.map((alert) => alert.user_id)).toEqual([actor.id]);
    expect(JSON.parse(alerts[0]!.facts)).toMatchObject({ denials: 10, windowMinutes: 10 });
  });

  it('dormant_account fires after long silence', async () => {
    const dormant = await createMember(app, { username: 'dormant1', roles: ['bookkeeper'], departmentId: firm.departments.get('记账一部')! });
    await audit.at(new Date(Date.parse(shanghai(wednesday, '09:00')) - 100 * 86_400_000).toISOString(), events.signIn(dormant, '10.8.1.98'));
    await detectAll(app);
    expect(await alertsOf(app, 'dormant_account')).toEqual([]);

    await audit.at(shanghai(wednesday, '09:00'), { ...events.signIn(dormant, '10.8.1.98'), details: { method: 'password', step: 'second_factor_required' } });
    await audit.at(shanghai(wednesday, '09:01'), events.signIn(dormant, '10.8.1.98'));
    await detectAll(app);

    const alerts = await alertsOf(app, 'dormant_account');
    expect(alerts.map((alert) => alert.user_id)).toEqual([dormant.id]);
    expect(JSON.parse(alerts[0]!.facts).idleDays).toBe(100);
  });

  it('unusual_department fires on a foreign department', async () => {
    const service = member('service1');
    const taxClient = clientsOf('税务部')[0]!;
    const usualClient = clientsOf('记账二部').at(-1)!;
    await audit.at(shanghai(thursday, '10:00'), events.view(service, usualClient, office('service1')));
    await audit.at(shanghai(thursday, '10:05'), events.view(service, taxClient, office('service1')));
    await audit.at(shanghai(thursday, '10:06'), events.view(member('bookkeeper1'), clientsOf('记账一部').at(-1)!, office('bookkeeper1')));
    await detectAll(app);

    const alerts = await alertsOf(app, 'unusual_department');
    expect(alerts.map((alert) => [alert.user_id, alert.client_id])).toEqual([[service.id, taxClient]]);
    expect(JSON.parse(alerts[0]!.facts)).toMatchObject({ department: '税务部' });
  });

  it('break_glass fires without an inline alert', async () => {
    const actor = member('bookkeeper3');
    const client = clientsOf('记账一部')[0]!;
    await audit.at(shanghai(thursday, '11:00'), events.breakGlass(actor, client, office('bookkeeper3')));
    await detectAll(app);

    const alerts = await alertsOf(app, 'break_glass');
    expect(alerts.map((alert) => [alert.user_id, alert.client_id, alert.severity])).toEqual([[actor.id, client, 'high']]);
  });

  it('audits every raise and reads to the head', async () => {
    const raised = await app.db.selectFrom('audit_events').select(['details']).where('action', '=', 'security.alert_raised').execute();
    const alerts = await alertsOf(app);

    expect(raised.length).toBe(alerts.length);
    expect(new Set(raised.map((row) => JSON.parse(row.details).alertId))).toEqual(new Set(alerts.map((alert) => alert.id)));
    const cursor = await app.db.selectFrom('detector_cursors').select('last_seq').where('name', '=', 'main').executeTakeFirstOrThrow();
    const head = await app.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow();
    expect(Number(cursor.last_seq)).toBe(Number(head.seq));
  });
});
