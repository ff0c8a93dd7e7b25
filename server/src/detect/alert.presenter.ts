import type { DbOrTrx } from '../db/index.js';
import { type AlertListRow, findAlertNotes, findAlertResponses, findEvidenceEvents } from './alert.repository.js';

/** Presents an alert as the security dashboard receives it, in lists and on the live stream. */
export function presentAlert(row: AlertListRow) {
  return {
    id: row.id,
    rule: row.rule,
    severity: row.severity,
    status: row.status,
    userId: row.userId,
    username: row.username,
    displayName: row.displayName,
    clientId: row.clientId,
    clientName: row.clientName,
    facts: row.facts,
    count: row.count,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    responses: [...row.responses],
  };
}

export type AlertView = ReturnType<typeof presentAlert>;

/** Presents an alert with its evidence events, status notes and response log. */
export async function presentAlertDetail(db: DbOrTrx, row: AlertListRow) {
  const [events, notes, responseLog] = await Promise.all([findEvidenceEvents(db, row.evidence), findAlertNotes(db, row.id), findAlertResponses(db, row.id)]);
  return {
    ...presentAlert(row),
    evidence: events.map((event) => ({
      seq: Number(event.seq),
      occurredAt: event.occurred_at,
      actorUsername: event.actor_username,
      action: event.action,
      outcome: event.outcome,
      clientId: event.client_id,
      clientName: event.client_name,
      ip: event.ip,
      userAgent: event.user_agent,
      details: parseDetails(event.details),
    })),
    notes,
    responseLog,
  };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}
