import type { Db, DbOrTrx, DialectName } from '../db/index.js';
import type { AuditEvent, AuditOutcome } from './audit.types.js';
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

export interface AuditSearch {
  from?: string | undefined;
  to?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  clientId?: string | undefined;
  outcome?: AuditOutcome | undefined;
  offset: number;
  limit: number;
}

export async function searchAuditEvents(db: DbOrTrx, search: AuditSearch): Promise<{ items: AuditEvent[]; total: number }> {
  let query = db.selectFrom('audit_events');
  if (search.from) query = query.where('occurred_at', '>=', search.from);
  if (search.to) query = query.where('occurred_at', '<=', search.to);
  if (search.actor) {
    const actor = search.actor;
    query = query.where((eb) => eb.or([eb('actor_username', '=', actor), eb('actor_id', '=', actor)]));
  }
  if (search.action) query = query.where('action', '=', search.action);
  if (search.clientId) query = query.where('client_id', '=', search.clientId);
  if (search.outcome) query = query.where('outcome', '=', search.outcome);

  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('seq', 'desc').offset(search.offset).limit(search.limit).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toAuditEvent), total: Number(count.total) };
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
