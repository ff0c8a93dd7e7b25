import { request, type AuditEvent, type AuditOutcome } from '../../api/index.js';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['success', 'denied', 'failure'];

export interface AuditQuery {
  /** ISO 8601 instants. */
  from: string | undefined;
  to: string | undefined;
  actor: string | undefined;
  action: string | undefined;
  clientId: string | undefined;
  outcome: AuditOutcome | undefined;
  page: number;
  pageSize: number;
}

export function fetchAuditEvents(query: AuditQuery): Promise<{ items: AuditEvent[]; total: number }> {
  return request('GET', '/api/audit/events', { query: { ...query } });
}

export function fetchAuditActions(): Promise<{ actions: string[] }> {
  return request('GET', '/api/audit/actions');
}
