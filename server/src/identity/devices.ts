import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/index.js';
import type { DbOrTrx } from '../db/index.js';
import { hashSecretToken } from './secret-token.js';

/**
 * Devices a member signed in from, identified by a random long-lived cookie (only its hash is
 * stored). A device can be trusted for a while after a second factor, and a sign-in from a
 * device never seen before notifies the member.
 */
export async function isTrustedDevice(db: DbOrTrx, userId: string, deviceToken: string | undefined, now: string): Promise<boolean> {
  if (!deviceToken) return false;
  const row = await db.selectFrom('known_devices').select('trusted_until').where('id_hash', '=', deviceHash(userId, deviceToken)).executeTakeFirst();
  return Boolean(row?.trusted_until && row.trusted_until > now);
}

/** Records the device of a completed sign-in; returns whether it was new for this member. */
export async function recordDevice({
  db,
  audit,
  userId,
  username,
  deviceToken,
  ip,
  userAgent,
  now,
  trustUntil,
}: {
  db: DbOrTrx;
  audit: AuditLog;
  userId: string;
  username: string;
  deviceToken: string;
  ip: string | undefined;
  userAgent: string | undefined;
  now: string;
  trustUntil: string | null;
}): Promise<boolean> {
  const idHash = deviceHash(userId, deviceToken);
  const existing = await db.selectFrom('known_devices').select(['trusted_until']).where('id_hash', '=', idHash).executeTakeFirst();
  if (existing) {
    await db
      .updateTable('known_devices')
      .set({ last_seen_at: now, last_ip: ip ?? null, user_agent: userAgent?.slice(0, 512) ?? null, ...(trustUntil ? { trusted_until: trustUntil } : {}) })
      .where('id_hash', '=', idHash)
      .execute();
    return false;
  }

  const earlier = await db.selectFrom('known_devices').select('id_hash').where('user_id', '=', userId).limit(1).execute();
  await db
    .insertInto('known_devices')
    .values({ id_hash: idHash, user_id: userId, user_agent: userAgent?.slice(0, 512) ?? null, first_seen_at: now, last_seen_at: now, last_ip: ip ?? null, trusted_until: trustUntil })
    .execute();

  // The very first device of an account is expected; every later new one is worth a notice.
  if (earlier.length === 0) return false;
  await db
    .insertInto('notifications')
    .values({ id: randomUUID(), user_id: userId, kind: 'new_device', params: JSON.stringify({ ip: ip ?? null, userAgent: userAgent?.slice(0, 200) ?? null, at: now }), created_at: now, read_at: null })
    .execute();
  await audit.append(db, { action: 'auth.new_device', outcome: 'success', actor: { id: userId, username }, ip, userAgent, details: {} });
  return true;
}

/** Ends the trust of a member's remembered devices, except the one whose token is given. */
export async function forgetTrustedDevices(db: DbOrTrx, userId: string, keepDeviceToken?: string | null): Promise<void> {
  let query = db.updateTable('known_devices').set({ trusted_until: null }).where('user_id', '=', userId);
  if (keepDeviceToken) query = query.where('id_hash', '!=', deviceHash(userId, keepDeviceToken));
  await query.execute();
}

function deviceHash(userId: string, deviceToken: string): string {
  return hashSecretToken(`${userId}|${deviceToken}`);
}
