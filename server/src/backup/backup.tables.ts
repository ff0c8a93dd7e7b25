/** Row types of the tables for backup runs and verifications (migration 1700); part of DatabaseSchema. */
export interface BackupTables {
  backups: BackupTable;
}

/** One backup file: its creation and the result of its last verification. */
export interface BackupTable {
  id: string;
  /** File name under BACKUP_DIR. */
  file_name: string;
  /** `manual` (command line) or `schedule` (the background job). */
  trigger: string;
  /** `created`, `failed` (nothing usable was written) or `pruned` (deleted by retention). */
  status: string;
  created_at: string;
  /** Size of the whole file; PostgreSQL returns bigint as text, so readers convert it. */
  size_bytes: number | string | null;
  /** SHA-256 of the encrypted body, hex, as signed in the file's manifest. */
  body_sha256: string | null;
  /** Error code of a failed run. */
  error: string | null;
  verified_at: string | null;
  /** `passed` or `failed`; `null` until verified. */
  verification: string | null;
  /** What the last failed verification found, e.g. `signature_invalid`. */
  verification_problem: string | null;
  pruned_at: string | null;
}
