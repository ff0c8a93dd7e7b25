/** Shapes of the server's JSON bodies, as the HTTP contract defines them. */

export interface Me {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  departmentName: string | null;
  permissions: string[];
  /** While true the server accepts only a password change, `GET /api/auth/me` and sign-out. */
  mustChangePassword: boolean;
}

export type FieldCategory = 'basic' | 'financial' | 'sensitive';

/** One client field as the caller may see it, with `label` already in the request's language. */
export interface FieldView {
  key: string;
  label: string;
  category: FieldCategory;
  display: 'plain' | 'masked' | 'hidden';
  value: string | null;
  revealable: boolean;
}

export interface UserRef {
  id: string;
  displayName: string;
}

/** `archived`: the engagement ended and the records are read-only until their retention periods run out. */
export type ClientStatus = 'active' | 'archived' | 'destroyed';

export interface ClientSummary {
  id: string;
  name: string;
  uscc: string;
  taxpayerType: string | null;
  status: ClientStatus;
  departmentName: string | null;
  assignees: UserRef[];
  fields: Record<string, FieldView | undefined>;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ClientFilters {
  departments: { id: string; name: string }[];
  assignees: UserRef[];
}

export interface ClientPerson {
  id: string;
  role: string;
  name: FieldView;
  idNumber: FieldView;
  phone: FieldView;
}

export interface ClientDetail {
  id: string;
  name: string;
  departmentName: string | null;
  assignees: UserRef[];
  fields: FieldView[];
  people: ClientPerson[];
  status: ClientStatus;
  /** `upload` and `archive` are false once the client is archived, whatever the member's role. */
  abilities: { reveal: boolean; update: boolean; upload: boolean; archive: boolean };
}

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';
export type ImportPhase = 'parsing' | 'validating' | 'writing' | 'done';

export interface ImportRejection {
  row: number;
  column: string;
  field: string;
  code: string;
  message: string;
}

export interface ImportJobSummary {
  id: string;
  fileName: string;
  status: ImportStatus;
  phase: ImportPhase;
  total: number;
  processed: number;
  accepted: number;
  created: number;
  duplicates: number;
  rejected: number;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface ImportJob extends ImportJobSummary {
  rejections: ImportRejection[];
}

export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditEvent {
  seq: number;
  occurredAt: string;
  actorId: string | null;
  actorUsername: string | null;
  action: string;
  outcome: AuditOutcome;
  targetType: string | null;
  targetId: string | null;
  clientId: string | null;
  clientName: string | null;
  fields: string[];
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}
