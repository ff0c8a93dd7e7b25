import { randomBytes, randomUUID } from 'node:crypto';
import type { DbOrTrx } from '../db/index.js';
import { type CipherSuite, type CipherSuiteName, cipherSuite } from './cipher-suites.js';
import { deleteClientDataKeys, findDataKeyById, findLatestDataKey, insertDataKey } from './data-key.repository.js';
import { type Ciphertext, type DataKey, type FieldContext, openField, readEnvelopeHeader, sealField } from './envelope.js';
import { computeBlindIndex, deriveBlindIndexKey } from './blind-index.js';
import { listActiveIndexVersions } from './blind-index.repository.js';
import type { KeyringMaterial } from './keyring.js';

// Cache key of the firm's own data key, which belongs to no client.
const FIRM_KEY = '\u0000firm';

/**
 * How long this process keeps using a cached current data key. A rotation run by another process
 * (`keys rotate`) reaches new writes here within this time; reads never depend on it.
 */
const CURRENT_KEY_CACHE_MS = 30_000;

export interface FieldCryptoOptions {
  /** Suite of new ciphertexts; existing ones decrypt with the suite they name. */
  readonly suite?: CipherSuiteName;
}

/**
 * The one service through which client fields are encrypted, decrypted and blind-indexed.
 * Each client company has its own data key wrapped by the KEK, so deleting that key later
 * destroys the company's fields without touching anyone else's.
 */
export class FieldCrypto {
  readonly #material: KeyringMaterial;
  readonly #suite: CipherSuite;
  readonly #keysById = new Map<string, DataKey>();
  readonly #currentKeyByClient = new Map<string, { key: DataKey; loadedAt: number }>();
  readonly #blindIndexKeys = new Map<string, Buffer>();
  #currentIndexVersion: { version: number; loadedAt: number } | undefined;

  constructor(material: KeyringMaterial, options: FieldCryptoOptions = {}) {
    this.#material = material;
    this.#suite = cipherSuite(options.suite ?? 'aes-256-gcm');
  }

  get keyring(): KeyringMaterial {
    return this.#material;
  }

  /**
   * Returns the client's current data key, creating and storing one on first use. Pass the
   * transaction that creates the client so the key and the client commit together.
   */
  async dataKeyForClient(db: DbOrTrx, clientId: string | null): Promise<DataKey> {
    const cacheKey = clientId ?? FIRM_KEY;
    const cached = this.#currentKeyByClient.get(cacheKey);
    if (cached && Date.now() - cached.loadedAt < CURRENT_KEY_CACHE_MS) {
      return cached.key;
    }

    const stored = await findLatestDataKey(db, clientId);
    if (stored) {
      const key = await this.#keyOf(stored);
      this.#currentKeyByClient.set(cacheKey, { key, loadedAt: Date.now() });
      return key;
    }

    return this.addDataKeyVersion(db, clientId, 1);
  }

  /** Stores a new data key version for a client (or the firm), which new writes use from now on. */
  async addDataKeyVersion(db: DbOrTrx, clientId: string | null, version: number): Promise<DataKey> {
    const created: DataKey = { id: randomUUID(), version, key: randomBytes(32) };
    const { wrapped, kekVersion } = await this.#material.keks.wrap(created.id, created.key);
    await insertDataKey(db, { id: created.id, clientId, version, wrapped, kekVersion });
    this.#keysById.set(created.id, created);
    this.#currentKeyByClient.set(clientId ?? FIRM_KEY, { key: created, loadedAt: Date.now() });
    return created;
  }

  /**
   * WARNING: irreversible. Deletes every data key version of a client (crypto-shredding), so each
   * value and document key sealed under them can no longer be decrypted, and drops them from this
   * process's cache. Returns the ids and versions deleted. Other processes keep a cached key until
   * they restart.
   */
  async destroyClientDataKeys(db: DbOrTrx, clientId: string): Promise<{ id: string; version: number }[]> {
    const destroyed = await deleteClientDataKeys(db, clientId);
    for (const key of destroyed) {
      this.#keysById.delete(key.id);
    }
    this.#currentKeyByClient.delete(clientId);
    return destroyed;
  }

  /** Drops the cached current keys and index version, so the next write reads the newest from the database. */
  forgetCurrentKeys(): void {
    this.#currentKeyByClient.clear();
    this.#currentIndexVersion = undefined;
  }

  /**
   * Encrypts a value that belongs to no client, such as a member's TOTP secret or phone number,
   * under the firm's own data key.
   */
  async encryptFirmSecret(db: DbOrTrx, context: FieldContext, plaintext: string): Promise<Ciphertext> {
    const key = await this.dataKeyForClient(db, null);
    return sealField(key, context, plaintext, this.#suite);
  }

  async encrypt(db: DbOrTrx, clientId: string, context: FieldContext, plaintext: string): Promise<Ciphertext> {
    const key = await this.dataKeyForClient(db, clientId);
    return sealField(key, context, plaintext, this.#suite);
  }

  /** Encrypts under a given data key; the re-encryption job uses it to move values to the current version. */
  encryptWithKey(key: DataKey, context: FieldContext, plaintext: string): Ciphertext {
    return sealField(key, context, plaintext, this.#suite);
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
      key = await this.#keyOf(stored);
    }
    return openField(key, context, ciphertext);
  }

  /**
   * Computes the blind index a new value is stored with: HMAC-SHA256 under a per-column key of the
   * current index key version, truncated to 128 bits. Exact search compares these, so no
   * plaintext column is needed. The version is cached like the current data key.
   */
  async blindIndex(db: DbOrTrx, table: string, column: string, normalizedValue: string): Promise<string> {
    const cached = this.#currentIndexVersion;
    let version = cached?.version;
    if (!cached || Date.now() - cached.loadedAt >= CURRENT_KEY_CACHE_MS) {
      [version] = await listActiveIndexVersions(db);
      this.#currentIndexVersion = { version: version!, loadedAt: Date.now() };
    }
    return this.blindIndexUnder(version!, table, column, normalizedValue);
  }

  /**
   * Computes the index values to look a value up by: one per index key version not yet retired.
   * During an index rotation a row holds either version, so a search matching any of them misses
   * none. The versions are read on every call, because a search in a process that still knew only
   * the old version would miss the rows the job has already moved.
   */
  async blindIndexesForLookup(db: DbOrTrx, table: string, column: string, normalizedValue: string): Promise<string[]> {
    const versions = await listActiveIndexVersions(db);
    return versions.map((version) => this.blindIndexUnder(version, table, column, normalizedValue));
  }

  /** Computes a blind index under a given index key version; the index rotation job uses it. */
  blindIndexUnder(version: number, table: string, column: string, normalizedValue: string): string {
    const cacheKey = `${version}|${table}.${column}`;
    let key = this.#blindIndexKeys.get(cacheKey);
    if (!key) {
      key = deriveBlindIndexKey(this.#material, version, table, column);
      this.#blindIndexKeys.set(cacheKey, key);
    }
    return computeBlindIndex(key, version, normalizedValue);
  }

  async #keyOf(stored: { id: string; version: number; wrapped: string }): Promise<DataKey> {
    const known = this.#keysById.get(stored.id);
    if (known) return known;
    const key: DataKey = { id: stored.id, version: stored.version, key: await this.#material.keks.unwrap(stored.id, stored.wrapped) };
    this.#keysById.set(key.id, key);
    return key;
  }
}
