import { request, type FieldCategory } from '../../api/index.js';

/** A text the server sends in both interface languages. */
export type ServerLabel = { 'zh-CN': string; 'en-US': string };
export type Visibility = 'none' | 'masked' | 'plain';

/** The client actions an explanation may ask about, as the server accepts them. */
export const EXPLAINED_ACTIONS = ['client:list', 'client:read', 'client:reveal', 'client:import'] as const;
export type ExplainedAction = (typeof EXPLAINED_ACTIONS)[number];

/** One step of an explanation: a role, its data scope, a grant, or the rule that denied. */
export interface ExplainReason {
  kind: 'role' | 'scope' | 'grant' | 'denial';
  /** The reason as the server's decision states it, such as `role:bookkeeper` or `out_of_scope`. */
  key: string;
  label: ServerLabel;
  endsAt?: string;
}

export interface Explanation {
  allow: boolean;
  reasons: ExplainReason[];
}

export interface Viewer {
  userId: string;
  username: string;
  displayName: string;
  /** On a protected field `plain` still shows the masked form, and `canReveal` is whether the member may reveal it. */
  display: 'plain' | 'masked';
  canReveal: boolean;
  through: ExplainReason[];
}

export interface MemberReach {
  userId: string;
  username: string;
  displayName: string;
  status: 'active' | 'disabled';
  departmentId: string | null;
  clientCount: number;
  roles: {
    key: string;
    label: ServerLabel;
    scope: ExplainReason;
    visibility: Record<FieldCategory, Visibility>;
    permissions: string[];
    clientCount: number;
  }[];
  grants: {
    id: string;
    kind: 'temporary' | 'break_glass';
    clientId: string | null;
    departmentId: string | null;
    categories: FieldCategory[];
    actions: string[];
    startsAt: string;
    endsAt: string;
    inWindow: boolean;
    reason: ExplainReason;
  }[];
}

export interface RoleDefinition {
  key: string;
  label: ServerLabel;
  scope: string;
  visibility: Record<FieldCategory, Visibility>;
  permissions: string[];
}

export interface MatrixCell {
  clientId: string;
  allow: boolean;
  visibility: Record<FieldCategory, Visibility> | null;
}

export interface AccessMatrix {
  department: { id: string; name: string };
  clientIds: string[];
  /** True when the department has more clients than the server shows in one matrix. */
  truncated: boolean;
  rows: { userId: string; displayName: string; roles: string[]; cells: MatrixCell[] }[];
}

export interface ExplainQuery {
  userId: string;
  clientId: string;
  action: ExplainedAction;
  field?: string;
}

export const EXPLAIN_QUERY_KEY = ['access', 'explain'] as const;

export function explainAccess(query: ExplainQuery): Promise<Explanation> {
  return request('GET', '/api/access/explain', { query: { ...query } });
}

export function fetchFieldViewers(clientId: string, field: string): Promise<{ clientId: string; field: string; viewers: Viewer[] }> {
  return request('GET', `/api/access/clients/${encodeURIComponent(clientId)}/fields/${encodeURIComponent(field)}/viewers`);
}

export function fetchMemberReach(userId: string): Promise<MemberReach> {
  return request('GET', `/api/access/members/${encodeURIComponent(userId)}/reach`);
}

export function fetchRoles(): Promise<{ items: RoleDefinition[] }> {
  return request('GET', '/api/access/roles');
}

export function fetchAccessMatrix(departmentId: string): Promise<AccessMatrix> {
  return request('GET', '/api/access/matrix', { query: { departmentId } });
}
