import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyEncryptionKeys } from './kek-source.js';
import { createKeyFileIfMissing, keyFileKeks, readKeyFile } from './key-file.js';
import { LocalKeks } from './local-keks.js';
import { type VaultTransitSettings, VaultTransitKeks } from './vault-transit.js';

/**
 * The root keys: the key-encryption keys (KEKs) that wrap per-client data keys, and an index root
 * from which blind-index and service keys are derived. They live outside the database, so a
 * copied database file alone decrypts nothing. Rotating the KEK leaves the index root, and so
 * every derived key, unchanged.
 */
export interface KeyringMaterial {
  readonly keks: KeyEncryptionKeys;
  readonly indexRoot: Buffer;
}

/** Where the keyring comes from; see `loadKeyring`. */
export type KeySourceSettings =
  | { readonly source: 'file'; readonly file: string }
  | { readonly source: 'env'; readonly kek: string; readonly kekVersion: number; readonly previousKeks: string | undefined; readonly indexRoot: string }
  | { readonly source: 'vault'; readonly vault: VaultTransitSettings; readonly indexRootFile: string };

/** Loads the key file, creating it with owner-only permissions on first start. */
export function loadOrCreateKeyFile(file: string): KeyringMaterial {
  createKeyFileIfMissing(file);
  const contents = readKeyFile(file);
  return Object.freeze({ keks: keyFileKeks(file, contents), indexRoot: contents.indexRoot });
}

function decodeEnvironmentKey(name: string, encoded: string): Buffer {
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) {
    throw new Error(`${name} must be 32 random bytes in base64 (44 characters)`);
  }
  return key;
}

/**
 * Reads the KEKs from environment values: the current KEK and its version, older versions as
 * `VERSION:BASE64` pairs separated by commas, and the index root.
 */
export function keyringFromEnvironment(settings: Extract<KeySourceSettings, { source: 'env' }>): KeyringMaterial {
  const keys = new Map<number, Buffer>([[settings.kekVersion, decodeEnvironmentKey('LEDGERGUARD_KEK', settings.kek)]]);
  for (const entry of (settings.previousKeks ?? '').split(',').filter((item) => item.trim() !== '')) {
    const [version, encoded] = entry.trim().split(':');
    if (!version || !/^\d+$/.test(version) || !encoded) {
      throw new Error('LEDGERGUARD_KEK_PREVIOUS must list VERSION:BASE64 pairs separated by commas');
    }
    keys.set(Number(version), decodeEnvironmentKey(`LEDGERGUARD_KEK_PREVIOUS version ${version}`, encoded));
  }

  return Object.freeze({
    keks: new LocalKeks({ source: 'env', ring: { current: settings.kekVersion, keys } }),
    indexRoot: decodeEnvironmentKey('LEDGERGUARD_INDEX_ROOT', settings.indexRoot),
  });
}

/**
 * Loads the index root for the Vault source: a random root wrapped by Vault, stored in a private
 * file beside the data, created on first start. Vault must answer before the database opens.
 */
async function keyringFromVault(settings: Extract<KeySourceSettings, { source: 'vault' }>): Promise<KeyringMaterial> {
  const keks = new VaultTransitKeks({ ...settings.vault, indexRootFile: settings.indexRootFile });
  const file = settings.indexRootFile;

  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { wrapped } = await keks.wrap('index-root', randomBytes(32));
    writeFileSync(file, JSON.stringify({ format: 'ledgerguard-index-root', wrapped, createdAt: new Date().toISOString() }, null, 2), { mode: 0o600, flag: 'wx' });
  }

  const stored = JSON.parse(readFileSync(file, 'utf8')) as { format?: string; wrapped?: string };
  if (stored.format !== 'ledgerguard-index-root' || !stored.wrapped) {
    throw new Error(`Index root file ${file} is not a LedgerGuard index root`);
  }
  return Object.freeze({ keks, indexRoot: await keks.unwrap('index-root', stored.wrapped) });
}

/** Loads the keyring from the configured source; needs no database, so it runs before the database opens. */
export async function loadKeyring(settings: KeySourceSettings): Promise<KeyringMaterial> {
  switch (settings.source) {
    case 'file':
      return loadOrCreateKeyFile(settings.file);
    case 'env':
      return keyringFromEnvironment(settings);
    case 'vault':
      return keyringFromVault(settings);
  }
}

/** Random material for tests that need no key file; `addVersion` makes a new random KEK. */
export function ephemeralKeyring(): KeyringMaterial {
  return Object.freeze({
    keks: new LocalKeks({
      source: 'ephemeral',
      ring: { current: 1, keys: new Map([[1, randomBytes(32)]]) },
      addVersion: (ring) => ({ current: ring.current + 1, keys: new Map([...ring.keys, [ring.current + 1, randomBytes(32)]]) }),
      removeVersion: (ring, version) => ({ current: ring.current, keys: new Map([...ring.keys].filter(([candidate]) => candidate !== version)) }),
    }),
    indexRoot: randomBytes(32),
  });
}

/** Derives a key for another server purpose, such as CSRF tokens or the SQLite file key, from the index root. */
export function deriveServiceKey(material: KeyringMaterial, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', material.indexRoot, Buffer.alloc(0), `lg-service|${purpose}`, 32));
}
