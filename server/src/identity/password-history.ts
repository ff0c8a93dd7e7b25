import { randomUUID } from 'node:crypto';
import type { DbOrTrx } from '../db/index.js';
import { verifyPassword } from './password.js';

/**
 * Tells whether `password` is the member's current password or one of the `historySize` newest
 * entries of `password_history`. The check runs up to `historySize + 1` argon2 verifications, each
 * about 45 ms with the production parameters on a 2-core server.
 */
export async function isInHistory(db: DbOrTrx, userId: string, password: string, historySize: number): Promise<boolean> {
  const user = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  const earlier = historySize > 0 ? await newestEntries(db, userId, historySize).select('password_hash').execute() : [];

  const hashes = [user?.password_hash, ...earlier.map((entry) => entry.password_hash)];
  for (const passwordHash of hashes) {
    if (passwordHash && (await verifyPassword(passwordHash, password))) {
      return true;
    }
  }
  return false;
}

/**
 * Records a password hash in the member's history and deletes all but the `historySize` newest
 * entries. Pass the hash being replaced, in the transaction that stores the new one. The history
 * then contains the passwords before the current one, and `isInHistory` reads the current one
 * from `users`.
 */
export async function rememberPassword(db: DbOrTrx, userId: string, passwordHash: string, historySize: number): Promise<void> {
  if (historySize <= 0) {
    await db.deleteFrom('password_history').where('user_id', '=', userId).execute();
    return;
  }

  // Entries are ordered by time alone, so a new one must sort after every earlier one even when
  // two changes share a millisecond or the clock has stepped back.
  const newest = await newestEntries(db, userId, 1).select('created_at').executeTakeFirst();
  const now = Date.now();
  const createdAt = new Date(newest ? Math.max(now, Date.parse(newest.created_at) + 1) : now).toISOString();

  await db.insertInto('password_history').values({ id: randomUUID(), user_id: userId, password_hash: passwordHash, created_at: createdAt }).execute();

  const newestIds = newestEntries(db, userId, historySize).select('id');
  await db.deleteFrom('password_history').where('user_id', '=', userId).where('id', 'not in', newestIds).execute();
}

function newestEntries(db: DbOrTrx, userId: string, count: number) {
  return db.selectFrom('password_history').where('user_id', '=', userId).orderBy('created_at', 'desc').limit(count);
}
