import type { AuditEventTable } from '../db/db.types.js';

/** An audit event as the rules read it: the row with its details parsed. */
export interface DetectorEvent {
  readonly seq: number;
  readonly occurredAt: string;
  readonly actorId: string | null;
  readonly actorUsername: string | null;
  readonly action: string;
  readonly outcome: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly clientId: string | null;
  readonly ip: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

export function toDetectorEvent(row: Pick<AuditEventTable, 'seq' | 'occurred_at' | 'actor_id' | 'actor_username' | 'action' | 'outcome' | 'target_type' | 'target_id' | 'client_id' | 'ip' | 'details'>): DetectorEvent {
  return {
    seq: Number(row.seq),
    occurredAt: row.occurred_at,
    actorId: row.actor_id,
    actorUsername: row.actor_username,
    action: row.action,
    outcome: row.outcome,
    targetType: row.target_type,
    targetId: row.target_id,
    clientId: row.client_id,
    ip: row.ip,
    details: parseDetails(row.details),
  };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Returns whether a successful `auth.login` event opened a session (and is not the password step before a second factor). */
export function isSessionOpened(event: Pick<DetectorEvent, 'action' | 'outcome' | 'details'>): boolean {
  return event.action === 'auth.login' && event.outcome === 'success' && (event.details.step === undefined || event.details.step === 'session_opened');
}

/** Returns the instant `minutes` before an ISO instant, as ISO text. */
export function minutesBefore(instant: string, minutes: number): string {
  return new Date(Date.parse(instant) - minutes * 60_000).toISOString();
}
