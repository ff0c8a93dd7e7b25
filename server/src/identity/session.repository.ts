import type { DbOrTrx } from '../db/index.js';

export interface SessionRecord {
  idHash: string;
  userId: string;
  createdAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
}

export async function insertSession(
  db: DbOrTrx,
  session: SessionRecord & { ip: string | null; userAgent: string | null },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: session.idHash,
      user_id: session.userId,
      created_at: session.createdAt,
      last_seen_at: session.createdAt,
      idle_expires_at: session.idleExpiresAt,
      absolute_expires_at: session.absoluteExpiresAt,
      ip: session.ip,
      user_agent: session.userAgent,
    })
    .execute();
}

export async function findSession(db: DbOrTrx, idHash: string): Promise<SessionRecord | undefined> {
  const row = await db
    .selectFrom('sessions')
    .select(['id_hash', 'user_id', 'created_at', 'idle_expires_at', 'absolute_expires_at'])
    .where('id_hash', '=', idHash)
    .executeTakeFirst();
  return row && { idHash: row.id_hash, userId: row.user_id, createdAt: row.created_at, idleExpiresAt: row.idle_expires_at, absoluteExpiresAt: row.absolute_expires_at };
}

export async function touchSession(db: DbOrTrx, idHash: string, lastSeenAt: string, idleExpiresAt: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: DbOrTrx, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}
