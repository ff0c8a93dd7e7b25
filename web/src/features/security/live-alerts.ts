import { DEFAULT_ALERT_SORT } from './security-query.js';
import type { Alert, AlertQuery } from './security.api.js';

export interface AlertPage {
  total: number;
  items: Alert[];
}

/** Returns whether the alert passes the list's filter, as the server applies it. */
export function matchesAlertQuery(alert: Alert, query: AlertQuery): boolean {
  if (query.status !== undefined && alert.status !== query.status) return false;
  if (query.severity !== undefined && alert.severity !== query.severity) return false;
  if (query.rule !== undefined && alert.rule !== query.rule) return false;
  if (query.userId !== undefined && alert.userId !== query.userId) return false;
  return true;
}

/**
 * Merges an alert from the live feed into the page on screen, without a round trip. A row already
 * shown is replaced by the newer copy, so each id appears once. A new alert goes on top only where
 * the server would put it: the first page, newest first, and passing the filter. Returns the same
 * object when nothing changes.
 */
export function mergeLiveAlert(page: AlertPage, alert: Alert, query: AlertQuery): AlertPage {
  const index = page.items.findIndex((item) => item.id === alert.id);
  if (index >= 0) {
    // After a reconnect the feed may resend an older state of a row the list already has.
    if (page.items[index]!.updatedAt > alert.updatedAt) return page;

    const items = [...page.items];
    items[index] = alert;
    return { ...page, items };
  }

  if (query.page !== 1 || query.sort !== DEFAULT_ALERT_SORT || !matchesAlertQuery(alert, query)) return page;

  // A repeat of an older alert keeps its creation time, so it does not belong above newer rows.
  const newest = page.items[0];
  if (newest !== undefined && newest.createdAt > alert.createdAt) return page;

  return { total: page.total + 1, items: [alert, ...page.items].slice(0, query.pageSize) };
}

/** Reads one `alert` event's data, or returns `undefined` for a body that is not an alert. */
export function parseAlertEvent(data: string): Alert | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }

  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const candidate = parsed as Partial<Alert>;
  const valid = typeof candidate.id === 'string' && typeof candidate.rule === 'string' && typeof candidate.status === 'string' && typeof candidate.createdAt === 'string' && typeof candidate.updatedAt === 'string';
  return valid ? (parsed as Alert) : undefined;
}
