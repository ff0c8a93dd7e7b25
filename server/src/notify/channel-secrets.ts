import type { Ciphertext, FieldContext, FieldCrypto } from '../crypto/index.js';
import type { DbOrTrx } from '../db/index.js';
import type { ChannelRow } from './channel.repository.js';
import type { ChannelTarget } from './senders/index.js';

/** Binds each ciphertext to its channel and column, so a value copied to another row fails to decrypt. */
function context(channelId: string, column: 'url_enc' | 'secret_enc'): FieldContext {
  return { table: 'notification_channels', column, rowId: channelId };
}

export function encryptChannelUrl(crypto: FieldCrypto, db: DbOrTrx, channelId: string, url: string): Promise<Ciphertext> {
  return crypto.encryptFirmSecret(db, context(channelId, 'url_enc'), url);
}

export function encryptChannelSecret(crypto: FieldCrypto, db: DbOrTrx, channelId: string, secret: string): Promise<Ciphertext> {
  return crypto.encryptFirmSecret(db, context(channelId, 'secret_enc'), secret);
}

/** Decrypts a channel's URL and secret for one send; the result must not be logged or returned. */
export async function decryptChannelTarget(crypto: FieldCrypto, db: DbOrTrx, row: ChannelRow): Promise<ChannelTarget> {
  return {
    kind: row.kind,
    url: row.url_enc ? await crypto.decrypt(db, context(row.id, 'url_enc'), row.url_enc) : null,
    secret: row.secret_enc ? await crypto.decrypt(db, context(row.id, 'secret_enc'), row.secret_enc) : null,
    recipients: parseRecipients(row.recipients),
  };
}

export function parseRecipients(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
