import { ALERT_SEVERITIES, ALERT_SORTS, ALERT_STATUSES, type AlertQuery } from './security.api.js';

export const SECURITY_TABS = ['alerts', 'rules', 'calendar', 'channels'] as const;
export type SecurityTab = (typeof SECURITY_TABS)[number];

export const ALERT_PAGE_SIZES = [20, 50, 100] as const;
const DEFAULT_PAGE_SIZE = 20;
export const DEFAULT_ALERT_SORT = '-createdAt';

function oneOf<Value extends string>(values: readonly Value[], value: string | null): Value | undefined {
  return values.includes(value as Value) ? (value as Value) : undefined;
}

function text(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function positiveInteger(value: string | null, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/** Reads the open tab from the address (`?tab=rules`), so a link or a reload opens the same tab. */
export function parseSecurityTab(params: URLSearchParams): SecurityTab {
  return oneOf(SECURITY_TABS, params.get('tab')) ?? 'alerts';
}

/** Reads the alert filter, sort and page from the address bar, dropping values the server would reject. */
export function parseAlertQuery(params: URLSearchParams): AlertQuery {
  const pageSize = positiveInteger(params.get('pageSize'), DEFAULT_PAGE_SIZE);

  return {
    status: oneOf(ALERT_STATUSES, params.get('status')),
    severity: oneOf(ALERT_SEVERITIES, params.get('severity')),
    rule: text(params, 'rule'),
    userId: text(params, 'userId'),
    sort: oneOf(ALERT_SORTS, params.get('sort')) ?? DEFAULT_ALERT_SORT,
    page: positiveInteger(params.get('page'), 1),
    pageSize: (ALERT_PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}

/** Writes the tab and the alert query to search params, leaving out empty values and defaults. */
export function toSecuritySearch(tab: SecurityTab, query: AlertQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (tab !== 'alerts') params.set('tab', tab);

  for (const name of ['status', 'severity', 'rule', 'userId'] as const) {
    const value = query[name];
    if (value !== undefined && value !== '') params.set(name, value);
  }
  if (query.sort !== DEFAULT_ALERT_SORT) params.set('sort', query.sort);
  if (query.page !== 1) params.set('page', String(query.page));
  if (query.pageSize !== DEFAULT_PAGE_SIZE) params.set('pageSize', String(query.pageSize));
  return params;
}
