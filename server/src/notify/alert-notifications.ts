import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db, DbOrTrx } from '../db/index.js';
import { ALERT_SEVERITIES, type AlertNotice, type AlertNotifier } from './alert-notice.js';
import { decryptChannelTarget } from './channel-secrets.js';
import { type ChannelRow, findChannel, findRoutedChannels } from './channel.repository.js';
import { DeliveryError, deliveryErrorText } from './delivery-error.js';
import { claimDelivery, type DeliveryRow, findDueDeliveryIds, insertDeliveries, recordAttempt } from './delivery.repository.js';
import type { Mailer } from './mailer.js';
import { type DeliveryPayload, renderMessageText } from './message-text.js';
import type { DeliveryStatus } from './notify.tables.js';
import { type ChannelTarget, SENDERS, type SendContext } from './senders/index.js';
import { urlSecrets } from './senders/sender.types.js';

/** Waits before the 2nd to 6th attempt; after the 6th failure the delivery is marked failed. */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([10_000, 30_000, 120_000, 600_000, 1_800_000]);
/** Timeout of one HTTP request to a robot or webhook, in milliseconds. */
export const SEND_TIMEOUT_MS = 5_000;
/**
 * How long a claim keeps other dispatchers off a delivery. It must outlast a send (an SMTP
 * dialogue may take tens of seconds), or a slow send would be claimed and sent a second time.
 */
export const CLAIM_LEASE_MS = 120_000;
const BATCH_SIZE = 20;

export interface AlertNotificationsOptions {
  readonly db: Db;
  readonly crypto: FieldCrypto;
  readonly mailer: Mailer;
  readonly logger: Logger;
  /** Time zone of the times in message texts, such as `Asia/Shanghai`. */
  readonly timeZone: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly now?: () => Date;
  /** Source of the retry jitter, in [0, 1). */
  readonly random?: () => number;
  readonly timeoutMs?: number;
  readonly retryDelaysMs?: readonly number[];
}

export interface DispatchResult {
  readonly sent: number;
  readonly retrying: number;
  readonly failed: number;
}

/**
 * Alert notifications as an outbox: `enqueue` adds one pending delivery per routed channel in
 * the transaction that raises the alert, and `dispatchDue`, run every second by the background
 * work, sends what is due and schedules retries. Delivery is at least once: a server that stops
 * between a provider's acceptance and recording it sends that message again after the lease.
 */
export class AlertNotifications implements AlertNotifier {
  readonly #db: Db;
  readonly #crypto: FieldCrypto;
  readonly #logger: Logger;
  readonly #timeZone: string;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #retryDelaysMs: readonly number[];
  readonly #sendContext: SendContext;

  constructor({ db, crypto, mailer, logger, timeZone, fetch = globalThis.fetch, now = () => new Date(), random = Math.random, timeoutMs = SEND_TIMEOUT_MS, retryDelaysMs = RETRY_DELAYS_MS }: AlertNotificationsOptions) {
    this.#db = db;
    this.#crypto = crypto;
    this.#logger = logger;
    this.#timeZone = timeZone;
    this.#now = now;
    this.#random = random;
    this.#retryDelaysMs = retryDelaysMs;
    this.#sendContext = Object.freeze({ fetch, timeoutMs, now, mailer });
  }

  /** Queues the notice for every enabled channel whose minimum severity is at or below the alert's. */
  async enqueue(trx: DbOrTrx, notice: AlertNotice): Promise<void> {
    const rank = ALERT_SEVERITIES.indexOf(notice.severity);
    if (rank < 0) throw new Error(`Unknown alert severity ${String(notice.severity)}`);

    const channels = await findRoutedChannels(trx, ALERT_SEVERITIES.slice(0, rank + 1));
    const now = this.#now().toISOString();
    const payload: DeliveryPayload = { type: 'alert', notice };
    await insertDeliveries(
      trx,
      channels.map((channel) => ({
        id: randomUUID(),
        channel_id: channel.id,
        channel_name: channel.name,
        channel_kind: channel.kind,
        alert_id: notice.alertId,
        payload: JSON.stringify(payload),
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: now,
        claim_token: null,
        last_error: null,
        last_attempt_at: null,
        created_at: now,
        sent_at: null,
      })),
    );
  }

  /** Sends the deliveries that are due, up to one batch, in parallel. */
  async dispatchDue(): Promise<DispatchResult> {
    const ids = await findDueDeliveryIds(this.#db, this.#now().toISOString(), BATCH_SIZE);
    const outcomes = await Promise.all(ids.map((id) => this.#attempt(id)));
    return {
      sent: outcomes.filter((outcome) => outcome === 'sent').length,
      retrying: outcomes.filter((outcome) => outcome === 'pending').length,
      failed: outcomes.filter((outcome) => outcome === 'failed').length,
    };
  }

  /**
   * Sends one test message to a channel at once and records it as a delivery without an alert.
   * The row is written after the attempt, so a test is never picked up and retried.
   */
  async sendTest(channel: ChannelRow): Promise<{ delivered: boolean; error: string | null }> {
    const deliveryId = randomUUID();
    const startedAt = this.#now().toISOString();
    const payload: DeliveryPayload = { type: 'test', channelName: channel.name, requestedAt: startedAt };

    const error = await this.#send(channel, deliveryId, payload);
    await insertDeliveries(this.#db, [
      {
        id: deliveryId,
        channel_id: channel.id,
        channel_name: channel.name,
        channel_kind: channel.kind,
        alert_id: null,
        payload: JSON.stringify(payload),
        status: error === null ? 'sent' : 'failed',
        attempts: 1,
        next_attempt_at: null,
        claim_token: null,
        last_error: error,
        last_attempt_at: startedAt,
        created_at: startedAt,
        sent_at: error === null ? startedAt : null,
      },
    ]);
    return { delivered: error === null, error };
  }

  async #attempt(id: string): Promise<'sent' | 'pending' | 'failed' | 'skipped'> {
    const claimedAt = this.#now();
    const claimToken = randomUUID();
    const row = await claimDelivery(this.#db, { id, now: claimedAt.toISOString(), leaseUntil: new Date(claimedAt.getTime() + CLAIM_LEASE_MS).toISOString(), claimToken });
    if (!row) return 'skipped';

    const channel = await findChannel(this.#db, row.channel_id);
    const payload = parsePayload(row.payload);
    let error: string | null;
    let final = false;
    if (!channel) {
      error = 'channel was deleted';
      final = true;
    } else if (channel.enabled !== 1) {
      error = 'channel is disabled';
      final = true;
    } else if (!payload) {
      error = 'stored message is unreadable';
      final = true;
    } else {
      error = await this.#send(channel, row.id, payload);
    }

    return this.#record(row, claimToken, claimedAt, error, final);
  }

  async #record(row: DeliveryRow, claimToken: string, attemptedAt: Date, error: string | null, final: boolean): Promise<'sent' | 'pending' | 'failed' | 'skipped'> {
    const attempts = Number(row.attempts);
    const delay = this.#retryDelaysMs[attempts - 1];
    let status: DeliveryStatus = 'sent';
    let nextAttemptAt: string | null = null;
    if (error !== null && (final || delay === undefined)) {
      status = 'failed';
    } else if (error !== null && delay !== undefined) {
      status = 'pending';
      // Jitter of ±20 % spreads the retries of many deliveries that failed in the same outage.
      nextAttemptAt = new Date(this.#now().getTime() + Math.round(delay * (0.8 + 0.4 * this.#random()))).toISOString();
    }

    const recorded = await recordAttempt(this.#db, { id: row.id, claimToken, status, attemptedAt: attemptedAt.toISOString(), nextAttemptAt, lastError: error });
    if (!recorded) {
      // The lease ran out during the send and another dispatcher claimed the row, so its outcome is kept.
      this.#logger.warn({ deliveryId: row.id, channelId: row.channel_id }, 'notification delivery outcome dropped: claim expired during the send');
      return 'skipped';
    }
    if (error !== null) {
      this.#logger.warn({ deliveryId: row.id, channelId: row.channel_id, kind: row.channel_kind, attempts, status, nextAttemptAt, error }, status === 'failed' ? 'notification delivery failed' : 'notification delivery failed; retry scheduled');
    }
    return status;
  }

  /** Sends one payload to a channel; returns `null` on success and the error text to record otherwise. */
  async #send(channel: ChannelRow, deliveryId: string, payload: DeliveryPayload): Promise<string | null> {
    let target: ChannelTarget | undefined;
    try {
      target = await decryptChannelTarget(this.#crypto, this.#db, channel);
      await SENDERS[channel.kind]({ ...target }, { deliveryId, payload }, renderMessageText(payload, this.#timeZone), this.#sendContext);
      return null;
    } catch (error) {
      // Only the scrubbed text is kept or logged: a raw error, such as an invalid-URL TypeError, may carry the URL.
      if (!(error instanceof DeliveryError)) {
        this.#logger.error({ deliveryId, channelId: channel.id, errorName: error instanceof Error ? error.name : typeof error }, 'notification send failed unexpectedly');
      }
      return deliveryErrorText(error, [...urlSecrets(target?.url ?? null), target?.secret]);
    }
  }
}

function parsePayload(json: string): DeliveryPayload | undefined {
  try {
    const value = JSON.parse(json) as Partial<DeliveryPayload> | null;
    return value?.type === 'alert' || value?.type === 'test' ? (value as DeliveryPayload) : undefined;
  } catch {
    return undefined;
  }
}
