import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalKeks, type LocalKekRing } from './local-keks.js';

/**
 * The key file: every KEK version not yet retired, which one is current, and the index root.
 * Format version 1 held a single KEK and is still read.
 */
interface KeyFileV2 {
  format: 'ledgerguard-keyring';
  version: 2;
  currentKek: number;
  keks: { version: number; key: string; createdAt: string }[];
  indexRoot: string;
  createdAt: string;
}

interface KeyFileV1 {
  format: 'ledgerguard-keyring';
  version: 1;
  kek: { version: number; key: string };
  indexRoot: string;
  createdAt: string;
}

export interface KeyFileContents {
  readonly ring: LocalKekRing;
  readonly indexRoot: Buffer;
}

function decodeKey(file: string, encoded: string | undefined): Buffer {
  const key = Buffer.from(encoded ?? '', 'base64');
  if (key.length !== 32) {
    throw new Error(`Key file ${file} contains keys of an invalid length; restore it from its backup`);
  }
  return key;
}

/** Reads and checks the key file, tightening its permissions when others could read it. */
export function readKeyFile(file: string): KeyFileContents {
  if ((statSync(file).mode & 0o077) !== 0) {
    // Other users on the machine must not read the keys; tighten instead of refusing to start.
    chmodSync(file, 0o600);
  }

  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<KeyFileV1> | Partial<KeyFileV2>;
  if (parsed.format !== 'ledgerguard-keyring' || !parsed.indexRoot) {
    throw new Error(`Key file ${file} is not a LedgerGuard keyring`);
  }
  const indexRoot = decodeKey(file, parsed.indexRoot);

  if (parsed.version === 2) {
    const v2 = parsed as Partial<KeyFileV2>;
    const keys = new Map((v2.keks ?? []).map((entry) => [entry.version, decodeKey(file, entry.key)] as const));
    if (!v2.currentKek || !keys.has(v2.currentKek)) {
      throw new Error(`Key file ${file} names no current KEK; restore it from its backup`);
    }
    return { ring: { current: v2.currentKek, keys }, indexRoot };
  }

  const v1 = parsed as Partial<KeyFileV1>;
  const version = v1.kek?.version ?? 1;
  return { ring: { current: version, keys: new Map([[version, decodeKey(file, v1.kek?.key)]]) }, indexRoot };
}

/** Replaces the key file atomically (write a private temporary file, then rename over it). */
function writeKeyFile(file: string, ring: LocalKekRing, indexRoot: Buffer, createdAt: string): void {
  const contents: KeyFileV2 = {
    format: 'ledgerguard-keyring',
    version: 2,
    currentKek: ring.current,
    keks: [...ring.keys].map(([version, key]) => ({ version, key: key.toString('base64'), createdAt: new Date().toISOString() })),
    indexRoot: indexRoot.toString('base64'),
    createdAt,
  };
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, JSON.stringify(contents, null, 2), { mode: 0o600, flag: 'wx' });
  renameSync(temporary, file);
}

/** Creates the key file with owner-only permissions unless it exists. */
export function createKeyFileIfMissing(file: string): void {
  if (existsSync(file)) return;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const contents: KeyFileV2 = {
    format: 'ledgerguard-keyring',
    version: 2,
    currentKek: 1,
    keks: [{ version: 1, key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() }],
    indexRoot: randomBytes(32).toString('base64'),
    createdAt: new Date().toISOString(),
  };
  try {
    // `wx` fails instead of overwriting when two processes start at once.
    writeFileSync(file, JSON.stringify(contents, null, 2), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * KEKs from the key file. Another process may add or remove versions (`keys rotate`), so the file
 * is read again when its modification time changes.
 */
export function keyFileKeks(file: string, initial: KeyFileContents): LocalKeks {
  // Rewrites replace the file by rename, so a new inode marks a change even within one mtime tick.
  const signature = () => {
    const stat = statSync(file);
    return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
  };
  let seen = signature();
  let contents = initial;
  const reload = (): LocalKekRing => {
    const current = signature();
    if (current !== seen) {
      contents = readKeyFile(file);
      seen = current;
    }
    return contents.ring;
  };
  const save = (ring: LocalKekRing): LocalKekRing => {
    writeKeyFile(file, ring, contents.indexRoot, createdAt);
    contents = { ring, indexRoot: contents.indexRoot };
    seen = signature();
    return ring;
  };
  const createdAt = (JSON.parse(readFileSync(file, 'utf8')) as { createdAt?: string }).createdAt ?? new Date().toISOString();

  return new LocalKeks({
    source: 'file',
    ring: initial.ring,
    reload,
    addVersion: (ring) => {
      const version = Math.max(...ring.keys.keys()) + 1;
      return save({ current: version, keys: new Map([...ring.keys, [version, randomBytes(32)]]) });
    },
    removeVersion: (ring, version) => {
      const keys = new Map(ring.keys);
      keys.delete(version);
      return save({ current: ring.current, keys });
    },
  });
}
