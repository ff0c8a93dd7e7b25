/** Row types of the tables for key versions and rotation jobs (migration 1500); part of DatabaseSchema. */
export interface CryptoTables {
  key_rotation_jobs: KeyRotationJobTable;
}

/** A data key rotation's re-encryption job; its cursor lets a new process resume where the last stopped. */
export interface KeyRotationJobTable {
  id: string;
  /** `running` until every encrypted column has been walked, then `finished`. */
  status: string;
  /** Index into ENCRYPTED_COLUMNS of the column being walked. */
  column_index: number;
  /** Last row id done in that column; `null` at the start of a column. */
  row_cursor: string | null;
  /** Values moved to the current data key version. */
  rewritten: number;
  /** Values that could not be decrypted and were left as they are. */
  failed: number;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
}
