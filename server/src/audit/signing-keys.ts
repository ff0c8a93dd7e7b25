import { type KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SIGNING_ALGORITHMS = ['ed25519', 'sm2'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** A public key that checkpoints and archive manifests name by its id. */
export interface SigningPublicKey {
  readonly keyId: string;
  readonly algorithm: SigningAlgorithm;
  /** SubjectPublicKeyInfo in PEM form. */
  readonly publicKeyPem: string;
}

/** A key that signs; its private half never leaves this module's objects. */
export interface SigningKey extends SigningPublicKey {
  readonly privateKey: KeyObject;
}

/**
 * The checkpoint signing keys: the active one signs, and every key ever used stays for
 * verification. They live in a key file outside the database, so a database administrator can
 * neither read nor replace them.
 */
export interface SigningKeyRing {
  readonly active: SigningKey;
  readonly publicKeys: readonly SigningPublicKey[];
}

interface KeyFileEntry {
  keyId: string;
  algorithm: SigningAlgorithm;
  publicKey: string;
  privateKey: string;
  createdAt: string;
}

interface KeyFile {
  format: 'ledgerguard-audit-signing';
  version: 1;
  keys: KeyFileEntry[];
}

/** Path of the signing key file, beside the keyring and never inside the database. */
export function signingKeyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'audit-signing.json');
}

/**
 * Loads the signing key file, creating it (owner-only) on first start. When the configured
 * algorithm differs from the newest key's, a new key of that algorithm is added and becomes
 * active. Older keys stay, so their signatures still verify.
 */
export function loadOrCreateSigningKeys(file: string, algorithm: SigningAlgorithm): SigningKeyRing {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const created: KeyFile = { format: 'ledgerguard-audit-signing', version: 1, keys: [newKeyEntry(algorithm)] };
    try {
      // `wx` fails instead of overwriting when two processes start at once; the loser reads the winner's file.
      writeFileSync(file, JSON.stringify(created, null, 2), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }

  if ((statSync(file).mode & 0o077) !== 0) {
    // Other users on the machine must not read the private keys; tighten instead of refusing to start.
    chmodSync(file, 0o600);
  }

  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<KeyFile>;
  if (parsed.format !== 'ledgerguard-audit-signing' || !Array.isArray(parsed.keys) || parsed.keys.length === 0) {
    throw new Error(`Key file ${file} is not a LedgerGuard audit signing key file`);
  }
  const keys = parsed.keys;
  if (keys[keys.length - 1]!.algorithm === algorithm) {
    return toKeyRing(keys);
  }

  // NOTE: two processes that switch algorithms at the same moment may each add a key. The last
  // rename wins, so signatures made meanwhile by the other key would no longer verify.
  keys.push(newKeyEntry(algorithm));
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ ...parsed, keys }, null, 2), { mode: 0o600 });
  renameSync(temporary, file);
  return loadOrCreateSigningKeys(file, algorithm);
}

/** Creates a key ring held only in memory, for tests and one-off tools. */
export function ephemeralSigningKeys(algorithm: SigningAlgorithm = 'ed25519'): SigningKeyRing {
  return toKeyRing([newKeyEntry(algorithm)]);
}

function toKeyRing(entries: readonly KeyFileEntry[]): SigningKeyRing {
  const keys = entries.map((entry) => toSigningKey(entry));
  return Object.freeze({ active: keys[keys.length - 1]!, publicKeys: Object.freeze(keys.map(({ keyId, algorithm, publicKeyPem }) => Object.freeze({ keyId, algorithm, publicKeyPem }))) });
}

function newKeyEntry(algorithm: SigningAlgorithm): KeyFileEntry {
  const { privateKey, publicKey } = algorithm === 'sm2' ? generateKeyPairSync('ec', { namedCurve: 'SM2' }) : generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    keyId: keyIdOf(publicPem),
    algorithm,
    publicKey: publicPem,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    createdAt: new Date().toISOString(),
  };
}

function toSigningKey(entry: KeyFileEntry): SigningKey {
  if (!SIGNING_ALGORITHMS.includes(entry.algorithm)) {
    throw new Error(`Audit signing key ${entry.keyId} has an unknown algorithm: ${String(entry.algorithm)}`);
  }
  if (keyIdOf(entry.publicKey) !== entry.keyId) {
    throw new Error(`Audit signing key ${entry.keyId} does not match its public key; restore the key file from its backup`);
  }
  // Always loaded from PEM: OpenSSL 3 then types an SM2-curve key as SM2, so `sign('sm3', …)`
  // computes an SM2 signature. A key object fresh from generateKeyPairSync stays a plain EC key
  // and would produce ECDSA over SM3 instead.
  return Object.freeze({ keyId: entry.keyId, algorithm: entry.algorithm, publicKeyPem: entry.publicKey, privateKey: createPrivateKey(entry.privateKey) });
}

/** Key id: the first 16 hex digits of SHA-256 over the DER public key. */
export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/**
 * Signs a message: Ed25519 (RFC 8032) or SM2 with SM3 (GB/T 32918.2). Returns base64.
 * NOTE: Node's SM2 signatures use OpenSSL 3's default, an empty distinguishing ID, not the
 * `1234567812345678` that many SM2 tools assume. Outside verifiers must use the empty ID too.
 */
export function signMessage(key: SigningKey, message: string): string {
  const digest = key.algorithm === 'sm2' ? 'sm3' : null;
  return sign(digest, Buffer.from(message, 'utf8'), key.privateKey).toString('base64');
}

/** Checks a base64 signature; false for a malformed key or signature as well as a wrong one. */
export function isValidSignature(key: SigningPublicKey, message: string, signature: string): boolean {
  try {
    const digest = key.algorithm === 'sm2' ? 'sm3' : null;
    return verify(digest, Buffer.from(message, 'utf8'), publicKeyObject(key.publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

const publicKeyObjects = new Map<string, KeyObject>();

/** Parses a PEM public key once; a verification pass checks many signatures by the same key. */
function publicKeyObject(pem: string): KeyObject {
  let key = publicKeyObjects.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    publicKeyObjects.set(pem, key);
  }
  return key;
}
