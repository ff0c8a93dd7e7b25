import type { Logger } from 'pino';
import type { AuditEventInput, AuditLog } from '../audit/index.js';
import type { Db, DbOrTrx } from '../db/index.js';
import { recordClientAccess, recordReveal } from './activity.repository.js';
import type { AlertRaiser } from './alert-raiser.js';
import { claimCursor, findCursor, findEventsAfter, hasEventsAfter, moveCursor } from './cursor.repository.js';
import { type DetectorEvent, toDetectorEvent } from './detector-event.js';
import { MemberDirectory } from './member-directory.js';
import { DETECTION_RULES } from './rules/index.js';
import { type CalendarDay, loadCalendar, loadRuleSettings } from './settings.repository.js';
import { toLocalTime } from './zoned-time.js';

export interface DetectorOptions {
  readonly db: Db;
  readonly audit: AuditLog;
  readonly raiser: AlertRaiser;
  readonly timeZone: string;
  readonly logger?: Logger | undefined;
  /** Called after a batch that changed alerts has committed; the live stream polls at once. */
  readonly onAlertsChanged?: (() => void) | undefined;
  /** Events read and evaluated per transaction. */
  readonly batchSize?: number;
  /** The cursor row; one per detector pipeline. */
  readonly cursorName?: string;
}

/** Thrown when the cursor moved under a batch; its transaction rolls back and nothing is counted. */
export class CursorMovedError extends Error {
  constructor(name: string, expected: number) {
    super(`Detector cursor ${name} is no longer at ${expected}; another detector evaluated these events`);
    this.name = 'CursorMovedError';
  }
}

/**
 * Reads the audit log in sequence order from a stored cursor and evaluates every rule on each
 * event. A batch is one transaction: the cursor claim, rule evaluation, alerts, automatic
 * responses, queued notifications, activity counters, the detector's own audit events and the
 * cursor's compare-and-set move all commit together or not at all. A restart therefore resumes
 * exactly after the last committed event, and two detectors on one database never evaluate an
 * event twice: the second waits on the claimed cursor row and then finds it moved.
 *
 * Reading by cursor is safe because sequence numbers become visible in order. On PostgreSQL an
 * append holds the `audit_head` row lock until its transaction commits, so event N+1 can only
 * be numbered after event N committed; SQLite has a single writer. No event can appear later
 * below the cursor.
 */
export class Detector {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #raiser: AlertRaiser;
  readonly #timeZone: string;
  readonly #logger: Logger | undefined;
  readonly #onAlertsChanged: (() => void) | undefined;
  readonly #batchSize: number;
  readonly #cursorName: string;

  constructor(options: DetectorOptions) {
    this.#db = options.db;
    this.#audit = options.audit;
    this.#raiser = options.raiser;
    this.#timeZone = options.timeZone;
    this.#logger = options.logger;
    this.#onAlertsChanged = options.onAlertsChanged;
    this.#batchSize = options.batchSize ?? 200;
    this.#cursorName = options.cursorName ?? 'main';
  }

  /** Evaluates one batch of new events; returns how many events it consumed. */
  async runOnce(): Promise<number> {
    // A cheap look outside any transaction, so an idle poll neither writes nor locks.
    const cursor = await findCursor(this.#db, this.#cursorName);
    if (!(await hasEventsAfter(this.#db, cursor))) return 0;

    let alertsChanged = false;
    const processed = await this.#db.transaction().execute(async (trx) => {
      const claimed = await claimCursor(trx, this.#cursorName, new Date().toISOString());
      const rows = await findEventsAfter(trx, claimed, this.#batchSize);
      if (rows.length === 0) return 0;

      const events = rows.map(toDetectorEvent);
      const result = await this.#evaluate(trx, events);
      alertsChanged = result.alertsChanged;
      if (result.audit.length > 0) await this.#audit.append(trx, ...result.audit);

      const last = events[events.length - 1]!.seq;
      if (!(await moveCursor(trx, { name: this.#cursorName, from: claimed, to: last, at: new Date().toISOString() }))) {
        throw new CursorMovedError(this.#cursorName, claimed);
      }
      return events.length;
    });

    if (alertsChanged) this.#onAlertsChanged?.();
    return processed;
  }

  /** Runs batches until the log is read to its end or `budgetMs` has passed; returns the events consumed. */
  async runUntilIdle(budgetMs = 2000): Promise<number> {
    const started = Date.now();
    let total = 0;
    for (;;) {
      const processed = await this.runOnce();
      total += processed;
      if (processed < this.#batchSize || Date.now() - started > budgetMs) return total;
    }
  }

  async #evaluate(trx: DbOrTrx, events: readonly DetectorEvent[]): Promise<{ audit: AuditEventInput[]; alertsChanged: boolean }> {
    const [settings, calendarDays] = await Promise.all([loadRuleSettings(trx), loadCalendar(trx)]);
    const calendar = new Map<string, CalendarDay>(calendarDays.map((day) => [day.date, day]));
    const directory = new MemberDirectory(trx);
    const rules = DETECTION_RULES.filter((rule) => settings.get(rule.key)?.enabled);
    const audit: AuditEventInput[] = [];
    let alertsChanged = false;

    for (const event of events) {
      // The detector's own events and the security administrator's work on alerts and rules
      // never feed back into the rules.
      if (event.action.startsWith('security.')) continue;

      const local = toLocalTime(event.occurredAt, this.#timeZone);
      for (const rule of rules) {
        if (!rule.actions.has(event.action)) continue;
        const ruleSettings = settings.get(rule.key)!;
        const finding = await rule.evaluate(event, { db: trx, settings: ruleSettings, local, timeZone: this.#timeZone, calendar, directory });
        if (!finding) continue;

        const raised = await this.#raiser.raise(trx, { settings: ruleSettings, finding, occurredAt: event.occurredAt, triggerSeq: event.seq });
        audit.push(...raised.audit);
        alertsChanged = true;
        this.#logger?.info({ rule: rule.key, alertId: raised.alertId, created: raised.created, seq: event.seq }, raised.created ? 'alert raised' : 'alert repeated');
      }

      // Counters are updated after the rules ran, so the rules see the day as it was before this event.
      await this.#recordActivity(trx, event, local.date, directory);
    }
    return { audit, alertsChanged };
  }

  async #recordActivity(trx: DbOrTrx, event: DetectorEvent, day: string, directory: MemberDirectory): Promise<void> {
    if (event.outcome !== 'success' || !event.actorId || !event.clientId) return;
    if (event.action !== 'client.view' && event.action !== 'client.reveal') return;

    await recordClientAccess(trx, { userId: event.actorId, day, clientId: event.clientId, departmentId: await directory.clientDepartment(event.clientId) });
    if (event.action === 'client.reveal') await recordReveal(trx, { userId: event.actorId, day });
  }
}
