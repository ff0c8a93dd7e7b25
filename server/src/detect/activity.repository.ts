import { sql } from 'kysely';
import type { DbOrTrx } from '../db/index.js';

/**
 * Per-member daily activity, written by the detector in the same transaction that moves its
 * cursor, so every event counts exactly once. Days are local dates in the firm's time zone.
 */

export interface ActivityDay {
  readonly day: string;
  readonly clientsAccessed: number;
  readonly valuesRevealed: number;
}

/** Records that a member accessed a client on a day; returns false when it was already recorded. */
export async function recordClientAccess(db: DbOrTrx, { userId, day, clientId, departmentId }: { userId: string; day: string; clientId: string; departmentId: string | null }): Promise<boolean> {
  const inserted = await db
    .insertInto('member_day_clients')
    .values({ user_id: userId, day, client_id: clientId, department_id: departmentId })
    .onConflict((conflict) => conflict.columns(['user_id', 'day', 'client_id']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;

  await db
    .insertInto('member_activity_days')
    .values({ user_id: userId, day, clients_accessed: 1, values_revealed: 0 })
    .onConflict((conflict) => conflict.columns(['user_id', 'day']).doUpdateSet({ clients_accessed: sql`member_activity_days.clients_accessed + 1` }))
    .execute();
  return true;
}

export async function recordReveal(db: DbOrTrx, { userId, day }: { userId: string; day: string }): Promise<void> {
  await db
    .insertInto('member_activity_days')
    .values({ user_id: userId, day, clients_accessed: 0, values_revealed: 1 })
    .onConflict((conflict) => conflict.columns(['user_id', 'day']).doUpdateSet({ values_revealed: sql`member_activity_days.values_revealed + 1` }))
    .execute();
}

/** Returns the member's activity on the days from `fromDay` (inclusive) to `toDay` (exclusive); days without activity have no row. */
export async function findActivityDays(db: DbOrTrx, { userId, fromDay, toDay }: { userId: string; fromDay: string; toDay: string }): Promise<ActivityDay[]> {
  const rows = await db
    .selectFrom('member_activity_days')
    .select(['day', 'clients_accessed', 'values_revealed'])
    .where('user_id', '=', userId)
    .where('day', '>=', fromDay)
    .where('day', '<', toDay)
    .execute();
  return rows.map((row) => ({ day: row.day, clientsAccessed: Number(row.clients_accessed), valuesRevealed: Number(row.values_revealed) }));
}

export async function findActivityDay(db: DbOrTrx, { userId, day }: { userId: string; day: string }): Promise<ActivityDay> {
  const row = await db.selectFrom('member_activity_days').select(['clients_accessed', 'values_revealed']).where('user_id', '=', userId).where('day', '=', day).executeTakeFirst();
  return { day, clientsAccessed: Number(row?.clients_accessed ?? 0), valuesRevealed: Number(row?.values_revealed ?? 0) };
}

/** Returns whether the member accessed the client on any day from `fromDay` on. */
export async function hasAccessedClientSince(db: DbOrTrx, { userId, clientId, fromDay }: { userId: string; clientId: string; fromDay: string }): Promise<boolean> {
  const row = await db.selectFrom('member_day_clients').select('day').where('user_id', '=', userId).where('client_id', '=', clientId).where('day', '>=', fromDay).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Departments of the clients the member accessed from `fromDay` (inclusive) to `toDay` (exclusive). */
export async function findDepartmentsAccessed(db: DbOrTrx, { userId, fromDay, toDay }: { userId: string; fromDay: string; toDay: string }): Promise<Set<string>> {
  const rows = await db
    .selectFrom('member_day_clients')
    .select('department_id')
    .distinct()
    .where('user_id', '=', userId)
    .where('day', '>=', fromDay)
    .where('day', '<', toDay)
    .where('department_id', 'is not', null)
    .execute();
  return new Set(rows.map((row) => row.department_id!));
}

/** Deletes activity older than `beforeDay`; the baselines never look back further. */
export async function pruneActivity(db: DbOrTrx, beforeDay: string): Promise<number> {
  const clients = await db.deleteFrom('member_day_clients').where('day', '<', beforeDay).executeTakeFirst();
  const days = await db.deleteFrom('member_activity_days').where('day', '<', beforeDay).executeTakeFirst();
  return Number(clients.numDeletedRows) + Number(days.numDeletedRows);
}
