import { request, type FieldCategory } from '../../api/index.js';

/** Kinds a member may file. `break_glass_review` is created by the server after a break-glass. */
export const FILABLE_KINDS = ['role_grant', 'role_revoke', 'department_change', 'assignment_add', 'assignment_remove', 'temporary_grant', 'department_share'] as const;
export type FilableKind = (typeof FILABLE_KINDS)[number];
export type RequestKind = FilableKind | 'break_glass_review';

export type RequestStatus = 'pending' | 'applied' | 'rejected' | 'withdrawn' | 'expired';

/** The server's role keys, in its order. A request naming another key fails with `request_invalid`. */
export const ROLE_KEYS = ['bookkeeper', 'assistant', 'customer_service', 'registration_agent', 'department_manager', 'partner', 'security_admin', 'audit_admin', 'system_admin', 'client_contact'] as const;
export type RoleKey = (typeof ROLE_KEYS)[number];

export const GRANT_CATEGORIES: readonly FieldCategory[] = ['basic', 'financial', 'sensitive'];
export const GRANTABLE_ACTIONS = ['client:list', 'client:read', 'client:reveal'] as const;
export type GrantableAction = (typeof GRANTABLE_ACTIONS)[number];

/** The maximum length in days that the server accepts for a temporary grant. */
export const MAX_GRANT_DAYS = 30;

/** The minimum reason length that the server accepts, in characters after trimming. */
export const MIN_REQUEST_REASON = 4;

/** Who decides one step: the beneficiary's department manager (or a partner), or a holder of a role. */
export type ApprovalStep = { approver: 'department_manager' } | { approver: 'owning_department_manager' } | { approver: 'role'; role: string };

export interface AccessRequest {
  id: string;
  kind: RequestKind;
  beneficiaryId: string;
  filedBy: string;
  /** Kind-specific fields such as `role` or `clientId`, read with the helpers in request-labels.tsx. */
  payload: Record<string, unknown>;
  reason: string;
  status: RequestStatus;
  steps: ApprovalStep[];
  /** Index into `steps` of the step waiting for a decision. */
  currentStep: number;
  stepCount: number;
  autoApproved: boolean;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
}

/** One approver's decision on one step of a request. */
export interface RequestDecision {
  /** Index into the request's `steps`, from 0. */
  step: number;
  decision: 'approved' | 'rejected';
  note: string | null;
  decidedAt: string;
  approverName: string;
}

/** A request as `GET /api/access-requests/:id` returns it, with the decisions taken so far in step order. */
export interface AccessRequestDetail extends AccessRequest {
  decisions: RequestDecision[];
}

export interface NewAccessRequest {
  kind: FilableKind;
  /** Left out when the member files for themselves. */
  beneficiaryId?: string;
  payload: Record<string, unknown>;
  reason: string;
}

export interface Grant {
  id: string;
  userId: string;
  displayName: string;
  clientId: string | null;
  /** `null` for administrators, who see which client a grant covers by id only. */
  clientName: string | null;
  departmentId: string | null;
  categories: string[];
  actions: string[];
  startsAt: string;
  endsAt: string;
  kind: 'temporary' | 'break_glass';
  reason: string;
  /** When the grant was revoked before its end, or `null` for a grant never revoked. */
  revokedAt: string | null;
  /** Whether the grant was in force when the server responded: started, not ended, not revoked. */
  active: boolean;
}

export interface BreakGlassResult {
  grantId: string;
  alertId: string;
  reviewId: string;
  endsAt: string;
}

export const ACCESS_REQUESTS_QUERY_KEY = ['access', 'requests'] as const;
export const GRANTS_QUERY_KEY = ['access', 'grants'] as const;

/** Returns the requests filed by or for the member (`mine`) and those waiting for their decision (`queue`). */
export function fetchAccessRequests(): Promise<{ mine: AccessRequest[]; queue: AccessRequest[] }> {
  return request('GET', '/api/access-requests');
}

/** Sits under `ACCESS_REQUESTS_QUERY_KEY`, so invalidating the lists reloads an open detail as well. */
export function accessRequestQueryKey(id: string) {
  return [...ACCESS_REQUESTS_QUERY_KEY, 'detail', id] as const;
}

/** Returns one request the member filed, benefits from, may approve, or may see as an administrator. */
export function fetchAccessRequest(id: string): Promise<AccessRequestDetail> {
  return request('GET', `/api/access-requests/${encodeURIComponent(id)}`);
}

export function fileAccessRequest(body: NewAccessRequest): Promise<AccessRequest> {
  return request('POST', '/api/access-requests', { json: body });
}

/** Approves the current step. The last approval applies the change on the server. */
export function approveAccessRequest(id: string, note: string | undefined): Promise<AccessRequest> {
  return request('POST', `/api/access-requests/${encodeURIComponent(id)}/approve`, { json: { note } });
}

export function rejectAccessRequest(id: string, note: string | undefined): Promise<AccessRequest> {
  return request('POST', `/api/access-requests/${encodeURIComponent(id)}/reject`, { json: { note } });
}

export function withdrawAccessRequest(id: string): Promise<void> {
  return request('POST', `/api/access-requests/${encodeURIComponent(id)}/withdraw`, { json: {} });
}

/** Returns the member's own grants, or every grant for the security and audit administrators. */
export function fetchGrants(): Promise<{ items: Grant[] }> {
  return request('GET', '/api/grants');
}

/** Opens emergency access to one client. The server raises a high-severity alert and a review task. */
export function openBreakGlass(body: { clientId: string; reason: string }): Promise<BreakGlassResult> {
  return request('POST', '/api/break-glass', { json: body });
}
