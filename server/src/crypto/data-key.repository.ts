import type { DbOrTrx } from '../db/index.js';

export interface StoredDataKey {
  id: string;
  clientId: string | null;
  version: number;
  wrapped: string;
  kekVersion: number;
}

/** Finds the newest data key of a client, or of the firm itself when `clientId` is `null`. */
export async function findLatestDataKey(db: DbOrTrx, clientId: string | null): Promise<StoredDataKey | undefined> {
  const row = await db
    .selectFrom('data_keys')
    .select(['id', 'client_id', 'version', 'wrapped', 'kek_version'])
    .where('client_id', clientId === null ? 'is' : '=', clientId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { id: row.id, clientId: row.client_id, version: row.version, wrapped: row.wrapped, kekVersion: row.kek_version };
}

export async function findDataKeyById(db: DbOrTrx, id: string): Promise<StoredDataKey | undefined> {
  const row = await db.selectFrom('data_keys').select(['id', 'client_id', 'version', 'wrapped', 'kek_version']).where('id', '=', id).executeTakeFirst();
  return row && { id: row.id, clientId: row.client_id, version: row.version, wrapped: row.wrapped, kekVersion: row.kek_version };
}

/** Deletes every data key version of one client and returns the ids and versions deleted. */
export async function deleteClientDataKeys(db: DbOrTrx, clientId: string): Promise<{ id: string; version: number }[]> {
  const rows = await db.selectFrom('data_keys').select(['id', 'version']).where('client_id', '=', clientId).orderBy('version').execute();
  await db.deleteFrom('data_keys').where('client_id', '=', clientId).execute();
  return rows.map((row) => ({ id: row.id, version: Number(row.version) }));
}

export async function insertDataKey(db: DbOrTrx, key: StoredDataKey): Promise<void> {
  await db
    .insertInto('data_keys')
    .values({ id: key.id, client_id: key.clientId, version: key.version, wrapped: key.wrapped, kek_version: key.kekVersion, created_at: new Date().toISOString() })
    .execute();
}
