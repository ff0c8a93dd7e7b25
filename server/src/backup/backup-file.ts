import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { SigningKey, SigningKeyRing } from '../audit/signing-keys.js';
import { isValidSignature, signMessage } from '../audit/signing-keys.js';
import { BackupCorruptedError } from './backup-cipher.js';

/**
 * File layout: MAGIC | encrypted body | trailer JSON | u32 trailer length | END_MAGIC. The
 * trailer comes last because it signs the body's SHA-256, known only once the body is written.
 */
export const MAGIC = Buffer.from('LGBKUP01', 'latin1');
const END_MAGIC = Buffer.from('LGBKEND1', 'latin1');
const FOOTER_BYTES = 4 + END_MAGIC.length;

/** What a backup holds and how its body is encrypted; signed as a whole. No raw key appears here. */
export interface BackupManifest {
  readonly format: 'ledgerguard-backup';
  readonly version: 1;
  readonly backupId: string;
  readonly createdAt: string;
  readonly sourceDialect: 'sqlite' | 'postgres';
  /** Applied migrations of the source database; a restore needs the same set. */
  readonly migrations: readonly string[];
  readonly tables: readonly { readonly name: string; readonly rows: number }[];
  readonly documents: readonly { readonly path: string; readonly bytes: number }[];
  /** Key metadata only: the data keys themselves travel wrapped, in the data_keys table. */
  readonly keys: { readonly dataKeys: number; readonly kekVersions: readonly number[] };
  readonly encryption: { readonly algorithm: 'aes-256-gcm'; readonly chunkBytes: number; readonly noncePrefix: string; readonly wrappedKey: string; readonly keyDerivation: 'index-root:backup' };
  readonly compression: 'gzip';
  readonly body: { readonly bytes: number; readonly sha256: string };
}

interface Trailer {
  readonly manifest: string;
  readonly signature: { readonly algorithm: string; readonly keyId: string; readonly value: string };
}

/** Builds the trailer bytes: the manifest text and its signature, then the footer. */
export function encodeTrailer(manifest: BackupManifest, key: SigningKey): Buffer {
  const manifestText = JSON.stringify(manifest);
  const trailer: Trailer = { manifest: manifestText, signature: { algorithm: key.algorithm, keyId: key.keyId, value: signMessage(key, manifestText) } };
  const json = Buffer.from(JSON.stringify(trailer), 'utf8');
  const footer = Buffer.alloc(4);
  footer.writeUInt32BE(json.length);
  return Buffer.concat([json, footer, END_MAGIC]);
}

/** A backup file whose signature and body checksum held. */
export interface CheckedBackup {
  readonly file: string;
  readonly sizeBytes: number;
  readonly manifest: BackupManifest;
  /** Offset of the body's first byte. */
  readonly bodyStart: number;
}

/**
 * Reads the trailer, checks its signature against the backup signing keys and the body's size and
 * SHA-256 against the signed values. Throws BackupCorruptedError naming the first problem.
 */
export async function checkBackupFileOrThrow(file: string, keys: SigningKeyRing): Promise<CheckedBackup> {
  const { size } = await stat(file);
  if (size < MAGIC.length + FOOTER_BYTES) throw new BackupCorruptedError('truncated');

  const handle = await open(file, 'r');
  let trailer: Trailer;
  let trailerBytes: number;
  try {
    const head = Buffer.alloc(MAGIC.length);
    await handle.read(head, 0, head.length, 0);
    if (!head.equals(MAGIC)) throw new BackupCorruptedError('not_a_backup');

    const footer = Buffer.alloc(FOOTER_BYTES);
    await handle.read(footer, 0, FOOTER_BYTES, size - FOOTER_BYTES);
    // A truncated file loses its footer first, so this is where truncation is found.
    if (!footer.subarray(4).equals(END_MAGIC)) throw new BackupCorruptedError('truncated');
    trailerBytes = footer.readUInt32BE(0);
    if (trailerBytes > size - MAGIC.length - FOOTER_BYTES) throw new BackupCorruptedError('truncated');

    const json = Buffer.alloc(trailerBytes);
    await handle.read(json, 0, trailerBytes, size - FOOTER_BYTES - trailerBytes);
    trailer = parseTrailerOrThrow(json);
  } finally {
    await handle.close();
  }

  const signer = keys.publicKeys.find((key) => key.keyId === trailer.signature.keyId);
  if (!signer) throw new BackupCorruptedError('signed_by_unknown_key');
  if (!isValidSignature(signer, trailer.manifest, trailer.signature.value)) throw new BackupCorruptedError('signature_invalid');

  const manifest = JSON.parse(trailer.manifest) as BackupManifest;
  if (manifest.format !== 'ledgerguard-backup' || manifest.version !== 1) throw new BackupCorruptedError('unsupported_format');
  const bodyBytes = size - MAGIC.length - FOOTER_BYTES - trailerBytes;
  if (bodyBytes !== manifest.body.bytes) throw new BackupCorruptedError('size_mismatch');

  const digest = await sha256Of(file, MAGIC.length, bodyBytes);
  const expected = Buffer.from(manifest.body.sha256, 'hex');
  if (expected.length !== digest.length || !timingSafeEqual(digest, expected)) throw new BackupCorruptedError('checksum_mismatch');

  return { file, sizeBytes: size, manifest, bodyStart: MAGIC.length };
}

function parseTrailerOrThrow(json: Buffer): Trailer {
  try {
    const parsed = JSON.parse(json.toString('utf8')) as Partial<Trailer>;
    if (typeof parsed.manifest === 'string' && parsed.signature && typeof parsed.signature.keyId === 'string' && typeof parsed.signature.value === 'string') {
      return parsed as Trailer;
    }
  } catch {
    // Reported below as a damaged trailer.
  }
  throw new BackupCorruptedError('trailer_invalid');
}

async function sha256Of(file: string, start: number, length: number): Promise<Buffer> {
  const hash = createHash('sha256');
  if (length === 0) return hash.digest();
  for await (const chunk of createReadStream(file, { start, end: start + length - 1 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest();
}
