import type { Db, DbOrTrx } from '../db/index.js';
import { AppError } from '../errors/index.js';

/** Failed attempts allowed before a lock; each further lock doubles, up to an hour. */
export const FAILURES_BEFORE_LOCK = 5;
const FIRST_LOCK_MINUTES = 1;
const MAX_LOCK_MINUTES = 60;
/** Lock end of a lock that only an administrator's unlock lifts (an automatic security response). */
export const INDEFINITE_LOCK = '9999-12-31T23:59:59.999Z';

/**
 * Failure counters and escalating locks keyed by the username's comparison key. Unknown names
 * are counted and locked exactly like accounts, so neither the answer nor the lock reveals
 * whether an account exists; every sign-in method reports its failures here.
 */
export class SignInThrottle {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Throws `account_locked` with the minutes left while the name is locked, or `account_locked_by_alert` while a security response keeps it locked. */
  async assertNotLockedOrThrow(usernameKey: string, now: Date): Promise<void> {
    const row = await this.#db.selectFrom('sign_in_throttle').select('locked_until').where('username_key', '=', usernameKey).executeTakeFirst();
    if (row?.locked_until === INDEFINITE_LOCK) {
      throw new AppError('account_locked_by_alert');
    }
    if (row?.locked_until && row.locked_until > now.toISOString()) {
      const minutes = Math.max(1, Math.ceil((Date.parse(row.locked_until) - now.getTime()) / 60_000));
      throw new AppError('account_locked', { minutes });
    }
  }

  /** Counts one failure; returns the lock end when this failure locked the name. */
  async recordFailure(usernameKey: string, now: Date): Promise<string | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('sign_in_throttle').select(['failures', 'lockouts', 'locked_until']).where('username_key', '=', usernameKey).executeTakeFirst();
      const failures = Number(row?.failures ?? 0) + 1;
      const lockouts = Number(row?.lockouts ?? 0);
      const locking = failures >= FAILURES_BEFORE_LOCK;
      // A lock waiting for an administrator stays, whatever further failures are counted.
      const kept = row?.locked_until === INDEFINITE_LOCK ? INDEFINITE_LOCK : null;
      const lockedUntil = kept ?? (locking ? new Date(now.getTime() + Math.min(MAX_LOCK_MINUTES, FIRST_LOCK_MINUTES * 2 ** lockouts) * 60_000).toISOString() : null);
      const values = { failures: locking ? 0 : failures, lockouts: locking ? lockouts + 1 : lockouts, locked_until: lockedUntil, updated_at: now.toISOString() };

      await trx
        .insertInto('sign_in_throttle')
        .values({ username_key: usernameKey, ...values })
        .onConflict((conflict) => conflict.column('username_key').doUpdateSet(values))
        .execute();
      return kept ? undefined : (lockedUntil ?? undefined);
    });
  }

  async reset(usernameKey: string): Promise<void> {
    await this.#db.deleteFrom('sign_in_throttle').where('username_key', '=', usernameKey).execute();
  }
}

/**
 * Locks a member's username until an administrator unlocks it (the existing unlock deletes the
 * row). Runs inside the caller's transaction, so the lock commits with the alert that caused it.
 */
export async function lockUntilUnlocked(db: DbOrTrx, usernameKey: string, now: Date): Promise<void> {
  const values = { failures: 0, locked_until: INDEFINITE_LOCK, updated_at: now.toISOString() };
  await db
    .insertInto('sign_in_throttle')
    .values({ username_key: usernameKey, lockouts: 1, ...values })
    .onConflict((conflict) => conflict.column('username_key').doUpdateSet(values))
    .execute();
}
