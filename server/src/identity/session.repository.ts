import type { DbOrTrx } from '../db/index.js';

export interface SessionRecord {
  idHash: string;
  publicId: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  secondFactorAt: string | null;
  authMethod: string | null;
  ip: string | null;
  userAgent: string | null;
}

type SessionRow = {
  id_hash: string; public_id: string | null; user_id: string; created_at: string; last_seen_at: string; idle_expires_at: string; absolute_expires_at: string;
  second_factor_at: string | null; auth_method: string | null; ip: string | null; user_agent: string | null;
};

function toSession(row: SessionRow): SessionRecord {
  return {
    idHash: row.id_hash,
    publicId: row.public_id ?? row.id_hash.slice(0, 16),
    userId: row.user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    idleExpiresAt: row.idle_expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
    secondFactorAt: row.second_factor_at,
    authMethod: row.auth_method,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

const COLUMNS = ['id_hash', 'public_id', 'user_id', 'created_at', 'last_seen_at', 'idle_expires_at', 'absolute_expires_at', 'second_factor_at', 'auth_method', 'ip', 'user_agent'] as const;

export async function insertSession(db: DbOrTrx, session: SessionRecord & { deviceId: string | null }): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: session.idHash,
      public_id: session.publicId,
      user_id: session.userId,
      created_at: session.createdAt,
      last_seen_at: session.lastSeenAt,
      idle_expires_at: session.idleExpiresAt,
      absolute_expires_at: session.absoluteExpiresAt,
      second_factor_at: session.secondFactorAt,
      auth_method: session.authMethod,
      device_id: session.deviceId,
      ip: session.ip,
      user_agent: session.userAgent,
    })
    .execute();
}

export async function findSession(db: DbOrTrx, idHash: string): Promise<SessionRecord | undefined> {
  const row = await db.selectFrom('sessions').select(COLUMNS).where('id_hash', '=', idHash).executeTakeFirst();
  return row && toSession(row);
}

export async function listSessions(db: DbOrTrx, filter: { userId?: string; activeAt: string }): Promise<(SessionRecord & { username: string; displayName: string })[]> {
  let query = db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(COLUMNS.map((column) => `sessions.${column}` as const))
    .select(['users.username', 'users.display_name'])
    .where('sessions.idle_expires_at', '>', filter.activeAt)
    .where('sessions.absolute_expires_at', '>', filter.activeAt);
  if (filter.userId) query = query.where('sessions.user_id', '=', filter.userId);
  const rows = await query.orderBy('sessions.last_seen_at', 'desc').limit(1000).execute();
  return rows.map((row) => ({ ...toSession(row), username: row.username, displayName: row.display_name }));
}

export async function touchSession(db: DbOrTrx, idHash: string, lastSeenAt: string, idleExpiresAt: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt }).where('id_hash', '=', idHash).execute();
}

export async function markSecondFactor(db: DbOrTrx, idHash: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ second_factor_at: at }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: DbOrTrx, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteSessionByPublicId(db: DbOrTrx, publicId: string, userId?: string): Promise<string | undefined> {
  let query = db.selectFrom('sessions').select(['id_hash', 'user_id']).where('public_id', '=', publicId);
  if (userId) query = query.where('user_id', '=', userId);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  await deleteSession(db, row.id_hash);
  return row.user_id;
}

/** Deletes every session of a member except `keepIdHash`; returns how many ended. */
export async function deleteSessionsOfUser(db: DbOrTrx, userId: string, keepIdHash?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepIdHash) query = query.where('id_hash', '!=', keepIdHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
