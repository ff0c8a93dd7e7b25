/** A signed statement that the chain's hash at `seq` was `chain_hash` when it was signed. */
export interface AuditCheckpointTable {
  seq: number;
  chain_hash: string;
  signed_at: string;
  algorithm: string;
  key_id: string;
  /** Base64 signature over the checkpoint's canonical message. */
  signature: string;
}

/** A segment of old events moved out of the database into a file, with its signed manifest. */
export interface AuditArchiveTable {
  first_seq: number;
  last_seq: number;
  /** Hash of the event before `first_seq`, so consecutive segments link like events do. */
  first_prev_hash: string;
  last_hash: string;
  event_count: number;
  /** File name inside the data folder's audit/archive folder. */
  file_name: string;
  file_sha256: string;
  /** Every archived event occurred before this instant. */
  before_at: string;
  created_at: string;
  algorithm: string;
  key_id: string;
  signature: string;
}

/** The stored result of one full verification, shown as the chain status. */
export interface AuditVerificationTable {
  id: string;
  verified_at: string;
  /** Origin of the run: `manual` (audit page), `scheduled` (daily job) or `cli`. */
  trigger: string;
  intact: number;
  checked: number;
  first_broken_seq: number | null;
  problem: string | null;
  checkpoints_checked: number;
  last_checkpoint_seq: number | null;
  actor_id: string | null;
}

/** Row types of the tables for audit checkpoints, archives and verifications (migration 1200); part of DatabaseSchema. */
export interface AuditIntegrityTables {
  audit_checkpoints: AuditCheckpointTable;
  audit_archives: AuditArchiveTable;
  audit_verifications: AuditVerificationTable;
}
