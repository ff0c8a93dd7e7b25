import type { Generated, Kysely, Transaction } from 'kysely';
import type { AuditIntegrityTables } from '../audit/audit-integrity.tables.js';
import type { BackupTables } from '../backup/backup.tables.js';
import type { CryptoTables } from '../crypto/crypto.tables.js';
import type { RetentionTables } from '../retention/retention.tables.js';
import type { DocumentTables } from '../documents/documents.tables.js';
import type { DetectionTables } from '../detect/detection.tables.js';
import type { NotificationTables } from '../notify/notify.tables.js';

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
  /** Mobile number for SMS codes, encrypted under the firm's identity key. */
  phone_enc: string | null;
  phone_masked: string | null;
  must_change_password: number;
  email: string | null;
  /** A second factor confirmed before this instant no longer counts for step-up (set by a security response). */
  step_up_required_after?: string | null;
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
  /** Non-secret id shown in session lists; the cookie value is never shown or stored. */
  public_id: string | null;
  /** When a second factor was last confirmed in this session (sign-in or step-up). */
  second_factor_at: string | null;
  auth_method: string | null;
  device_id: string | null;
}

export interface SignInThrottleTable {
  username_key: string;
  failures: number;
  lockouts: number;
  locked_until: string | null;
  updated_at: string;
}

export interface LoginChallengeTable {
  id_hash: string;
  user_id: string;
  /** `second_factor`, `enrol` (no factor yet) or `password_change`. */
  purpose: string;
  created_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface TotpCredentialTable {
  user_id: string;
  secret_enc: string;
  confirmed_at: string | null;
  /** The last accepted RFC 6238 time step; a code of this step or earlier is a replay. */
  last_used_step: number;
  created_at: string;
}

export interface RecoveryCodeTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface WebauthnCredentialTable {
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
}

export interface WebauthnChallengeTable {
  id: string;
  user_id: string | null;
  purpose: string;
  challenge: string;
  expires_at: string;
}

export interface SmsCodeTable {
  id: string;
  user_id: string;
  /** Keyed hash of the phone number, for per-number send limits without storing the number. */
  phone_index: string;
  purpose: string;
  code_hash: string;
  ip: string | null;
  created_at: string;
  expires_at: string;
  attempts: number;
  used_at: string | null;
}

export interface PasswordHistoryTable {
  id: string;
  user_id: string;
  password_hash: string;
  created_at: string;
}

export interface KnownDeviceTable {
  id_hash: string;
  user_id: string;
  user_agent: string | null;
  first_seen_at: string;
  last_seen_at: string;
  last_ip: string | null;
  /** Until when a sign-in from this device skips the second factor; `null` when not trusted. */
  trusted_until: string | null;
}

export interface NotificationTable {
  id: string;
  user_id: string;
  kind: string;
  params: string;
  created_at: string;
  read_at: string | null;
}

export interface AccessGrantTable {
  id: string;
  user_id: string;
  client_id: string | null;
  department_id: string | null;
  /** JSON array of field categories the grant shows in plain. */
  categories: string;
  /** JSON array of client permissions the grant allows. */
  actions: string;
  starts_at: string;
  ends_at: string;
  kind: 'temporary' | 'break_glass';
  reason: string;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
  expiry_recorded_at?: string | null;
}

export interface AccessRequestTable {
  id: string;
  kind: string;
  beneficiary_id: string;
  filed_by: string;
  /** JSON of what changes, by kind (role key, department id, client id, grant window…). */
  payload: string;
  reason: string;
  status: 'pending' | 'applied' | 'rejected' | 'withdrawn' | 'expired';
  /** JSON array of approval steps, fixed when the request is filed. */
  steps: string;
  current_step: number;
  auto_approved: number;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
}

export interface AccessRequestDecisionTable {
  request_id: string;
  step: number;
  approver_id: string;
  decision: 'approved' | 'rejected';
  note: string | null;
  decided_at: string;
}

export interface AlertTable {
  id: string;
  rule: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  user_id: string | null;
  client_id: string | null;
  /** JSON array of the audit sequence numbers that triggered the alert and its repeats (the latest kept). */
  evidence: string;
  status: 'new' | 'acknowledged' | 'resolved' | 'false_positive';
  created_at: string;
  /** What makes a repeat the same alert besides rule and member, such as the address or the day. */
  group_key: string;
  /** How many times the rule fired for this alert. */
  count: number;
  /** When the first and the latest triggering event occurred. */
  first_seen_at: string;
  last_seen_at: string;
  updated_at: string;
  /** JSON object of the rule's findings (counts, baseline, address), never client data. */
  facts: string;
  /** JSON array of the automatic responses taken. */
  responses: string;
  /** Value of the alert revision counter at the last change; the live stream follows it. */
  revision: number;
}

export interface ApprovalFlowTable {
  kind: string;
  /** JSON array of approval steps. */
  steps: string;
  auto_approve: number;
  updated_by: string;
  updated_at: string;
}

export interface AccessReviewCampaignTable {
  id: string;
  name: string;
  /** `all` staff, a `department` with its sub-departments, or holders of a `role`. */
  population_kind: 'all' | 'department' | 'role';
  /** The department id or role key the population names; `null` for `all`. */
  population_ref: string | null;
  deadline_at: string;
  /** What happens to items still undecided at the deadline. */
  deadline_rule: 'revoke' | 'escalate';
  status: 'open' | 'closed';
  started_by: string;
  created_at: string;
  closed_at: string | null;
  /** `null` when the scheduler closed the campaign at its deadline. */
  closed_by: string | null;
}

export interface AccessReviewItemTable {
  id: string;
  campaign_id: string;
  /** The member whose access the item is about. */
  member_id: string;
  kind: 'role' | 'assignment' | 'grant' | 'scope';
  role_key: string | null;
  client_id: string | null;
  grant_id: string | null;
  /** For a scope item, the department the member belonged to when the campaign started. */
  department_id: string | null;
  /** The department manager who reviews the item, or `null` when any holder of `reviewer_role` does. */
  reviewer_id: string | null;
  reviewer_role: string | null;
  due_at: string;
  escalated_at: string | null;
  decision: 'confirm' | 'revoke' | null;
  /** `reviewer` for a decision a person made, `deadline` for the campaign's deadline rule. */
  decision_source: 'reviewer' | 'deadline' | null;
  decided_by: string | null;
  decided_at: string | null;
  note: string | null;
  created_at: string;
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
  /** `destroyed` marks a crypto-shredded client's tombstone, which holds no personal data. */
  status: 'active' | 'archived' | 'destroyed';
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

export interface DatabaseSchema extends AuditIntegrityTables, DetectionTables, NotificationTables, CryptoTables, DocumentTables, BackupTables, RetentionTables {
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
  sign_in_throttle: SignInThrottleTable;
  login_challenges: LoginChallengeTable;
  totp_credentials: TotpCredentialTable;
  recovery_codes: RecoveryCodeTable;
  webauthn_credentials: WebauthnCredentialTable;
  webauthn_challenges: WebauthnChallengeTable;
  sms_codes: SmsCodeTable;
  password_history: PasswordHistoryTable;
  known_devices: KnownDeviceTable;
  notifications: NotificationTable;
  access_grants: AccessGrantTable;
  access_requests: AccessRequestTable;
  access_request_decisions: AccessRequestDecisionTable;
  alerts: AlertTable;
  approval_flows: ApprovalFlowTable;
  access_review_campaigns: AccessReviewCampaignTable;
  access_review_items: AccessReviewItemTable;
}

export type Db = Kysely<DatabaseSchema>;
/** Either the database or an open transaction: repositories accept both. */
export type DbOrTrx = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export type DialectName = 'sqlite' | 'postgres';

// `Generated` is re-exported for migrations that add identity columns later.
export type { Generated };
