import { AuditLog, type AuditEventInput } from '../src/audit/index.js';
import type { RuleKey } from '../src/detect/index.js';
import { addDays, toLocalTime } from '../src/detect/zoned-time.js';
import type { Application } from '../src/main/compose.js';

export const FIRM_ZONE = 'Asia/Shanghai';

/** Converts a Shanghai wall-clock time (`date` as `YYYY-MM-DD`, `time` as `HH:MM`) to a UTC instant. */
export function shanghai(date: string, time: string): string {
  return new Date(`${date}T${time}:00+08:00`).toISOString();
}

/** Returns today's date in Shanghai. */
export function shanghaiToday(): string {
  return toLocalTime(new Date(), FIRM_ZONE).date;
}

/** Monday to Friday dates from `from` to `to`, both inclusive. */
export function weekdaysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const weekday = toLocalTime(shanghai(day, '12:00'), FIRM_ZONE).weekday;
    if (weekday <= 5) days.push(day);
  }
  return days;
}

/** Returns the first date on or after `from` that falls on the ISO weekday (1 = Monday). */
export function nextWeekday(from: string, weekday: number): string {
  let day = from;
  while (toLocalTime(shanghai(day, '12:00'), FIRM_ZONE).weekday !== weekday) day = addDays(day, 1);
  return day;
}

export interface ScriptedEvent {
  readonly at: string;
  readonly event: AuditEventInput;
}

/**
 * Appends audit events with chosen timestamps through a second AuditLog over the same
 * database, so scripted activity lands in the real hash chain exactly as the services write it.
 */
export class ScriptedAudit {
  readonly #log: AuditLog;
  readonly #app: Application;
  #clock = new Date();

  constructor(app: Application) {
    this.#app = app;
    this.#log = new AuditLog({ db: app.db, dialect: app.database.dialect, now: () => this.#clock });
  }

  /** Appends one event at `at`; returns its sequence number. */
  async at(at: string, event: AuditEventInput): Promise<number> {
    this.#clock = new Date(at);
    const [appended] = await this.#log.record(event);
    return appended!.seq;
  }

  /** Appends many events in one transaction, each at its own time; returns their sequence numbers. */
  async script(events: readonly ScriptedEvent[]): Promise<number[]> {
    const seqs: number[] = [];
    for (let start = 0; start < events.length; start += 500) {
      await this.#app.db.transaction().execute(async (trx) => {
        for (const { at, event } of events.slice(start, start + 500)) {
          this.#clock = new Date(at);
          const [appended] = await this.#log.append(trx, event);
          seqs.push(appended!.seq);
        }
      });
    }
    return seqs;
  }
}

export interface Actor {
  readonly id: string;
  readonly username: string;
}

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0';

export const events = {
  signIn: (actor: Actor, ip: string, details: Record<string, unknown> = {}): AuditEventInput => ({ action: 'auth.login', outcome: 'success', actor, ip, userAgent: UA, details: { method: 'password', step: 'session_opened', newDevice: false, ...details } }),
  newDevice: (actor: Actor, ip: string): AuditEventInput => ({ action: 'auth.new_device', outcome: 'success', actor, ip, userAgent: UA, details: {} }),
  failedSignIn: (account: string, ip: string, userId: string | null = null): AuditEventInput => ({ action: 'auth.login', outcome: 'failure', actor: { id: userId, username: account }, ip, userAgent: UA, details: { method: 'password', failure: userId ? 'bad_password' : 'unknown_user' } }),
  signOut: (actor: Actor, ip: string): AuditEventInput => ({ action: 'auth.logout', outcome: 'success', actor, ip, userAgent: UA }),
  list: (actor: Actor, ip: string): AuditEventInput => ({ action: 'client.list', outcome: 'success', actor, ip, userAgent: UA, details: { searchKind: 'none', returned: 20 } }),
  view: (actor: Actor, clientId: string, ip: string): AuditEventInput => ({ action: 'client.view', outcome: 'success', actor, targetType: 'client', targetId: clientId, clientId, ip, userAgent: UA, details: { decision: ['assigned'] } }),
  reveal: (actor: Actor, clientId: string, ip: string): AuditEventInput => ({ action: 'client.reveal', outcome: 'success', actor, targetType: 'client', targetId: clientId, clientId, fields: ['legalRepIdNumber'], reason: '申报个税需核对身份证号', ip, userAgent: UA, details: { decision: ['assigned'] } }),
  denied: (actor: Actor, ip: string): AuditEventInput => ({ action: 'access.denied', outcome: 'denied', actor, targetType: 'client', ip, userAgent: UA, details: { attempted: 'client.view', reasons: ['out_of_scope'] } }),
  exported: (actor: Actor, ip: string, rowCount: number): AuditEventInput => ({ action: 'audit.exported', outcome: 'success', actor, ip, userAgent: UA, details: { format: 'xlsx', rowCount } }),
  auditSearch: (actor: Actor, ip: string): AuditEventInput => ({ action: 'audit.search', outcome: 'success', actor, ip, userAgent: UA, details: { returned: 50 } }),
  breakGlass: (actor: Actor, clientId: string, ip: string): AuditEventInput => ({ action: 'governance.break_glass', outcome: 'success', actor, targetType: 'client', targetId: clientId, clientId, reason: '客户紧急稽查', ip, userAgent: UA, details: { grantId: 'scripted-grant', endsAt: new Date(Date.now() + 1_800_000).toISOString() } }),
};

/** Runs the application's detector until it has read the whole log. */
export async function detectAll(app: Application): Promise<void> {
  while ((await app.detection.detector.runUntilIdle(60_000)) > 0) {
    // Keep going: a full batch may be followed by more events.
  }
}

export async function alertsOf(app: Application, rule?: string) {
  let query = app.db.selectFrom('alerts').selectAll().orderBy('created_at').orderBy('id');
  if (rule) query = query.where('rule', '=', rule);
  return query.execute();
}

/** A small deterministic generator (mulberry32), so replays are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Switches rules off for tests whose real sign-ins would otherwise raise alerts that depend on
 * the hour and weekday the suite runs (off-hours) or on fresh device cookies (new device).
 */
export async function disableRules(app: Application, keys: readonly RuleKey[], actor: Actor): Promise<void> {
  const rules = await app.detection.settings.listRules();
  for (const key of keys) {
    const rule = rules.find((item) => item.key === key)!;
    await app.detection.settings.updateRule({ key, input: { enabled: false, severity: rule.severity, params: rule.params, responses: rule.responses }, actor, origin: { ip: undefined, userAgent: undefined } });
  }
}
