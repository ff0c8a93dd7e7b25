import type { DbOrTrx } from '../db/index.js';

export interface ArchivedClient {
  clientId: string;
  archivedAt: string;
  personalErasedAt: string | null;
}

export interface RetainedDocument {
  id: string;
  category: string;
  uploadedAt: string;
  storageName: string;
}

export async function insertClientArchive(db: DbOrTrx, row: { clientId: string; archivedAt: string; archivedBy: string; reason: string }): Promise<void> {
  await db.insertInto('client_archives').values({ client_id: row.clientId, archived_at: row.archivedAt, archived_by: row.archivedBy, reason: row.reason, personal_erased_at: null, destroyed_at: null }).execute();
}

/** Lists the archived clients not yet destroyed, oldest archive first. */
export async function listArchivedClients(db: DbOrTrx): Promise<ArchivedClient[]> {
  const rows = await db
    .selectFrom('client_archives')
    .innerJoin('clients', 'clients.id', 'client_archives.client_id')
    .select(['client_archives.client_id', 'client_archives.archived_at', 'client_archives.personal_erased_at'])
    .where('client_archives.destroyed_at', 'is', null)
    .where('clients.status', '=', 'archived')
    .orderBy('client_archives.archived_at')
    .orderBy('client_archives.client_id')
    .execute();
  return rows.map((row) => ({ clientId: row.client_id, archivedAt: row.archived_at, personalErasedAt: row.personal_erased_at }));
}

export async function listRetainedDocuments(db: DbOrTrx, clientId: string): Promise<RetainedDocument[]> {
  const rows = await db.selectFrom('documents').select(['id', 'category', 'uploaded_at', 'storage_name']).where('client_id', '=', clientId).orderBy('uploaded_at').orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, category: row.category, uploadedAt: row.uploaded_at, storageName: row.storage_name }));
}

/** Deletes a document row, and with it the encrypted content key, leaving a tombstone without its file name. */
export async function replaceDocumentWithTombstone(db: DbOrTrx, { clientId, document, destroyedAt, rule }: { clientId: string; document: RetainedDocument; destroyedAt: string; rule: string }): Promise<void> {
  await db.deleteFrom('documents').where('id', '=', document.id).where('client_id', '=', clientId).execute();
  await db.insertInto('destroyed_documents').values({ document_id: document.id, client_id: clientId, category: document.category, uploaded_at: document.uploadedAt, destroyed_at: destroyedAt, rule }).execute();
}

/** The columns that hold a natural person's data on a client row, emptied. */
const PERSONAL_COLUMNS_CLEARED = {
  legal_rep_name: null,
  legal_rep_id_number_enc: null,
  legal_rep_id_number_masked: null,
  legal_rep_id_number_bidx: null,
  contact_name: null,
  contact_phone_enc: null,
  contact_phone_masked: null,
  contact_phone_bidx: null,
} as const;

/** Clears the personal fields of a client and deletes its people; returns how many people rows went. */
export async function erasePersonalFields(db: DbOrTrx, clientId: string, erasedAt: string): Promise<number> {
  await db
    .updateTable('clients')
    .set({
      ...PERSONAL_COLUMNS_CLEARED,
      notes: null,
      confidential_notes_enc: null,
      confidential_notes_masked: null,
      updated_at: erasedAt,
    })
    .where('id', '=', clientId)
    .execute();
  const people = await db.deleteFrom('client_people').where('client_id', '=', clientId).executeTakeFirst();
  await db.updateTable('client_archives').set({ personal_erased_at: erasedAt }).where('client_id', '=', clientId).execute();
  return Number(people.numDeletedRows);
}

/**
 * Turns a client row into a tombstone: the id, department and dates stay so audit events and
 * grants still resolve, every other column is emptied. The registration number is replaced so
 * the same company can become a client again.
 */
export async function writeClientTombstone(db: DbOrTrx, clientId: string, destroyedAt: string): Promise<void> {
  await db.deleteFrom('client_assignments').where('client_id', '=', clientId).execute();
  await db
    .updateTable('clients')
    .set({
      name: '',
      name_key: '',
      uscc: `destroyed:${clientId}`,
      taxpayer_type: null,
      registered_address: null,
      registered_capital: null,
      ...PERSONAL_COLUMNS_CLEARED,
      bank_name: null,
      bank_account_enc: null,
      bank_account_masked: null,
      bank_account_bidx: null,
      tax_bureau: null,
      service_start: null,
      service_end: null,
      last_year_revenue: null,
      notes: null,
      confidential_notes_enc: null,
      confidential_notes_masked: null,
      status: 'destroyed',
      updated_at: destroyedAt,
    })
    .where('id', '=', clientId)
    .execute();
  await db.updateTable('client_archives').set({ destroyed_at: destroyedAt, reason: null }).where('client_id', '=', clientId).execute();
}
