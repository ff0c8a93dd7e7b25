import { createReadStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { type Checkpoint, parseCheckpoint } from './checkpoint.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm, type SigningPublicKey } from './signing-keys.js';

/**
 * Checkpoints kept outside the database, one JSON object a line. The server's own copy
 * (DATA_DIR/audit/checkpoints.jsonl) and an exported file read the same way. An export adds a
 * first line with the public keys, so it verifies on its own.
 */
export const EXPORT_FORMAT = 'ledgerguard-audit-checkpoints';

/** Path of the server's own copy of every checkpoint it signed. */
export function localCheckpointFile(dataDir: string): string {
  return path.join(dataDir, 'audit', 'checkpoints.jsonl');
}

/** Appends one checkpoint; O_APPEND keeps whole lines from several processes apart. */
export async function appendCheckpointLine(file: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
}

export interface CheckpointFileContent {
  readonly checkpoints: Checkpoint[];
  /** Public keys named in the file; empty for the server's own copy. */
  readonly keys: SigningPublicKey[];
  /** Lines that were not a checkpoint, such as the half-written last line of a crash. */
  readonly unreadableLines: number;
}

/** Reads a checkpoint file; a missing file reads as empty, since deleting it only removes evidence. */
export async function readCheckpointFile(file: string, { mustExist = false }: { mustExist?: boolean } = {}): Promise<CheckpointFileContent> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = await new Promise<boolean>((resolve, reject) => {
    stream.once('open', () => resolve(true));
    stream.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' && !mustExist ? resolve(false) : reject(error)));
  });
  if (!opened) return { checkpoints: [], keys: [], unreadableLines: 0 };

  const checkpoints: Checkpoint[] = [];
  const keys: SigningPublicKey[] = [];
  let unreadableLines = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const record = parseJson(line);
    if (record?.type === 'keys') {
      keys.push(...parseKeys(record.keys));
      continue;
    }
    if (record?.type === 'archive') continue;

    const checkpoint = parseCheckpoint(record);
    if (checkpoint) checkpoints.push(checkpoint);
    else unreadableLines += 1;
  }
  return { checkpoints, keys, unreadableLines };
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseKeys(value: unknown): SigningPublicKey[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: Record<string, unknown>) => {
    const { keyId, algorithm, publicKey } = entry ?? {};
    if (typeof keyId !== 'string' || typeof publicKey !== 'string' || !SIGNING_ALGORITHMS.includes(algorithm as SigningAlgorithm)) return [];
    return [{ keyId, algorithm: algorithm as SigningAlgorithm, publicKeyPem: publicKey }];
  });
}

/** Yields the lines of an export: the public keys first, then each checkpoint, then each archive manifest. */
export function* exportLines({ keys, checkpoints, archives, exportedAt }: { keys: readonly SigningPublicKey[]; checkpoints: readonly Checkpoint[]; archives: readonly object[]; exportedAt: string }): Generator<string> {
  yield JSON.stringify({
    type: 'keys',
    format: EXPORT_FORMAT,
    version: 1,
    exportedAt,
    keys: keys.map((key) => ({ keyId: key.keyId, algorithm: key.algorithm, publicKey: key.publicKeyPem })),
    signedMessage: 'canonical JSON (sorted keys, no white space) of {type:"ledgerguard.audit.checkpoint",version:1,seq,chainHash,signedAt,algorithm,keyId}',
    sm2DistinguishingId: '',
  });
  for (const checkpoint of checkpoints) {
    yield JSON.stringify({ type: 'checkpoint', ...checkpoint });
  }
  for (const archive of archives) {
    yield JSON.stringify({ type: 'archive', ...archive });
  }
}
