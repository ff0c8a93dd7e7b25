import type { DbOrTrx } from '../db/index.js';
import type { AlertTable } from '../db/db.types.js';
import type { AlertSeverity } from '../notify/alert-notice.js';

export type AlertStatus = AlertTable['status'];
export const ALERT_STATUSES: readonly AlertStatus[] = Object.freeze(['new', 'acknowledged', 'resolved', 'false_positive']);
export const OPEN_STATUSES: readonly AlertStatus[] = Object.freeze(['new', 'acknowledged']);

export interface AlertRecord {
  readonly id: string;
  readonly rule: string;
  readonly severity: AlertSeverity;
  readonly status: AlertStatus;
  readonly userId: string | null;
  readonly clientId: string | null;
  readonly groupKey: string;
  readonly evidence: readonly number[];
  readonly facts: Readonly<Record<string, string | number>>;
  readonly count: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly responses: readonly string[];
  readonly revision: number;
}

/** An alert with the names the presenter shows beside the ids. */
export interface AlertListRow extends AlertRecord {
  readonly username: string | null;
  readonly displayName: string | null;
  readonly clientName: string | null;
}

const ALERT_COLUMNS = ['alerts.id', 'alerts.rule', 'alerts.severity', 'alerts.status', 'alerts.user_id', 'alerts.client_id', 'alerts.group_key', 'alerts.evidence', 'alerts.facts', 'alerts.count', 'alerts.first_seen_at', 'alerts.last_seen_at', 'alerts.created_at', 'alerts.updated_at', 'alerts.responses', 'alerts.revision'] as const;

type AlertRow = Pick<AlertTable, 'id' | 'rule' | 'severity' | 'status' | 'user_id' | 'client_id' | 'group_key' | 'evidence' | 'facts' | 'count' | 'first_seen_at' | 'last_seen_at' | 'created_at' | 'updated_at' | 'responses' | 'revision'>;

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toAlert(row: AlertRow): AlertRecord {
  const evidence = parseJson<unknown>(row.evidence, []);
  return {
    id: row.id,
    rule: row.rule,
    severity: row.severity,
    status: row.status,
    userId: row.user_id,
    clientId: row.client_id,
    groupKey: row.group_key,
    evidence: Array.isArray(evidence) ? evidence.map(Number).filter(Number.isFinite) : [],
    facts: parseJson(row.facts, {}),
    count: Number(row.count),
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    responses: parseJson(row.responses, []),
    revision: Number(row.revision),
  };
}

/**
 * Takes the next alert revision. The counter row stays locked until the transaction ends, so
 * revisions become visible in the order they were taken and a reader that follows them misses
 * nothing. Every transaction that writes alerts calls this before its first other write: taking
 * this lock first everywhere is what keeps alert writers from deadlocking one another or the
 * audit log's head lock, which they take last.
 */
export async function nextAlertRevision(trx: DbOrTrx): Promise<number> {
  const row = await trx
    .updateTable('alert_revision')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('id', '=', 1)
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

export async function findLatestAlertRevision(db: DbOrTrx): Promise<number> {
  const row = await db.selectFrom('alert_revision').select('value').where('id', '=', 1).executeTakeFirst();
  return Number(row?.value ?? 0);
}

/** Finds the open alert a repeat joins: same rule, member and group key, last seen at or after `seenSince`. */
export async function findOpenGroupAlert(trx: DbOrTrx, { rule, userId, groupKey, seenSince }: { rule: string; userId: string | null; groupKey: string; seenSince: string }): Promise<AlertRecord | undefined> {
  const row = await trx
    .selectFrom('alerts')
    .select(ALERT_COLUMNS)
    .where('rule', '=', rule)
    .where('group_key', '=', groupKey)
    .where('status', 'in', [...OPEN_STATUSES])
    .where('user_id', userId === null ? 'is' : '=', userId)
    .where('last_seen_at', '>=', seenSince)
    .orderBy('last_seen_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toAlert(row);
}

export async function insertAlert(trx: DbOrTrx, alert: AlertRecord): Promise<void> {
  await trx
    .insertInto('alerts')
    .values({
      id: alert.id,
      rule: alert.rule,
      severity: alert.severity,
      status: alert.status,
      user_id: alert.userId,
      client_id: alert.clientId,
      group_key: alert.groupKey,
      evidence: JSON.stringify(alert.evidence),
      facts: JSON.stringify(alert.facts),
      count: alert.count,
      first_seen_at: alert.firstSeenAt,
      last_seen_at: alert.lastSeenAt,
      created_at: alert.createdAt,
      updated_at: alert.updatedAt,
      responses: JSON.stringify(alert.responses),
      revision: alert.revision,
    })
    .execute();
}

export async function updateAlert(trx: DbOrTrx, id: string, change: Partial<Pick<AlertRecord, 'status' | 'evidence' | 'facts' | 'count' | 'lastSeenAt' | 'responses'>> & { updatedAt: string; revision: number }): Promise<void> {
  await trx
    .updateTable('alerts')
    .set({
      updated_at: change.updatedAt,
      revision: change.revision,
      ...(change.status ? { status: change.status } : {}),
      ...(change.evidence ? { evidence: JSON.stringify(change.evidence) } : {}),
      ...(change.facts ? { facts: JSON.stringify(change.facts) } : {}),
      ...(change.count !== undefined ? { count: change.count } : {}),
      ...(change.lastSeenAt ? { last_seen_at: change.lastSeenAt } : {}),
      ...(change.responses ? { responses: JSON.stringify(change.responses) } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function findAlert(db: DbOrTrx, id: string): Promise<AlertListRow | undefined> {
  const row = await withNames(db).where('alerts.id', '=', id).executeTakeFirst();
  return row && toListRow(row);
}

export interface AlertListFilter {
  readonly status?: AlertStatus | undefined;
  readonly severity?: AlertSeverity | undefined;
  readonly rule?: string | undefined;
  readonly userId?: string | undefined;
  readonly sort: 'createdAt' | '-createdAt' | 'severity' | '-severity';
  readonly offset: number;
  readonly limit: number;
}

export async function listAlerts(db: DbOrTrx, filter: AlertListFilter): Promise<{ total: number; items: AlertListRow[] }> {
  let query = withNames(db);
  let count = db.selectFrom('alerts').select((eb) => eb.fn.countAll<number>().as('total'));
  if (filter.status) {
    query = query.where('alerts.status', '=', filter.status);
    count = count.where('alerts.status', '=', filter.status);
  }
  if (filter.severity) {
    query = query.where('alerts.severity', '=', filter.severity);
    count = count.where('alerts.severity', '=', filter.severity);
  }
  if (filter.rule) {
    query = query.where('alerts.rule', '=', filter.rule);
    count = count.where('alerts.rule', '=', filter.rule);
  }
  if (filter.userId) {
    query = query.where('alerts.user_id', '=', filter.userId);
    count = count.where('alerts.user_id', '=', filter.userId);
  }

  const descending = filter.sort.startsWith('-');
  const direction = descending ? 'desc' : 'asc';
  const ordered =
    filter.sort.endsWith('severity')
      ? query
          .orderBy((eb) => eb.case().when('alerts.severity', '=', 'critical').then(4).when('alerts.severity', '=', 'high').then(3).when('alerts.severity', '=', 'medium').then(2).else(1).end(), direction)
          .orderBy('alerts.created_at', 'desc')
      : query.orderBy('alerts.created_at', direction);
  const [rows, total] = await Promise.all([ordered.orderBy('alerts.id').offset(filter.offset).limit(filter.limit).execute(), count.executeTakeFirstOrThrow()]);
  return { total: Number(total.total), items: rows.map(toListRow) };
}

/** Alerts changed after `revision`, oldest change first. */
export async function findAlertsChangedAfter(db: DbOrTrx, revision: number, limit: number): Promise<AlertListRow[]> {
  const rows = await withNames(db).where('alerts.revision', '>', revision).orderBy('alerts.revision').limit(limit).execute();
  return rows.map(toListRow);
}

function withNames(db: DbOrTrx) {
  return db
    .selectFrom('alerts')
    .leftJoin('users', 'users.id', 'alerts.user_id')
    .leftJoin('clients', 'clients.id', 'alerts.client_id')
    .select(ALERT_COLUMNS)
    .select(['users.username', 'users.display_name', 'clients.name as client_name']);
}

function toListRow(row: AlertRow & { username: string | null; display_name: string | null; client_name: string | null }): AlertListRow {
  return { ...toAlert(row), username: row.username, displayName: row.display_name, clientName: row.client_name };
}

export async function insertAlertNote(trx: DbOrTrx, note: { id: string; alertId: string; at: string; userId: string; username: string; from: AlertStatus; to: AlertStatus; note: string }): Promise<void> {
  await trx.insertInto('alert_notes').values({ id: note.id, alert_id: note.alertId, at: note.at, user_id: note.userId, username: note.username, from_status: note.from, to_status: note.to, note: note.note }).execute();
}

export async function findAlertNotes(db: DbOrTrx, alertId: string) {
  const rows = await db.selectFrom('alert_notes').select(['at', 'username', 'from_status', 'to_status', 'note']).where('alert_id', '=', alertId).orderBy('at').orderBy('id').execute();
  return rows.map((row) => ({ at: row.at, username: row.username, from: row.from_status, to: row.to_status, note: row.note }));
}

export async function insertAlertResponse(trx: DbOrTrx, response: { id: string; alertId: string; position: number; kind: string; at: string; outcome: 'done' | 'skipped'; detail: string | null }): Promise<void> {
  await trx.insertInto('alert_responses').values({ id: response.id, alert_id: response.alertId, position: response.position, kind: response.kind, at: response.at, outcome: response.outcome, detail: response.detail }).execute();
}

export async function findAlertResponses(db: DbOrTrx, alertId: string) {
  const rows = await db.selectFrom('alert_responses').select(['kind', 'at', 'outcome', 'detail']).where('alert_id', '=', alertId).orderBy('position').execute();
  return rows.map((row) => ({ kind: row.kind, at: row.at, outcome: row.outcome, detail: row.detail }));
}

/** Audit events named as evidence, with the client's name, in sequence order. */
export async function findEvidenceEvents(db: DbOrTrx, seqs: readonly number[]) {
  if (seqs.length === 0) return [];
  return db
    .selectFrom('audit_events')
    .leftJoin('clients', 'clients.id', 'audit_events.client_id')
    .select(['audit_events.seq', 'audit_events.occurred_at', 'audit_events.actor_username', 'audit_events.action', 'audit_events.outcome', 'audit_events.client_id', 'clients.name as client_name', 'audit_events.ip', 'audit_events.user_agent', 'audit_events.details'])
    .where('audit_events.seq', 'in', [...seqs])
    .orderBy('audit_events.seq')
    .execute();
}

/** Adds an evidence event to an alert written earlier in the same transaction. */
export async function addEvidence(trx: DbOrTrx, id: string, seq: number): Promise<void> {
  const row = await trx.selectFrom('alerts').select('evidence').where('id', '=', id).executeTakeFirst();
  if (!row) return;
  const evidence = parseJson<unknown>(row.evidence, []);
  const seqs = Array.isArray(evidence) ? evidence.map(Number).filter(Number.isFinite) : [];
  await trx.updateTable('alerts').set({ evidence: JSON.stringify([...new Set([...seqs, seq])].sort((a, b) => a - b)) }).where('id', '=', id).execute();
}
