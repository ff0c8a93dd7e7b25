import type { AuditOutcome } from '../../api/index.js';
import { AUDIT_OUTCOMES, type AuditQuery } from './audit.api.js';

export const AUDIT_PAGE_SIZES = [20, 50, 100] as const;
const DEFAULT_PAGE_SIZE = 20;

/** Pattern of the address filter the server accepts: an IP address, or its text prefix ending in `*`. */
export const ADDRESS_FILTER = /^[0-9A-Fa-f:.]{1,45}\*?$/;

function text(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function matching(value: string | undefined, pattern: RegExp): string | undefined {
  return value !== undefined && pattern.test(value) ? value : undefined;
}

function positiveInteger(value: string | null, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/** Reads the audit filter from the address bar, dropping values the server would reject. */
export function parseAuditQuery(params: URLSearchParams): AuditQuery {
  const outcome = params.get('outcome');
  const pageSize = positiveInteger(params.get('pageSize'), DEFAULT_PAGE_SIZE);

  return {
    from: text(params, 'from'),
    to: text(params, 'to'),
    actor: text(params, 'actor'),
    action: text(params, 'action'),
    clientId: text(params, 'clientId'),
    outcome: AUDIT_OUTCOMES.includes(outcome as AuditOutcome) ? (outcome as AuditOutcome) : undefined,
    ip: matching(text(params, 'ip'), ADDRESS_FILTER),
    page: positiveInteger(params.get('page'), 1),
    pageSize: (AUDIT_PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}

/** Writes the audit filter to search params, leaving out empty values and defaults. */
export function toAuditSearch(query: AuditQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ['from', 'to', 'actor', 'action', 'clientId', 'outcome', 'ip'] as const) {
    const value = query[name];
    if (value !== undefined && value !== '') params.set(name, value);
  }
  if (query.page !== 1) params.set('page', String(query.page));
  if (query.pageSize !== DEFAULT_PAGE_SIZE) params.set('pageSize', String(query.pageSize));
  return params;
}
