import type { Alert } from './security.api.js';

/** Returns the member an alert concerns as `display name (username)`, or `null` for an alert without one (credential stuffing). */
export function memberName(alert: Pick<Alert, 'userId' | 'username' | 'displayName'>): string | null {
  if (alert.displayName !== null && alert.username !== null) return `${alert.displayName} (${alert.username})`;
  return alert.username ?? alert.displayName ?? alert.userId;
}
