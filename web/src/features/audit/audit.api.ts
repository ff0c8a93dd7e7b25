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
  /** An IP address, or a prefix of one ending in `*`. */
  ip: string | undefined;
  page: number;
  pageSize: number;
}

export type AuditFilter = Omit<AuditQuery, 'page' | 'pageSize'>;

/** One event as `GET /api/audit/events/:seq` returns it, with the hashes that link it into the chain. */
export interface AuditEventDetail extends AuditEvent {
  prevHash: string;
  hash: string;
}

export type ChainProblem = 'hash_mismatch' | 'link_broken' | 'sequence_gap' | 'head_mismatch' | 'checkpoint_mismatch' | 'checkpoint_signature_invalid' | 'truncated';

export interface ChainVerification {
  intact: boolean;
  checked: number;
  firstBrokenSeq?: number;
  problem?: ChainProblem;
  /** Signed checkpoints compared with the chain; absent from servers without checkpoints. */
  checkpoints?: { checked: number; lastSeq: number | null };
}

export function fetchAuditEvents(query: AuditQuery): Promise<{ items: AuditEvent[]; total: number }> {
  return request('GET', '/api/audit/events', { query: { ...query } });
}

/** Loads one event in full. The server records every call as `audit.event_viewed`. */
export function fetchAuditEvent(seq: number): Promise<AuditEventDetail> {
  return request('GET', `/api/audit/events/${encodeURIComponent(String(seq))}`);
}

export function fetchAuditActions(): Promise<{ actions: string[] }> {
  return request('GET', '/api/audit/actions');
}

export function verifyAuditChain(): Promise<ChainVerification> {
  return request('POST', '/api/audit/verify');
}
