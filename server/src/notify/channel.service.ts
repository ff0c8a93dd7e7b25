import { randomUUID } from 'node:crypto';
import type { AuditActor, AuditLog } from '../audit/index.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db, DbOrTrx } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { AlertNotifications } from './alert-notifications.js';
import { encryptChannelSecret, encryptChannelUrl } from './channel-secrets.js';
import { type ChannelInput, type ValidChannel, maskChannelUrl, validateChannelInputOrThrow } from './channel-validation.js';
import { type ChannelView, type DeliveryView, presentChannel, presentDelivery } from './channel.presenter.js';
import * as channels from './channel.repository.js';
import type { ChannelRow } from './channel.repository.js';
import { type DeliveryFilter, failPendingForChannel, findLatestDeliveries, listDeliveries } from './delivery.repository.js';

type Actor = AuditActor & { id: string };

export interface Origin {
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

/** Returns the channel settings that an audit event may record; secrets never appear, only whether they changed. */
function auditedSettings(channel: ValidChannel | ChannelRow) {
  if ('min_severity' in channel) {
    return { kind: channel.kind, name: channel.name, enabled: channel.enabled === 1, minSeverity: channel.min_severity };
  }
  return { kind: channel.kind, name: channel.name, enabled: channel.enabled, minSeverity: channel.minSeverity, recipientCount: channel.recipients.length };
}

/**
 * The security administrator's notification channels: create, change, delete and test them,
 * and list their deliveries. URLs and secrets are encrypted under the firm's data key before
 * they reach the database, and every change is audited in the transaction that makes it.
 */
export class NotificationChannels {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #crypto: FieldCrypto;
  readonly #notifications: AlertNotifications;
  readonly #now: () => Date;

  constructor({ db, audit, crypto, notifications, now = () => new Date() }: { db: Db; audit: AuditLog; crypto: FieldCrypto; notifications: AlertNotifications; now?: () => Date }) {
    this.#db = db;
    this.#audit = audit;
    this.#crypto = crypto;
    this.#notifications = notifications;
    this.#now = now;
  }

  async list(): Promise<ChannelView[]> {
    const rows = await channels.listChannels(this.#db);
    const latest = await findLatestDeliveries(this.#db, rows.map((row) => row.id));
    return rows.map((row) => presentChannel(row, latest.get(row.id)));
  }

  async create({ input, actor, origin }: { input: ChannelInput; actor: Actor; origin: Origin }): Promise<ChannelView> {
    const valid = validateChannelInputOrThrow(input);
    const id = randomUUID();
    const now = this.#now().toISOString();

    await this.#db.transaction().execute(async (trx) => {
      const target = await this.#encryptedTarget(trx, id, valid);
      await channels.insertChannel(trx, {
        id,
        kind: valid.kind,
        name: valid.name,
        enabled: valid.enabled ? 1 : 0,
        min_severity: valid.minSeverity,
        url_enc: target.url_enc ?? null,
        target_masked: target.target_masked ?? '',
        secret_enc: target.secret_enc ?? null,
        recipients: JSON.stringify(valid.recipients),
        created_at: now,
        created_by: actor.id,
        updated_at: now,
        updated_by: actor.id,
      });
      await this.#audit.append(trx, this.#event({ actor, origin, channelId: id, outcome: 'success', details: { change: 'created', ...auditedSettings(valid), urlChanged: valid.url !== null, secretChanged: Boolean(valid.secret) } }));
    });
    return this.#present(id);
  }

  /** Replaces a channel's settings; a left-out URL or secret keeps the stored one. */
  async update({ id, input, actor, origin }: { id: string; input: ChannelInput; actor: Actor; origin: Origin }): Promise<ChannelView> {
    const stored = await this.#findOrThrow(this.#db, id);
    const valid = validateChannelInputOrThrow(input, { kind: stored.kind, hasSecret: stored.secret_enc !== null });

    await this.#db.transaction().execute(async (trx) => {
      await channels.updateChannel(trx, id, {
        name: valid.name,
        enabled: valid.enabled ? 1 : 0,
        min_severity: valid.minSeverity,
        ...(await this.#encryptedTarget(trx, id, valid)),
        recipients: JSON.stringify(valid.recipients),
        updated_at: this.#now().toISOString(),
        updated_by: actor.id,
      });
      const details = { change: 'updated', ...auditedSettings(valid), urlChanged: valid.url !== undefined && valid.kind !== 'email', secretChanged: valid.secret !== undefined && (valid.secret !== null || stored.secret_enc !== null), previous: auditedSettings(stored) };
      await this.#audit.append(trx, this.#event({ actor, origin, channelId: id, outcome: 'success', details }));
    });
    return this.#present(id);
  }

  /** Deletes a channel's settings. Its deliveries stay for the record; those still pending are marked failed. */
  async remove({ id, actor, origin }: { id: string; actor: Actor; origin: Origin }): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const stored = await this.#findOrThrow(trx, id);
      await channels.deleteChannel(trx, id);
      await failPendingForChannel(trx, id, 'channel was deleted');
      await this.#audit.append(trx, this.#event({ actor, origin, channelId: id, outcome: 'success', details: { change: 'deleted', ...auditedSettings(stored) } }));
    });
  }

  /** Sends one test message now and audits the attempt with its outcome. */
  async test({ id, actor, origin }: { id: string; actor: Actor; origin: Origin }): Promise<{ delivered: boolean; error?: string }> {
    const channel = await this.#findOrThrow(this.#db, id);
    const { delivered, error } = await this.#notifications.sendTest(channel);
    await this.#audit.record({
      action: 'security.channel_tested',
      outcome: delivered ? 'success' : 'failure',
      actor,
      targetType: 'notification_channel',
      targetId: id,
      ip: origin.ip,
      userAgent: origin.userAgent,
      details: { kind: channel.kind, name: channel.name, delivered, ...(error ? { error } : {}) },
    });
    return error ? { delivered, error } : { delivered };
  }

  async deliveries(filter: DeliveryFilter, { page, pageSize }: { page: number; pageSize: number }): Promise<{ total: number; items: DeliveryView[] }> {
    const { total, rows } = await listDeliveries(this.#db, filter, { offset: (page - 1) * pageSize, limit: pageSize });
    return { total, items: rows.map(presentDelivery) };
  }

  /** The encrypted URL and secret columns to write; a kept value is left out of the change. */
  async #encryptedTarget(trx: DbOrTrx, id: string, valid: ValidChannel): Promise<{ url_enc?: string | null; target_masked?: string; secret_enc?: string | null }> {
    const columns: { url_enc?: string | null; target_masked?: string; secret_enc?: string | null } = {};
    if (valid.kind === 'email') {
      columns.url_enc = null;
      columns.target_masked = valid.recipients.join(', ');
    } else if (valid.url) {
      columns.url_enc = await encryptChannelUrl(this.#crypto, trx, id, valid.url);
      columns.target_masked = maskChannelUrl(valid.kind, valid.url);
    }
    if (valid.secret !== undefined) {
      columns.secret_enc = valid.secret === null ? null : await encryptChannelSecret(this.#crypto, trx, id, valid.secret);
    }
    return columns;
  }

  async #findOrThrow(db: DbOrTrx, id: string): Promise<ChannelRow> {
    const row = await channels.findChannel(db, id);
    if (!row) throw new AppError('not_found');
    return row;
  }

  async #present(id: string): Promise<ChannelView> {
    const row = await this.#findOrThrow(this.#db, id);
    const latest = await findLatestDeliveries(this.#db, [id]);
    return presentChannel(row, latest.get(id));
  }

  #event({ actor, origin, channelId, outcome, details }: { actor: Actor; origin: Origin; channelId: string; outcome: 'success'; details: Record<string, unknown> }) {
    return { action: 'security.channel_changed' as const, outcome, actor, targetType: 'notification_channel', targetId: channelId, ip: origin.ip, userAgent: origin.userAgent, details };
  }
}
