import type { DbOrTrx } from '../db/index.js';

/**
 * Queries over the audit log before an event. Each one is bounded by `throughSeq` (the event
 * under evaluation) as well as by time, so evaluating the same event again gives the same
 * result whatever was appended since.
 */
const WINDOW_LIMIT = 5000;

/**
 * Finds the failed sign-ins of one account name or from one address within the window, newest
 * first, with the other key of each failure: the address for an account and the account for an
 * address.
 */
export async function findFailedSignIns(db: DbOrTrx, { by, value, since, throughSeq }: { by: 'account' | 'address'; value: string; since: string; throughSeq: number }) {
  return db
    .selectFrom('audit_events')
    .select(['seq', 'ip', 'actor_username'])
    .where(by === 'account' ? 'actor_username' : 'ip', '=', value)
    .where('occurred_at', '>=', since)
    .where('action', '=', 'auth.login')
    .where('outcome', '=', 'failure')
    .where('seq', '<=', throughSeq)
    .orderBy('seq', 'desc')
    .limit(WINDOW_LIMIT)
    .execute();
}

/** Finds the id of the member whose username key is `key`, or `undefined` when no account has it. */
export async function findUserIdByUsernameKey(db: DbOrTrx, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('users').select('id').where('username_key', '=', key).executeTakeFirst();
  return row?.id;
}

/** Finds one member's events of the given actions since `since`, newest first. */
export async function findMemberEvents(db: DbOrTrx, { actorId, actions, since, throughSeq, outcome }: { actorId: string; actions: readonly string[]; since: string; throughSeq: number; outcome?: 'success' | 'denied' | 'failure' }) {
  let query = db
    .selectFrom('audit_events')
    .select(['seq', 'occurred_at', 'ip', 'details'])
    .where('actor_id', '=', actorId)
    .where('action', 'in', [...actions])
    .where('occurred_at', '>=', since)
    .where('seq', '<=', throughSeq);
  if (outcome) query = query.where('outcome', '=', outcome);
  return query.orderBy('seq', 'desc').limit(WINDOW_LIMIT).execute();
}

/** Finds the member's latest successful sign-in step before the event, by time. */
export async function findLastSignInBefore(db: DbOrTrx, { actorId, beforeSeq }: { actorId: string; beforeSeq: number }) {
  return db
    .selectFrom('audit_events')
    .select(['seq', 'occurred_at'])
    .where('actor_id', '=', actorId)
    .where('action', 'in', ['auth.login', 'auth.setup'])
    .where('outcome', '=', 'success')
    .where('seq', '<', beforeSeq)
    .orderBy('occurred_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
