import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The root keys: a key-encryption key (KEK) that wraps per-client data keys, and an index root
 * from which each column's blind-index key is derived. They live in a key file outside the
 * database, so a copied database file alone decrypts nothing.
 */
export interface KeyringMaterial {
  readonly kekVersion: number;
  readonly kek: Buffer;
  readonly indexRoot: Buffer;
}

interface KeyFile {
  format: 'ledgerguard-keyring';
  version: 1;
  kek: { version: number; key: string };
  indexRoot: string;
  createdAt: string;
}

/** Loads the key file, creating it with owner-only permissions on first start. */
export function loadOrCreateKeyFile(file: string): KeyringMaterial {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const created: KeyFile = {
      format: 'ledgerguard-keyring',
      version: 1,
      kek: { version: 1, key: randomBytes(32).toString('base64') },
      indexRoot: randomBytes(32).toString('base64'),
      createdAt: new Date().toISOString(),
    };
    // `wx` fails instead of overwriting when two processes start at once.
    writeFileSync(file, JSON.stringify(created, null, 2), { mode: 0o600, flag: 'wx' });
  }

  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    // Other users on the machine must not read the keys; tighten instead of refusing to start.
    chmodSync(file, 0o600);
  }

  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<KeyFile>;
  if (parsed.format !== 'ledgerguard-keyring' || !parsed.kek?.key || !parsed.indexRoot) {
    throw new Error(`Key file ${file} is not a LedgerGuard keyring`);
  }
  const kek = Buffer.from(parsed.kek.key, 'base64');
  const indexRoot = Buffer.from(parsed.indexRoot, 'base64');
  if (kek.length !== 32 || indexRoot.length !== 32) {
    throw new Error(`Key file ${file} contains keys of an invalid length; restore it from its backup`);
  }
  return Object.freeze({ kekVersion: parsed.kek.version ?? 1, kek, indexRoot });
}

/** Random material for tests that need no key file. */
export function ephemeralKeyring(): KeyringMaterial {
  return Object.freeze({ kekVersion: 1, kek: randomBytes(32), indexRoot: randomBytes(32) });
}

const WRAP_PREFIX = 'kw1';

/** Wraps a data key with the KEK (AES-256-GCM), bound to the key's id so wrapped keys cannot be swapped. */
export function wrapDataKey(material: KeyringMaterial, keyId: string, dataKey: Buffer): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', material.kek, nonce);
  cipher.setAAD(Buffer.from(`${WRAP_PREFIX}|${keyId}`));
  const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return [WRAP_PREFIX, material.kekVersion, nonce.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function unwrapDataKey(material: KeyringMaterial, keyId: string, wrapped: string): Buffer {
  const [prefix, version, nonce, body, tag] = wrapped.split('.');
  if (prefix !== WRAP_PREFIX || !nonce || !body || !tag) {
    throw new Error(`Wrapped data key ${keyId} has an unknown format`);
  }
  if (Number(version) !== material.kekVersion) {
    throw new Error(`Wrapped data key ${keyId} needs KEK version ${version}, which is not loaded`);
  }
  const decipher = createDecipheriv('aes-256-gcm', material.kek, Buffer.from(nonce, 'base64url'));
  decipher.setAAD(Buffer.from(`${WRAP_PREFIX}|${keyId}`));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
}

/** Derives the blind-index key of one column (HKDF-SHA256), so equal values in two columns never match. */
export function deriveBlindIndexKey(material: KeyringMaterial, table: string, column: string): Buffer {
  return Buffer.from(hkdfSync('sha256', material.indexRoot, Buffer.alloc(0), `lg-blind-index|${table}.${column}`, 32));
}

/** Derives a key for another server purpose, such as CSRF tokens, from the index root. */
export function deriveServiceKey(material: KeyringMaterial, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', material.indexRoot, Buffer.alloc(0), `lg-service|${purpose}`, 32));
}
