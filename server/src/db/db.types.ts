import type { Generated, Kysely, Transaction } from 'kysely';

/**
 * Row types of every table. Instants are ISO 8601 strings in UTC on both databases, so they sort
 * as text and compare the same way in SQLite and PostgreSQL.
 */
export interface DepartmentTable {
  id: string;
  name: string;
  parent_id: string | null;
  created_at: string;
}

export interface UserTable {
  id: string;
  username: string;
  /** NFKC-folded, lower-cased username: `Admin` and `ａｄｍｉｎ` are the same account. */
  username_key: string;
  display_name: string;
  department_id: string | null;
  /** The company a portal account (client contact) belongs to. */
  client_id: string | null;
  password_hash: string | null;
  status: 'active' | 'disabled';
  failed_logins: number;
  lockouts: number;
  locked_until: string | null;
  last_login_at: string | null;
  password_changed_at: string | null;
  created_at: string;
}

export interface UserRoleTable {
  user_id: string;
  role_key: string;
  created_at: string;
}

export interface SessionTable {
  id_hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  idle_expires_at: string;
  absolute_expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface SetupTokenTable {
  token_hash: string;
  purpose: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface ClientTable {
  id: string;
  name: string;
  /** Lower-cased NFKC name used for substring search. */
  name_key: string;
  uscc: string;
  taxpayer_type: string | null;
  registered_address: string | null;
  registered_capital: string | null;
  legal_rep_name: string | null;
  legal_rep_id_number_enc: string | null;
  legal_rep_id_number_masked: string | null;
  legal_rep_id_number_bidx: string | null;
  contact_name: string | null;
  contact_phone_enc: string | null;
  contact_phone_masked: string | null;
  contact_phone_bidx: string | null;
  bank_name: string | null;
  bank_account_enc: string | null;
  bank_account_masked: string | null;
  bank_account_bidx: string | null;
  tax_bureau: string | null;
  service_start: string | null;
  service_end: string | null;
  last_year_revenue: string | null;
  notes: string | null;
  confidential_notes_enc: string | null;
  confidential_notes_masked: string | null;
  department_id: string | null;
  status: 'active' | 'archived';
  created_at: string;
  updated_at: string;
}

export interface ClientPersonTable {
  id: string;
  client_id: string;
  role: string;
  name: string;
  id_number_enc: string | null;
  id_number_masked: string | null;
  id_number_bidx: string | null;
  phone_enc: string | null;
  phone_masked: string | null;
  phone_bidx: string | null;
  created_at: string;
}

export interface ClientAssignmentTable {
  client_id: string;
  user_id: string;
  created_at: string;
}

export interface DataKeyTable {
  id: string;
  /** The client company whose fields this key encrypts; deleting the row shreds them. */
  client_id: string | null;
  version: number;
  wrapped: string;
  kek_version: number;
  created_at: string;
}

export interface AuditEventTable {
  seq: number;
  occurred_at: string;
  actor_id: string | null;
  actor_username: string | null;
  action: string;
  outcome: 'success' | 'denied' | 'failure';
  target_type: string | null;
  target_id: string | null;
  client_id: string | null;
  fields: string;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface ImportJobTable {
  id: string;
  file_name: string;
  status: 'running' | 'done' | 'failed';
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
  total: number;
  accepted: number;
  created: number;
  duplicates: number;
  rejected: number;
  error_code: string | null;
  rejections: string;
}

export interface DatabaseSchema {
  departments: DepartmentTable;
  users: UserTable;
  user_roles: UserRoleTable;
  sessions: SessionTable;
  setup_tokens: SetupTokenTable;
  clients: ClientTable;
  client_people: ClientPersonTable;
  client_assignments: ClientAssignmentTable;
  data_keys: DataKeyTable;
  audit_events: AuditEventTable;
  audit_head: AuditHeadTable;
  import_jobs: ImportJobTable;
}

export type Db = Kysely<DatabaseSchema>;
/** Either the database or an open transaction: repositories accept both. */
export type DbOrTrx = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export type DialectName = 'sqlite' | 'postgres';

// `Generated` is re-exported for migrations that add identity columns later.
export type { Generated };
