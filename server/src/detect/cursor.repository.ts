import type { DbOrTrx } from '../db/index.js';

/** Returns the cursor's position; a missing row (a cursor name never used) starts at the beginning of the log. */
export async function findCursor(db: DbOrTrx, name: string): Promise<number> {
  const row = await db.selectFrom('detector_cursors').select('last_seq').where('name', '=', name).executeTakeFirst();
  if (row) return Number(row.last_seq);

  await db
    .insertInto('detector_cursors')
    .values({ name, last_seq: 0, claimed_at: null, updated_at: new Date().toISOString() })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  return 0;
}

export async function hasEventsAfter(db: DbOrTrx, seq: number): Promise<boolean> {
  const row = await db.selectFrom('audit_events').select('seq').where('seq', '>', seq).orderBy('seq').limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * Claims the cursor row for this transaction and returns its committed position. The claim is
 * an update, so it is the transaction's first write. On PostgreSQL a second detector waits on
 * the row lock and then reads the position the first one moved to. On SQLite the update takes
 * the write lock at once, before any read could go stale.
 */
export async function claimCursor(trx: DbOrTrx, name: string, at: string): Promise<number> {
  const row = await trx.updateTable('detector_cursors').set({ claimed_at: at }).where('name', '=', name).returning('last_seq').executeTakeFirstOrThrow();
  return Number(row.last_seq);
}

export async function findEventsAfter(trx: DbOrTrx, seq: number, limit: number) {
  return trx
    .selectFrom('audit_events')
    .select(['seq', 'occurred_at', 'actor_id', 'actor_username', 'action', 'outcome', 'target_type', 'target_id', 'client_id', 'ip', 'details'])
    .where('seq', '>', seq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Moves the cursor from `from` to `to` only if it is still at `from`; returns whether it moved. */
export async function moveCursor(trx: DbOrTrx, { name, from, to, at }: { name: string; from: number; to: number; at: string }): Promise<boolean> {
  const result = await trx.updateTable('detector_cursors').set({ last_seq: to, updated_at: at }).where('name', '=', name).where('last_seq', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
