/** Row types of the tables for key versions and rotation jobs (migrations 1500 and 2026-12-05T0100); part of DatabaseSchema. */
export interface CryptoTables {
  key_rotation_jobs: KeyRotationJobTable;
  blind_index_versions: BlindIndexVersionTable;
}

/** A blind-index key version; its key is derived from the index root and the version number. */
export interface BlindIndexVersionTable {
  version: number;
  created_at: string;
  /** Set by `keys retire --index`; lookups stop computing a retired version. */
  retired_at: string | null;
}

/** A rotation job (re-encryption or blind-index recomputation); its cursor lets a new process resume where the last stopped. */
export interface KeyRotationJobTable {
  id: string;
  /** `data` re-encrypts values under the current data keys; `index` recomputes blind indexes. */
  kind: 'data' | 'index';
  /** `running` until every encrypted column has been walked, then `finished`. */
  status: string;
  /** Index into ENCRYPTED_COLUMNS (or BLIND_INDEXED_COLUMNS) of the column being walked. */
  column_index: number;
  /** Last row id done in that column; `null` at the start of a column. */
  row_cursor: string | null;
  /** Values moved to the current data key (or index key) version. */
  rewritten: number;
  /** Values that could not be decrypted and were left as they are. */
  failed: number;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
}
