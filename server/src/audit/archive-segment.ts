import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { AuditRow } from './audit.repository.js';

/**
 * Archive segment files: gzip-compressed JSON Lines, one stored event row a line, exactly as
 * the database held it, so every hash can be recomputed from the file alone.
 */
export function archiveFolder(dataDir: string): string {
  return path.join(dataDir, 'audit', 'archive');
}

export function segmentFileName(firstSeq: number, lastSeq: number): string {
  return `segment-${String(firstSeq).padStart(12, '0')}-${String(lastSeq).padStart(12, '0')}.jsonl.gz`;
}

/** Resolves a segment's file name inside the archive folder; names with a path part are rejected. */
export function segmentPath(folder: string, fileName: string): string | undefined {
  return path.basename(fileName) === fileName && fileName !== '' ? path.join(folder, fileName) : undefined;
}

/**
 * Writes the rows to the segment file through a temporary name, so a crash never leaves a
 * half-written segment under the final name. Returns the file's SHA-256.
 */
export async function writeSegmentFile(file: string, rows: AsyncIterable<AuditRow>): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  const lines = Readable.from(
    (async function* () {
      for await (const row of rows) yield `${JSON.stringify(row)}\n`;
    })(),
  );

  try {
    await pipeline(lines, createGzip(), createWriteStream(temporary, { mode: 0o600 }));
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return hashFile(file);
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Reads a segment file's rows; `sha256()` is the digest of every byte read so far. */
export function openSegmentFile(file: string): { rows: AsyncGenerator<AuditRow>; sha256: () => string } {
  const hash = createHash('sha256');
  const input = createReadStream(file);
  input.on('data', (chunk) => hash.update(chunk));
  const gunzip = input.pipe(createGunzip());
  input.on('error', (error) => gunzip.destroy(error));

  async function* rows(): AsyncGenerator<AuditRow> {
    try {
      for await (const line of createInterface({ input: gunzip, crlfDelay: Infinity })) {
        if (line !== '') yield JSON.parse(line) as AuditRow;
      }
    } finally {
      input.destroy();
      gunzip.destroy();
    }
  }
  return { rows: rows(), sha256: () => hash.copy().digest('hex') };
}
