import { translate } from '../i18n/index.js';
import type { AlertNotice } from '../notify/alert-notice.js';
import type { AlertRecord } from './alert.repository.js';

/**
 * Builds the notice of an alert from the server's text catalogs (`alert.<rule>.title` and
 * `alert.<rule>.summary`), filling placeholders from the alert's facts, the member's username
 * and the count. Facts hold counts, times, addresses and department names, never client data.
 */
export function buildAlertNotice(alert: AlertRecord, username: string | null): AlertNotice {
  const params = { ...alert.facts, username: username ?? '', count: alert.count };
  const text = (locale: 'zh-CN' | 'en-US', part: 'title' | 'summary') => translate(locale, `alert.${alert.rule}.${part}`, params);
  return {
    alertId: alert.id,
    rule: alert.rule,
    severity: alert.severity,
    title: { 'zh-CN': text('zh-CN', 'title'), 'en-US': text('en-US', 'title') },
    summary: { 'zh-CN': text('zh-CN', 'summary'), 'en-US': text('en-US', 'summary') },
    username,
    count: alert.count,
    raisedAt: alert.lastSeenAt,
  };
}

/**
 * Returns whether a firing is worth a notification: the 1st, 2nd, 5th, 10th, 20th, 50th… (a
 * 1-2-5 series). An alert that fires on every click then does not flood the firm's group chats,
 * and its growth still reaches them. The live dashboard shows every repeat.
 */
export function isNotifiedCount(count: number): boolean {
  for (let power = 1; power <= count; power *= 10) {
    if (count === power || count === 2 * power || count === 5 * power) return true;
  }
  return false;
}
