import { type DetectorEvent, isSessionOpened, minutesBefore } from '../detector-event.js';
import { findMemberEvents } from '../history.repository.js';
import { numberParam, stringParam, weekdaysParam } from '../rule-catalog.js';
import { classifyLocalTime } from '../working-hours.js';
import { parseClockTime } from '../zoned-time.js';
import { type DetectionRule, type Finding, newestEvidence } from './rule.types.js';

/** Actions that count as working: signing in and handling client data. Reading one's own notices does not count. */
const ACTIVITY_ACTIONS = new Set(['auth.login', 'client.list', 'client.view', 'client.reveal', 'client.import', 'import.report_download', 'audit.exported', 'governance.break_glass', 'document.download']);

/** Actions that take data out of the system as a file; `document.download` is written once documents exist. */
const EXPORT_ACTIONS = ['audit.exported', 'import.report_download', 'document.download'] as const;

/** Activity outside working hours, on a weekend that is not worked, or on a holiday of the firm's calendar. */
export const offHoursRule: DetectionRule = {
  key: 'off_hours',
  actions: ACTIVITY_ACTIONS,
  async evaluate(event, { settings, local, calendar, directory }) {
    if (!event.actorId || event.outcome !== 'success') return undefined;
    if (event.action === 'auth.login' && !isSessionOpened(event)) return undefined;

    const hours = { start: parseClockTime(stringParam(settings, 'workStart'))!, end: parseClockTime(stringParam(settings, 'workEnd'))!, workDays: weekdaysParam(settings, 'workDays') };
    const time = classifyLocalTime(local, hours, calendar);
    if (time.working || !(await directory.isStaff(event.actorId))) return undefined;

    return {
      userId: event.actorId,
      clientId: event.clientId,
      groupKey: `day:${local.date}`,
      facts: { localTime: `${local.date} ${local.time}`, dayKind: time.dayKind, holiday: time.holiday ?? '', action: event.action },
      evidence: [event.seq],
    };
  },
};

/** Repeated denied requests by one member: someone feeling for the edges of their access. */
export const probingRule: DetectionRule = {
  key: 'probing',
  actions: new Set(['access.denied']),
  async evaluate(event, { db, settings }) {
    if (!event.actorId) return undefined;

    const windowMinutes = numberParam(settings, 'windowMinutes');
    const denials = await findMemberEvents(db, { actorId: event.actorId, actions: ['access.denied'], since: minutesBefore(event.occurredAt, windowMinutes), throughSeq: event.seq });
    if (denials.length < numberParam(settings, 'denials')) return undefined;

    return {
      userId: event.actorId,
      groupKey: '',
      facts: { denials: denials.length, windowMinutes },
      evidence: newestEvidence(denials.map((row) => Number(row.seq)), event.seq),
    };
  },
};

/** Many exports or downloads by one member in a window, or one export larger than `maxRows`. */
export const bulkExportRule: DetectionRule = {
  key: 'bulk_export',
  actions: new Set(EXPORT_ACTIONS),
  async evaluate(event, { db, settings }) {
    if (!event.actorId || event.outcome !== 'success') return undefined;

    const windowMinutes = numberParam(settings, 'windowMinutes');
    const maxRows = numberParam(settings, 'maxRows');
    const rows = rowCountOf(event);
    const exports = await findMemberEvents(db, { actorId: event.actorId, actions: EXPORT_ACTIONS, outcome: 'success', since: minutesBefore(event.occurredAt, windowMinutes), throughSeq: event.seq });
    const large = rows > maxRows;
    if (!large && exports.length < numberParam(settings, 'exports')) return undefined;

    return {
      userId: event.actorId,
      groupKey: '',
      facts: { reason: large ? 'large_export' : 'many_exports', exports: exports.length, windowMinutes, rows, maxRows },
      evidence: large ? [event.seq] : newestEvidence(exports.map((row) => Number(row.seq)), event.seq),
    };
  },
};

function rowCountOf(event: DetectorEvent): number {
  const value = event.details.rowCount ?? event.details.rows;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Every break-glass opening. The break-glass service raises its alert inside its own
 * transaction and names it in the event (`details.alertId`). The detector therefore leaves such
 * events alone and raises alerts only for openings recorded without one.
 */
export const breakGlassRule: DetectionRule = {
  key: 'break_glass',
  actions: new Set(['governance.break_glass']),
  async evaluate(event) {
    if (!event.actorId || event.outcome !== 'success' || typeof event.details.alertId === 'string') return undefined;
    return breakGlassFinding({ userId: event.actorId, clientId: event.clientId, grantId: stringDetail(event, 'grantId'), endsAt: stringDetail(event, 'endsAt'), seq: event.seq });
  },
};

export function breakGlassFinding({ userId, clientId, grantId, endsAt, seq }: { userId: string; clientId: string | null; grantId: string; endsAt: string; seq: number | null }): Finding {
  return { userId, clientId, groupKey: `client:${clientId ?? ''}`, facts: { grantId, endsAt }, evidence: seq === null ? [] : [seq] };
}

/**
 * A verification of the audit chain that found it broken: the scheduled or manual check, the
 * command line's, or the checkpoint job's check before signing. Repeats of the same break join
 * one alert.
 */
export const auditChainBrokenRule: DetectionRule = {
  key: 'audit_chain_broken',
  actions: new Set(['audit.verified']),
  async evaluate(event) {
    if (event.outcome !== 'failure' || event.details.intact !== false) return undefined;

    const firstBrokenSeq = typeof event.details.firstBrokenSeq === 'number' ? event.details.firstBrokenSeq : 0;
    const problem = stringDetail(event, 'problem');
    return { userId: null, groupKey: `break:${firstBrokenSeq}:${problem}`, facts: { firstBrokenSeq, problem, trigger: stringDetail(event, 'trigger') }, evidence: [event.seq] };
  },
};

function stringDetail(event: DetectorEvent, name: string): string {
  const value = event.details[name];
  return typeof value === 'string' ? value : '';
}
