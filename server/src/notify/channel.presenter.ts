import { parseRecipients } from './channel-secrets.js';
import type { ChannelRow } from './channel.repository.js';
import type { DeliveryRow } from './delivery.repository.js';

/**
 * A channel as the API returns it. The URL appears only masked and the secret only as
 * `hasSecret`; the ciphertext columns are never read here.
 */
export function presentChannel(row: ChannelRow, lastDelivery: DeliveryRow | undefined) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    enabled: row.enabled === 1,
    minSeverity: row.min_severity,
    target: row.target_masked,
    hasSecret: row.secret_enc !== null,
    recipients: row.kind === 'email' ? parseRecipients(row.recipients) : [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastDelivery: lastDelivery ? { status: lastDelivery.status, at: lastDelivery.last_attempt_at ?? lastDelivery.created_at, error: lastDelivery.last_error } : null,
  };
}

export type ChannelView = ReturnType<typeof presentChannel>;

/** A delivery as the API returns it; the payload (the notice text) stays on the server. */
export function presentDelivery(row: DeliveryRow) {
  return {
    id: row.id,
    channelId: row.channel_id,
    channelName: row.channel_name,
    alertId: row.alert_id,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
    lastError: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export type DeliveryView = ReturnType<typeof presentDelivery>;
