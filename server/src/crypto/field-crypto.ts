import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { DbOrTrx } from '../db/index.js';
import { findDataKeyById, findLatestDataKey, insertDataKey } from './data-key.repository.js';
import { type Ciphertext, type DataKey, type FieldContext, openField, readEnvelopeHeader, sealField } from './envelope.js';
import { type KeyringMaterial, deriveBlindIndexKey, unwrapDataKey, wrapDataKey } from './keyring.js';

/**
 * The one service through which client fields are encrypted, decrypted and blind-indexed.
 * Each client company has its own data key wrapped by the KEK, so deleting that key later
 * destroys the company's fields without touching anyone else's.
 */
// Cache key of the firm's own data key, which belongs to no client.
const FIRM_KEY = '\u0000firm';

export class FieldCrypto {
  readonly #material: KeyringMaterial;
  readonly #keysById = new Map<string, DataKey>();
  readonly #currentKeyByClient = new Map<string, DataKey>();
  readonly #blindIndexKeys = new Map<string, Buffer>();

  constructor(material: KeyringMaterial) {
    this.#material = material;
  }

  /**
   * Returns the client's current data key, creating and storing one on first use. Pass the
   * transaction that creates the client so the key and the client commit together.
   */
  async dataKeyForClient(db: DbOrTrx, clientId: string | null): Promise<DataKey> {
    const cacheKey = clientId ?? FIRM_KEY;
    const cached = this.#currentKeyByClient.get(cacheKey);
    if (cached) {
      return cached;
    }

    const stored = await findLatestDataKey(db, clientId);
    if (stored) {
      const key = this.#remember({ id: stored.id, version: stored.version, key: unwrapDataKey(this.#material, stored.id, stored.wrapped) });
      this.#currentKeyByClient.set(cacheKey, key);
      return key;
    }

    const created: DataKey = { id: randomUUID(), version: 1, key: randomBytes(32) };
    await insertDataKey(db, {
      id: created.id,
      clientId,
      version: created.version,
      wrapped: wrapDataKey(this.#material, created.id, created.key),
      kekVersion: this.#material.kekVersion,
    });
    this.#remember(created);
    this.#currentKeyByClient.set(cacheKey, created);
    return created;
  }

  /**
   * Encrypts a value that belongs to no client, such as a member's TOTP secret or phone number,
   * under the firm's own data key.
   */
  async encryptFirmSecret(db: DbOrTrx, context: FieldContext, plaintext: string): Promise<Ciphertext> {
    const key = await this.dataKeyForClient(db, null);
    return sealField(key, context, plaintext);
  }

  async encrypt(db: DbOrTrx, clientId: string, context: FieldContext, plaintext: string): Promise<Ciphertext> {
    const key = await this.dataKeyForClient(db, clientId);
    return sealField(key, context, plaintext);
  }

  /** Decrypts with the key the envelope names; throws on any mismatch rather than guessing. */
  async decrypt(db: DbOrTrx, context: FieldContext, ciphertext: string): Promise<string> {
    const { keyId } = readEnvelopeHeader(ciphertext);
    let key = this.#keysById.get(keyId);
    if (!key) {
      const stored = await findDataKeyById(db, keyId);
      if (!stored) {
        throw new Error(`Data key ${keyId} not found; the value cannot be decrypted`);
      }
      key = this.#remember({ id: stored.id, version: stored.version, key: unwrapDataKey(this.#material, stored.id, stored.wrapped) });
    }
    return openField(key, context, ciphertext);
  }

  /**
   * Computes the keyed blind index of a normalized value: HMAC-SHA256 under a per-column key,
   * truncated to 128 bits. Exact search compares these, so no plaintext column is needed.
   */
  blindIndex(table: string, column: string, normalizedValue: string): string {
    const cacheKey = `${table}.${column}`;
    let key = this.#blindIndexKeys.get(cacheKey);
    if (!key) {
      key = deriveBlindIndexKey(this.#material, table, column);
      this.#blindIndexKeys.set(cacheKey, key);
    }
    return createHmac('sha256', key).update(normalizedValue, 'utf8').digest().subarray(0, 16).toString('base64url');
  }

  #remember(key: DataKey): DataKey {
    this.#keysById.set(key.id, key);
    return key;
  }
}
