import { request } from '../../api/index.js';

export interface OnlineSession {
  id: string;
  userId: string;
  username: string;
  displayName: string;
  /** Missing from some server versions' responses, so the column appears only when some row has it. */
  departmentName?: string | null;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  authMethod: string;
}

export type UserStatus = 'active' | 'disabled';

export interface ManagedUser {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  departmentName: string | null;
  status: UserStatus;
  lastLoginAt: string | null;
  locked: boolean;
}

export const ONLINE_SESSIONS_QUERY_KEY = ['admin', 'sessions'] as const;
export const USERS_QUERY_KEY = ['admin', 'users'] as const;

export function fetchOnlineSessions(): Promise<{ items: OnlineSession[] }> {
  return request('GET', '/api/admin/sessions');
}

export function revokeSession(id: string): Promise<void> {
  return request('POST', `/api/admin/sessions/${encodeURIComponent(id)}/revoke`, { json: {} });
}

export function fetchUsers(): Promise<{ items: ManagedUser[] }> {
  return request('GET', '/api/admin/users');
}

/** Disables the account and ends all of its sessions. */
export function disableUser(id: string): Promise<void> {
  return request('POST', `/api/admin/users/${encodeURIComponent(id)}/disable`, { json: {} });
}

export function enableUser(id: string): Promise<void> {
  return request('POST', `/api/admin/users/${encodeURIComponent(id)}/enable`, { json: {} });
}

/** Lifts the sign-in lock that repeated failures put on the account's username. */
export function unlockUser(id: string): Promise<void> {
  return request('POST', `/api/admin/users/${encodeURIComponent(id)}/unlock`, { json: {} });
}

/** Sets a temporary password, which the member must change at the next sign-in. */
export function resetPassword(id: string): Promise<{ temporaryPassword: string }> {
  return request('POST', `/api/admin/users/${encodeURIComponent(id)}/reset-password`, { json: {} });
}
