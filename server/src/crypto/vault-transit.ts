import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { KeyEncryptionKeys, WrappedDataKey } from './kek-source.js';

export interface VaultTransitSettings {
  /** Vault's address, such as `https://vault.example.internal:8200`; there is no default. */
  readonly address: string;
  readonly token: string;
  /** Name of the transit key that acts as the KEK. */
  readonly keyName: string;
  /** Mount path of the transit engine. */
  readonly mount: string;
  readonly timeoutMs?: number;
  /** File holding the index root wrapped by this key; rewrapped on rotation. */
  readonly indexRootFile?: string;
}

const VAULT_CIPHERTEXT = /^vault:v(\d+):/;

/**
 * KEKs kept in HashiCorp Vault's transit engine: data keys are sent to Vault to be wrapped and
 * unwrapped (`POST /v1/<mount>/encrypt/<key>` and `/decrypt/<key>`, base64 plaintext,
 * `vault:vN:` ciphertexts), so the KEK never leaves Vault. Vault numbers the key versions.
 */
export class VaultTransitKeks implements KeyEncryptionKeys {
  readonly source = 'vault' as const;
  readonly #settings: VaultTransitSettings;

  constructor(settings: VaultTransitSettings) {
    this.#settings = Object.freeze({ ...settings, address: settings.address.replace(/\/+$/, '') });
  }

  async currentVersion(): Promise<number> {
    const data = await this.#call('GET', `keys/${this.#key}`);
    const latest = data.latest_version;
    if (typeof latest !== 'number') throw new Error('Vault returned no latest_version for the transit key');
    return latest;
  }

  async wrap(keyId: string, dataKey: Buffer): Promise<WrappedDataKey> {
    // NOTE: the key id is not bound to the wrapped key as with the key file, because plain
    // transit keys take no associated data; a swapped wrapped key still fails every field's tag.
    const data = await this.#call('POST', `encrypt/${this.#key}`, { plaintext: dataKey.toString('base64') });
    const wrapped = data.ciphertext;
    if (typeof wrapped !== 'string' || !VAULT_CIPHERTEXT.test(wrapped)) {
      throw new Error(`Vault returned no ciphertext for data key ${keyId}`);
    }
    return { wrapped, kekVersion: this.versionOf(wrapped) };
  }

  async unwrap(keyId: string, wrapped: string): Promise<Buffer> {
    this.versionOf(wrapped);
    const data = await this.#call('POST', `decrypt/${this.#key}`, { ciphertext: wrapped });
    const key = Buffer.from(typeof data.plaintext === 'string' ? data.plaintext : '', 'base64');
    if (key.length !== 32) throw new Error(`Vault returned no valid plaintext for data key ${keyId}`);
    return key;
  }

  versionOf(wrapped: string): number {
    const match = VAULT_CIPHERTEXT.exec(wrapped);
    if (!match) throw new Error('Wrapped data key is not a Vault transit ciphertext');
    return Number(match[1]);
  }

  /**
   * Rotates the transit key and rewraps the index root file (`POST /v1/<mount>/rewrap/<key>`), so
   * retiring the old version later cannot strand the index root.
   */
  async addVersion(): Promise<number> {
    await this.#call('POST', `keys/${this.#key}/rotate`, {});
    const file = this.#settings.indexRootFile;
    if (file && existsSync(file)) {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { wrapped: string };
      const data = await this.#call('POST', `rewrap/${this.#key}`, { ciphertext: stored.wrapped });
      if (typeof data.ciphertext !== 'string') throw new Error('Vault returned no ciphertext for the index root');
      const temporary = `${file}.tmp`;
      writeFileSync(temporary, JSON.stringify({ ...stored, wrapped: data.ciphertext }, null, 2), { mode: 0o600 });
      renameSync(temporary, file);
    }
    return this.currentVersion();
  }

  /** Raises the transit key's minimum decryption version past `version`, which Vault requires to be the oldest. */
  async removeVersion(version: number): Promise<void> {
    await this.#call('POST', `keys/${this.#key}/config`, { min_decryption_version: version + 1 });
  }

  get #key(): string {
    return encodeURIComponent(this.#settings.keyName);
  }

  async #call(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const url = `${this.#settings.address}/v1/${this.#settings.mount}/${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { 'X-Vault-Token': this.#settings.token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.#settings.timeoutMs ?? 10_000),
      });
    } catch (error) {
      // The cause may quote the request; only its name is kept.
      throw new Error(`Vault request ${method} ${path.split('/')[0]} failed: ${(error as Error).name}`);
    }

    // Vault's error bodies are not copied into the message: they can echo request input.
    if (!response.ok) {
      throw new Error(`Vault request ${method} ${path.split('/')[0]} failed with HTTP ${response.status}`);
    }
    if (response.status === 204) return {};
    const parsed = (await response.json()) as { data?: Record<string, unknown> };
    return parsed.data ?? {};
  }
}
