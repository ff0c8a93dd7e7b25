/** Row types of the tables for client archiving, retention and destruction (migration 1800); part of DatabaseSchema. */
export interface RetentionTables {
  client_archives: ClientArchiveTable;
  destroyed_documents: DestroyedDocumentTable;
}

/** A client that left the firm. Its retention periods count from `archived_at`. */
export interface ClientArchiveTable {
  client_id: string;
  archived_at: string;
  archived_by: string | null;
  /** Free text from the member who archived; cleared when the client is destroyed. */
  reason: string | null;
  /** When the personal fields were erased while records of a longer period stayed. */
  personal_erased_at: string | null;
  /** When the client's data keys were deleted; the clients row is a tombstone from then on. */
  destroyed_at: string | null;
}

/** Tombstone of a destroyed document, without its file name or key. */
export interface DestroyedDocumentTable {
  document_id: string;
  client_id: string;
  category: string;
  uploaded_at: string;
  destroyed_at: string;
  /** The retention rule applied, e.g. `bank_statement:10y`. */
  rule: string;
}
