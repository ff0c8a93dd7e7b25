import { createHmac } from 'node:crypto';
import { DeliveryError } from '../delivery-error.js';
import { postJson } from '../http-post.js';
import type { OutgoingMessage } from '../message-text.js';
import { type Sender, requireUrl, urlSecrets } from './sender.types.js';

export const WEBHOOK_TIMESTAMP_HEADER = 'x-ledgerguard-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'x-ledgerguard-signature';
export const WEBHOOK_DELIVERY_HEADER = 'x-ledgerguard-delivery';
export const WEBHOOK_EVENT_HEADER = 'x-ledgerguard-event';

/**
 * Computes the generic webhook signature: `sha256=` and the lower-case hex HMAC-SHA256 of
 * `timestamp + "." + body` under the channel's secret, where `timestamp` is the value of the
 * X-LedgerGuard-Timestamp header (Unix seconds) and `body` the exact bytes sent. Signing the
 * timestamp lets a receiver reject a replayed request by its age.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** The JSON body of a generic webhook request; docs/api/alert-webhook.md describes it for receivers. */
export function webhookBody(message: OutgoingMessage, sentAt: Date): string {
  const { payload } = message;
  if (payload.type === 'test') {
    return JSON.stringify({ event: 'test', deliveryId: message.deliveryId, sentAt: sentAt.toISOString(), channel: { name: payload.channelName } });
  }

  const { notice } = payload;
  return JSON.stringify({
    event: 'alert',
    deliveryId: message.deliveryId,
    sentAt: sentAt.toISOString(),
    alert: { id: notice.alertId, rule: notice.rule, severity: notice.severity, title: notice.title, summary: notice.summary, username: notice.username, count: notice.count, raisedAt: notice.raisedAt },
  });
}

/**
 * Posts the alert as JSON to the firm's own endpoint, signed with HMAC-SHA256. Any 2xx status
 * is success. Delivery is at least once, so a receiver should drop a repeated
 * X-LedgerGuard-Delivery id.
 */
export const sendWebhook: Sender = async (target, message, _text, context) => {
  if (!target.secret) {
    throw new DeliveryError('webhook channel has no signing secret');
  }
  const now = context.now();
  const body = webhookBody(message, now);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const headers = {
    [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
    [WEBHOOK_SIGNATURE_HEADER]: signWebhook(target.secret, timestamp, body),
    [WEBHOOK_DELIVERY_HEADER]: message.deliveryId,
    [WEBHOOK_EVENT_HEADER]: message.payload.type,
  };

  const secrets = [...urlSecrets(target.url), target.secret];
  const { status } = await postJson({ provider: 'Webhook', url: requireUrl(target), body, headers, fetch: context.fetch, timeoutMs: context.timeoutMs, secrets });
  if (status < 200 || status > 299) {
    throw new DeliveryError(`Webhook returned HTTP ${status}`);
  }
};
