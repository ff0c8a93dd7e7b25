import type { DbOrTrx } from '../db/index.js';
import type { DocumentTable } from './documents.tables.js';

export type DocumentRow = Omit<DocumentTable, 'size_bytes'> & { size_bytes: number };

function normalize(row: DocumentTable): DocumentRow {
  return { ...row, size_bytes: Number(row.size_bytes) };
}

export async function insertDocument(db: DbOrTrx, row: DocumentRow): Promise<void> {
  await db.insertInto('documents').values(row).execute();
}

/** Finds a document of the given client; a document of another client is treated as missing. */
export async function findClientDocument(db: DbOrTrx, clientId: string, documentId: string): Promise<DocumentRow | undefined> {
  const row = await db.selectFrom('documents').selectAll().where('id', '=', documentId).where('client_id', '=', clientId).executeTakeFirst();
  return row ? normalize(row) : undefined;
}

/** Lists a client's documents of the given categories, newest first, at most `limit` rows. */
export async function listClientDocuments(db: DbOrTrx, clientId: string, categories: readonly string[], limit: number): Promise<DocumentRow[]> {
  if (categories.length === 0) {
    return [];
  }
  const rows = await db.selectFrom('documents').selectAll().where('client_id', '=', clientId).where('category', 'in', categories).orderBy('uploaded_at', 'desc').orderBy('id').limit(limit).execute();
  return rows.map(normalize);
}

export async function findDisplayName(db: DbOrTrx, userId: string): Promise<string | undefined> {
  const row = await db.selectFrom('users').select('display_name').where('id', '=', userId).executeTakeFirst();
  return row?.display_name;
}

export async function findDisplayNames(db: DbOrTrx, userIds: readonly string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) {
    return new Map();
  }
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', [...new Set(userIds)]).execute();
  return new Map(rows.map((row) => [row.id, row.display_name]));
}
