import type { Insertable, Selectable } from 'kysely';
import type { DbOrTrx } from '../db/index.js';
import type { DeliveryStatus, NotificationDeliveryTable } from './notify.tables.js';

export type DeliveryRow = Selectable<NotificationDeliveryTable>;

export async function insertDeliveries(db: DbOrTrx, rows: readonly Insertable<NotificationDeliveryTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('notification_deliveries').values([...rows]).execute();
}

/** Ids of pending deliveries that are due, oldest first. Claim each before sending it. */
export async function findDueDeliveryIds(db: DbOrTrx, now: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('notification_deliveries').select('id').where('status', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').orderBy('id').limit(limit).execute();
  return rows.map((row) => row.id);
}

/**
 * Claims one due delivery with a conditional update: it succeeds only while the row is still
 * pending and due, and moves its due time to the end of the lease. Of two dispatchers racing for
 * the row, the second update matches no row (PostgreSQL re-checks the condition after the first
 * commits; SQLite runs one writer at a time), so only one of them sends it.
 */
export async function claimDelivery(db: DbOrTrx, { id, now, leaseUntil, claimToken }: { id: string; now: string; leaseUntil: string; claimToken: string }): Promise<DeliveryRow | undefined> {
  const result = await db
    .updateTable('notification_deliveries')
    .set((eb) => ({ next_attempt_at: leaseUntil, claim_token: claimToken, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return db.selectFrom('notification_deliveries').selectAll().where('id', '=', id).where('claim_token', '=', claimToken).executeTakeFirst();
}

/**
 * Records the outcome of a claimed attempt. Only the holder of the current claim may, so a
 * dispatcher whose lease ran out cannot overwrite a later attempt's result.
 */
export async function recordAttempt(db: DbOrTrx, { id, claimToken, status, attemptedAt, nextAttemptAt, lastError }: { id: string; claimToken: string; status: DeliveryStatus; attemptedAt: string; nextAttemptAt: string | null; lastError: string | null }): Promise<boolean> {
  const result = await db
    .updateTable('notification_deliveries')
    .set({ status, last_attempt_at: attemptedAt, next_attempt_at: nextAttemptAt, last_error: lastError, sent_at: status === 'sent' ? attemptedAt : null, claim_token: null })
    .where('id', '=', id)
    .where('claim_token', '=', claimToken)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks a deleted channel's pending deliveries failed, since nothing can send them any more. */
export async function failPendingForChannel(db: DbOrTrx, channelId: string, lastError: string): Promise<void> {
  await db.updateTable('notification_deliveries').set({ status: 'failed', next_attempt_at: null, claim_token: null, last_error: lastError }).where('channel_id', '=', channelId).where('status', '=', 'pending').execute();
}

export interface DeliveryFilter {
  readonly status?: DeliveryStatus | undefined;
  readonly channelId?: string | undefined;
}

export async function listDeliveries(db: DbOrTrx, filter: DeliveryFilter, { offset, limit }: { offset: number; limit: number }): Promise<{ total: number; rows: DeliveryRow[] }> {
  let query = db.selectFrom('notification_deliveries');
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.channelId) query = query.where('channel_id', '=', filter.channelId);

  const counted = await query.select((eb) => eb.fn.countAll<string | number>().as('total')).executeTakeFirstOrThrow();
  const rows = await query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').offset(offset).limit(limit).execute();
  return { total: Number(counted.total), rows };
}

/** Finds the newest delivery of each channel for the channel list. A firm has a handful of channels, so one query each is cheap. */
export async function findLatestDeliveries(db: DbOrTrx, channelIds: readonly string[]): Promise<Map<string, DeliveryRow>> {
  const latest = new Map<string, DeliveryRow>();
  for (const channelId of channelIds) {
    const row = await db.selectFrom('notification_deliveries').selectAll().where('channel_id', '=', channelId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (row) latest.set(channelId, row);
  }
  return latest;
}
