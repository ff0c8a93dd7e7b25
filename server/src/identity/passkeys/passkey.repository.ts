import type { DbOrTrx } from '../../db/index.js';

export type ChallengePurpose = 'register' | 'authenticate';

export interface ChallengeRecord {
  id: string;
  userId: string | null;
  purpose: string;
  challenge: string;
  expiresAt: string;
}

/** A stored WebAuthn credential record, with the COSE public key in base64url. */
export interface CredentialRecord {
  id: string;
  userId: string;
  name: string;
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

type CredentialRow = {
  id: string;
  user_id: string;
  name: string;
  public_key: string;
  counter: number;
  transports: string;
  device_type: string;
  backed_up: number;
  created_at: string;
  last_used_at: string | null;
};

function parseTransports(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function toCredential(row: CredentialRow): CredentialRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    publicKey: row.public_key,
    // Number() keeps this right if the column becomes bigint, which pg returns as a string.
    counter: Number(row.counter),
    transports: parseTransports(row.transports),
    deviceType: row.device_type,
    backedUp: Number(row.backed_up) === 1,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export async function insertChallenge(db: DbOrTrx, challenge: ChallengeRecord): Promise<void> {
  await db
    .insertInto('webauthn_challenges')
    .values({ id: challenge.id, user_id: challenge.userId, purpose: challenge.purpose, challenge: challenge.challenge, expires_at: challenge.expiresAt })
    .execute();
}

/**
 * Deletes a challenge and returns what it was, in one statement, so two requests racing with the
 * same id cannot both receive it.
 */
export async function takeChallenge(db: DbOrTrx, id: string): Promise<ChallengeRecord | undefined> {
  const row = await db.deleteFrom('webauthn_challenges').where('id', '=', id).returningAll().executeTakeFirst();
  return row && { id: row.id, userId: row.user_id, purpose: row.purpose, challenge: row.challenge, expiresAt: row.expires_at };
}

export async function deleteExpiredChallenges(db: DbOrTrx, now: string): Promise<void> {
  await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).execute();
}

export async function listCredentials(db: DbOrTrx, userId: string): Promise<CredentialRecord[]> {
  const rows = await db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toCredential);
}

export async function findCredential(db: DbOrTrx, id: string): Promise<CredentialRecord | undefined> {
  const row = await db.selectFrom('webauthn_credentials').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toCredential(row);
}

export async function countCredentials(db: DbOrTrx, userId: string): Promise<number> {
  const row = await db
    .selectFrom('webauthn_credentials')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

// NOTE: WebAuthn signature counters are unsigned 32-bit, but `counter` is a signed 32-bit
// `integer` column, so on PostgreSQL a counter above 2147483647 fails the insert or update.
export async function insertCredential(db: DbOrTrx, credential: Omit<CredentialRecord, 'lastUsedAt'>): Promise<void> {
  await db
    .insertInto('webauthn_credentials')
    .values({
      id: credential.id,
      user_id: credential.userId,
      name: credential.name,
      public_key: credential.publicKey,
      counter: credential.counter,
      transports: JSON.stringify(credential.transports),
      device_type: credential.deviceType,
      backed_up: credential.backedUp ? 1 : 0,
      created_at: credential.createdAt,
      last_used_at: null,
    })
    .execute();
}

/**
 * Records a verified assertion and returns whether it was recorded. The update applies only while
 * the stored counter is still `previousCounter`. So when two assertions race to move the counter,
 * the second one finds a changed counter and gets false.
 */
export async function recordCredentialUse(
  db: DbOrTrx,
  use: { id: string; previousCounter: number; counter: number; backedUp: boolean; usedAt: string },
): Promise<boolean> {
  const result = await db
    .updateTable('webauthn_credentials')
    .set({ counter: use.counter, backed_up: use.backedUp ? 1 : 0, last_used_at: use.usedAt })
    .where('id', '=', use.id)
    .where('counter', '=', use.previousCounter)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function renameCredential(db: DbOrTrx, { userId, id, name }: { userId: string; id: string; name: string }): Promise<boolean> {
  const result = await db.updateTable('webauthn_credentials').set({ name }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteCredential(db: DbOrTrx, { userId, id }: { userId: string; id: string }): Promise<boolean> {
  const result = await db.deleteFrom('webauthn_credentials').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
