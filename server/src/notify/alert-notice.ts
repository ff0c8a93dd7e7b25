import type { DbOrTrx } from '../db/index.js';

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

/** Severities from least to most urgent; channels route by a minimum severity. */
export const ALERT_SEVERITIES: readonly AlertSeverity[] = Object.freeze(['low', 'medium', 'high', 'critical']);

/** What a notification says about an alert: no client data, no secret, only who, what and when. */
export interface AlertNotice {
  readonly alertId: string;
  readonly rule: string;
  readonly severity: AlertSeverity;
  /** Rule title in both languages; messages are Chinese first with English beside it. */
  readonly title: { readonly 'zh-CN': string; readonly 'en-US': string };
  readonly summary: { readonly 'zh-CN': string; readonly 'en-US': string };
  readonly username: string | null;
  /** How many times the alert's group has fired; above 1 for a repeat. */
  readonly count: number;
  readonly raisedAt: string;
}

/**
 * Queues notices of an alert for every channel whose routing matches, inside the caller's
 * transaction, so an alert and its deliveries commit together and a crash sends nothing twice.
 */
export interface AlertNotifier {
  enqueue(trx: DbOrTrx, notice: AlertNotice): Promise<void>;
}
