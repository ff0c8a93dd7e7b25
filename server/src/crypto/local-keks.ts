import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyEncryptionKeys, WrappedDataKey } from './kek-source.js';

const WRAP_PREFIX = 'kw1';

/** Wraps a data key with one KEK (AES-256-GCM), bound to the key's id so wrapped keys cannot be swapped. */
export function wrapWithKek(kek: Buffer, kekVersion: number, keyId: string, dataKey: Buffer): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  cipher.setAAD(Buffer.from(`${WRAP_PREFIX}|${keyId}`));
  const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return [WRAP_PREFIX, kekVersion, nonce.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function localKekVersionOf(wrapped: string): number {
  const [prefix, version] = wrapped.split('.');
  if (prefix !== WRAP_PREFIX || !version || !/^\d+$/.test(version)) {
    throw new Error('Wrapped data key has an unknown format');
  }
  return Number(version);
}

export function unwrapWithKek(kek: Buffer, keyId: string, wrapped: string): Buffer {
  const [, , nonce, body, tag] = wrapped.split('.');
  if (!nonce || !body || !tag) {
    throw new Error(`Wrapped data key ${keyId} is incomplete`);
  }
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(nonce, 'base64url'));
  decipher.setAAD(Buffer.from(`${WRAP_PREFIX}|${keyId}`));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
}

/** A KEK ring held in memory: the current version and the older ones not yet retired. */
export interface LocalKekRing {
  readonly current: number;
  readonly keys: ReadonlyMap<number, Buffer>;
}

/**
 * KEKs held by this process, from the key file, the environment or random test keys. `reload`
 * lets the key file source pick up a version that another process (`keys rotate`) added.
 */
export class LocalKeks implements KeyEncryptionKeys {
  readonly source: KeyEncryptionKeys['source'];
  #ring: LocalKekRing;
  readonly #reload: (() => LocalKekRing) | undefined;
  readonly #addVersion: ((ring: LocalKekRing) => LocalKekRing) | undefined;
  readonly #removeVersion: ((ring: LocalKekRing, version: number) => LocalKekRing) | undefined;

  constructor(options: {
    source: KeyEncryptionKeys['source'];
    ring: LocalKekRing;
    reload?: () => LocalKekRing;
    addVersion?: (ring: LocalKekRing) => LocalKekRing;
    removeVersion?: (ring: LocalKekRing, version: number) => LocalKekRing;
  }) {
    this.source = options.source;
    this.#ring = options.ring;
    this.#reload = options.reload;
    this.#addVersion = options.addVersion;
    this.#removeVersion = options.removeVersion;
  }

  async currentVersion(): Promise<number> {
    this.#refresh();
    return this.#ring.current;
  }

  async wrap(keyId: string, dataKey: Buffer): Promise<WrappedDataKey> {
    // A rotation by another process must reach new data keys too, or they keep the old KEK alive.
    this.#refresh();
    const kek = this.#ring.keys.get(this.#ring.current)!;
    return { wrapped: wrapWithKek(kek, this.#ring.current, keyId, dataKey), kekVersion: this.#ring.current };
  }

  async unwrap(keyId: string, wrapped: string): Promise<Buffer> {
    const version = localKekVersionOf(wrapped);
    if (!this.#ring.keys.has(version)) this.#refresh();
    const kek = this.#ring.keys.get(version);
    if (!kek) {
      throw new Error(`Wrapped data key ${keyId} needs KEK version ${version}, which is not loaded`);
    }
    return unwrapWithKek(kek, keyId, wrapped);
  }

  versionOf(wrapped: string): number {
    return localKekVersionOf(wrapped);
  }

  async addVersion(): Promise<number> {
    this.#refresh();
    if (!this.#addVersion) return this.#ring.current;
    this.#ring = this.#addVersion(this.#ring);
    return this.#ring.current;
  }

  async removeVersion(version: number): Promise<void> {
    if (version === this.#ring.current) {
      throw new Error(`KEK version ${version} is current and cannot be removed`);
    }
    if (this.#removeVersion) this.#ring = this.#removeVersion(this.#ring, version);
  }

  #refresh(): void {
    if (this.#reload) this.#ring = this.#reload();
  }
}
