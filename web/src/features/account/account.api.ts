import { request, type Me } from '../../api/index.js';
import type { TotpSetup } from '../auth/mfa.api.js';
import type { PasskeyChallenge, PasskeyRegistration } from '../auth/second-factor/passkey-ceremony.js';

export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** WebAuthn's credential device type: bound to one device, or synced between devices. */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
}

/** The second factor the member's roles require: a TOTP app or passkey (`strong`), any, or none. */
export type RequiredFactor = 'strong' | 'any' | 'none';

export interface AccountSecurity {
  totp: { enrolled: boolean };
  passkeys: PasskeySummary[];
  recoveryCodesRemaining: number;
  phoneMasked: string | null;
  email: string | null;
  requiredFactor: RequiredFactor;
  password: { changedAt: string | null; expiresAt: string | null };
}

export interface OwnSession {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  authMethod: string;
}

/**
 * How far a successful password check got: a second factor still to be confirmed or set up, or
 * a session opened. `null` on failures and on records written before the server stored steps.
 */
export type SignInStep = 'second_factor_required' | 'enrolment_required' | 'session_opened';

export interface SignInRecord {
  occurredAt: string;
  outcome: 'success' | 'failure' | 'denied';
  ip: string | null;
  userAgent: string | null;
  method: string | null;
  failure: string | null;
  step: SignInStep | null;
}

export interface AccountNotification {
  id: string;
  kind: string;
  /** Already in the request's language. */
  message: string;
  createdAt: string;
  readAt: string | null;
}

export const SECURITY_QUERY_KEY = ['account', 'security'] as const;
export const SESSIONS_QUERY_KEY = ['account', 'sessions'] as const;
export const SIGN_INS_QUERY_KEY = ['account', 'sign-ins'] as const;
export const NOTIFICATIONS_QUERY_KEY = ['account', 'notifications'] as const;

export function fetchAccountSecurity(): Promise<AccountSecurity> {
  return request('GET', '/api/account/security');
}

export function startTotpSetup(): Promise<TotpSetup> {
  return request('POST', '/api/account/totp/start', { json: {} });
}

/** Returns new recovery codes when the member had none left, otherwise an empty list. */
export function confirmTotpSetup(input: { code: string }): Promise<{ recoveryCodes: string[] }> {
  return request('POST', '/api/account/totp/confirm', { json: input });
}

export function removeTotp(): Promise<void> {
  return request('POST', '/api/account/totp/remove', { json: {} });
}

export function fetchPasskeyCreationOptions(): Promise<PasskeyChallenge<'creation'>> {
  return request('POST', '/api/account/passkeys/options', { json: {} });
}

export function addPasskey(input: PasskeyRegistration): Promise<{ id: string; name: string }> {
  return request('POST', '/api/account/passkeys', { json: input });
}

export function renamePasskey(id: string, name: string): Promise<void> {
  return request('POST', `/api/account/passkeys/${encodeURIComponent(id)}/rename`, { json: { name } });
}

export function removePasskey(id: string): Promise<void> {
  return request('POST', `/api/account/passkeys/${encodeURIComponent(id)}/remove`, { json: {} });
}

export function regenerateRecoveryCodes(): Promise<{ codes: string[] }> {
  return request('POST', '/api/account/recovery-codes', { json: {} });
}

export function changeEmail(email: string): Promise<void> {
  return request('POST', '/api/account/email', { json: { email } });
}

export function changePhone(phone: string): Promise<{ phoneMasked: string }> {
  return request('POST', '/api/account/phone', { json: { phone } });
}

/** Changes the password and ends every other session of the member. */
export function changePassword(input: { currentPassword: string; newPassword: string }): Promise<{ user: Me }> {
  return request('POST', '/api/account/password', { json: input });
}

export function fetchOwnSessions(): Promise<{ items: OwnSession[] }> {
  return request('GET', '/api/account/sessions');
}

export function revokeOwnSession(id: string): Promise<void> {
  return request('POST', `/api/account/sessions/${encodeURIComponent(id)}/revoke`, { json: {} });
}

export function revokeOtherSessions(): Promise<{ revoked: number }> {
  return request('POST', '/api/account/sessions/revoke-others', { json: {} });
}

export function fetchSignIns(query: { page: number; pageSize: number }): Promise<{ items: SignInRecord[]; total: number }> {
  return request('GET', '/api/account/sign-ins', { query });
}

export function fetchNotifications(): Promise<{ items: AccountNotification[]; unread: number }> {
  return request('GET', '/api/account/notifications');
}

export function markNotificationsRead(): Promise<void> {
  return request('POST', '/api/account/notifications/read', { json: {} });
}
