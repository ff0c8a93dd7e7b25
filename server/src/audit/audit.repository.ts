import type { SelectQueryBuilder } from 'kysely';
import type { DatabaseSchema, Db, DbOrTrx, DialectName } from '../db/index.js';
import type { AuditEvent, AuditOutcome } from './audit.types.js';
import { usernameKey } from '../identity/username.js';
import { GENESIS_HASH } from './canonical.js';

type AuditRow = {
  seq: number;
  occurred_at: string;
  actor_id: string | null;
  actor_username: string | null;
  action: string;
  outcome: AuditOutcome;
  target_type: string | null;
  target_id: string | null;
  client_id: string | null;
  fields: string;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string;
  prev_hash: string;
  hash: string;
};

export function toAuditEvent(row: AuditRow): AuditEvent {
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
    fields: JSON.parse(row.fields) as string[],
    reason: row.reason,
    ip: row.ip,
    userAgent: row.user_agent,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export async function ensureChainHead(db: Db): Promise<void> {
  await db
    .insertInto('audit_head')
    .values({ id: 1, seq: 0, hash: GENESIS_HASH })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
}

/**
 * Reads the chain head inside the caller's transaction. On PostgreSQL the row is locked
 * (`FOR UPDATE`) so concurrent appends from other connections queue behind this one; SQLite
 * has a single writer, so its write transaction already serializes them.
 */
export async function lockChainHead(trx: DbOrTrx, dialect: DialectName): Promise<{ seq: number; hash: string }> {
  let query = trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
  if (dialect === 'postgres') {
    query = query.forUpdate();
  }
  const head = await query.executeTakeFirstOrThrow();
  return { seq: Number(head.seq), hash: head.hash };
}

export async function insertAuditRows(trx: DbOrTrx, rows: AuditRow[], head: { seq: number; hash: string }): Promise<void> {
  await trx.insertInto('audit_events').values(rows).execute();
  await trx.updateTable('audit_head').set({ seq: head.seq, hash: head.hash }).where('id', '=', 1).execute();
}

/** The audit page's filters. Instants are UTC ISO text. */
export interface AuditFilters {
  from?: string | undefined;
  to?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  clientId?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** An address, matched exactly, or a text prefix ending in `*` such as `10.0.3.*`. */
  ip?: string | undefined;
}

export interface AuditSearch extends AuditFilters {
  offset: number;
  limit: number;
}

/** Adds the filters to a query over `audit_events`. The search and the export share it. */
export function whereAuditFilters<Output>(query: SelectQueryBuilder<DatabaseSchema, 'audit_events', Output>, filters: AuditFilters): SelectQueryBuilder<DatabaseSchema, 'audit_events', Output> {
  let filtered = query;
  if (filters.from) filtered = filtered.where('occurred_at', '>=', filters.from);
  if (filters.to) filtered = filtered.where('occurred_at', '<=', filters.to);
  if (filters.actor) {
    // Usernames are compared by their folded key, as sign-in does, so `BK1` finds the events of `bk1`.
    // SQLite's lower() folds ASCII only, which covers every valid username.
    const actor = filters.actor;
    const key = usernameKey(actor);
    filtered = filtered.where((eb) => eb.or([eb(eb.fn<string>('lower', ['actor_username']), '=', key), eb('actor_id', '=', actor)]));
  }
  if (filters.action) filtered = filtered.where('action', '=', filters.action);
  if (filters.clientId) filtered = filtered.where('client_id', '=', filters.clientId);
  if (filters.outcome) filtered = filtered.where('outcome', '=', filters.outcome);
  if (filters.ip) filtered = whereAddress(filtered, filters.ip);
  return filtered;
}

/**
 * Matches the address exactly, or by text prefix when it ends in `*`. The prefix is compared with
 * `substr(...) = ?` and not with LIKE, so `%` and `_` in the input stay literal on both databases.
 */
function whereAddress<Output>(query: SelectQueryBuilder<DatabaseSchema, 'audit_events', Output>, address: string): SelectQueryBuilder<DatabaseSchema, 'audit_events', Output> {
  // Node reports IPv6 addresses in lower case, and both databases compare text case-sensitively here.
  const normalized = address.toLowerCase();
  if (!normalized.endsWith('*')) {
    return query.where('ip', '=', normalized);
  }

  const prefix = normalized.slice(0, -1);
  return query.where((eb) => eb(eb.fn<string>('substr', ['ip', eb.val(1), eb.val(prefix.length)]), '=', prefix));
}

export async function searchAuditEvents(db: DbOrTrx, search: AuditSearch): Promise<{ items: AuditEvent[]; total: number }> {
  const query = whereAuditFilters(db.selectFrom('audit_events'), search);

  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('seq', 'desc').offset(search.offset).limit(search.limit).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toAuditEvent), total: Number(count.total) };
}

export async function findAuditEvent(db: DbOrTrx, seq: number): Promise<AuditEvent | undefined> {
  const row = await db.selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirst();
  return row === undefined ? undefined : toAuditEvent(row);
}

/** Returns the names of the given clients by id, leaving out ids without a client row. */
export async function findClientNames(db: DbOrTrx, clientIds: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(clientIds)];
  if (unique.length === 0) return new Map();

  const rows = await db.selectFrom('clients').select(['id', 'name']).where('id', 'in', unique).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** Streams events in chain order, a page at a time, for verification and export. */
export async function* readAuditChain(db: DbOrTrx, pageSize = 5000): AsyncGenerator<AuditRow> {
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_events').selectAll().where('seq', '>', after).orderBy('seq').limit(pageSize).execute();
    for (const row of rows) {
      yield row;
    }
    if (rows.length < pageSize) {
      return;
    }
    after = Number(rows[rows.length - 1]!.seq);
  }
}

export type { AuditRow };
