import type { DbOrTrx } from '../db/index.js';

export type ChallengePurpose = 'second_factor' | 'enrol';

export interface LoginChallenge {
  idHash: string;
  userId: string;
  purpose: ChallengePurpose;
  expiresAt: string;
}

export async function insertLoginChallenge(db: DbOrTrx, challenge: LoginChallenge & { createdAt: string; ip: string | null; userAgent: string | null }): Promise<void> {
  await db
    .insertInto('login_challenges')
    .values({ id_hash: challenge.idHash, user_id: challenge.userId, purpose: challenge.purpose, created_at: challenge.createdAt, expires_at: challenge.expiresAt, ip: challenge.ip, user_agent: challenge.userAgent })
    .execute();
}

export async function findLoginChallenge(db: DbOrTrx, idHash: string, now: string): Promise<LoginChallenge | undefined> {
  const row = await db.selectFrom('login_challenges').select(['id_hash', 'user_id', 'purpose', 'expires_at']).where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
  return row && { idHash: row.id_hash, userId: row.user_id, purpose: row.purpose as ChallengePurpose, expiresAt: row.expires_at };
}

export async function deleteLoginChallenges(db: DbOrTrx, filter: { idHash?: string; userId?: string }): Promise<void> {
  let query = db.deleteFrom('login_challenges');
  if (filter.idHash) query = query.where('id_hash', '=', filter.idHash);
  if (filter.userId) query = query.where('user_id', '=', filter.userId);
  await query.execute();
}
