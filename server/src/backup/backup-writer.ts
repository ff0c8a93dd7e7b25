import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, fsyncSync, openSync, writeSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Kysely } from 'kysely';
import type { SigningKey } from '../audit/signing-keys.js';
import type { DialectName } from '../db/index.js';
import { BACKUP_CHUNK_BYTES, createBackupEncryptStream, newNoncePrefix, wrapContentKey } from './backup-cipher.js';
import { type BackupManifest, MAGIC, encodeTrailer } from './backup-file.js';
import { RECORD_DOCUMENT_BYTES, RECORD_TABLE_ROWS, encodeRecord } from './backup-records.js';
import { listAppliedMigrations, listTables, readTablePage } from './snapshot.repository.js';

const PAGE_ROWS = 500;

export interface BackupProgress {
  readonly phase: 'tables' | 'documents' | 'done';
  readonly item: string;
  readonly done: number;
  readonly total: number;
}

export interface WriteBackupOptions {
  /** A connection inside a read transaction, so every table comes from one snapshot. */
  readonly snapshot: Kysely<any>;
  readonly dialect: DialectName;
  readonly dataDir: string;
  /** Temporary path to write; the caller renames it into place. */
  readonly file: string;
  readonly backupId: string;
  readonly createdAt: string;
  /** Key derived from the index root for backups; wraps the file's random content key. */
  readonly serviceKey: Buffer;
  readonly signingKey: SigningKey;
  readonly onProgress?: ((progress: BackupProgress) => void) | undefined;
}

/** Streams the snapshot's tables and the document files it lists into one encrypted, signed file. */
export async function writeBackupFile(options: WriteBackupOptions): Promise<{ manifest: BackupManifest; sizeBytes: number }> {
  const { snapshot, dialect, dataDir, file, backupId } = options;
  const tables = await listTables(snapshot, dialect);
  const migrations = await listAppliedMigrations(snapshot);
  const documentRows = tables.some((table) => table.name === 'documents')
    ? ((await snapshot.selectFrom('documents').select(['client_id', 'storage_name']).orderBy('id').execute()) as { client_id: string; storage_name: string }[])
    : [];
  const keyRows = tables.some((table) => table.name === 'data_keys') ? ((await snapshot.selectFrom('data_keys').select('kek_version').execute()) as { kek_version: number }[]) : [];

  const tableCounts: { name: string; rows: number }[] = [];
  const documents: { path: string; bytes: number }[] = [];
  const progress = options.onProgress ?? (() => undefined);

  async function* records(): AsyncGenerator<Buffer> {
    for (const [position, table] of tables.entries()) {
      let rows = 0;
      for (let offset = 0; ; offset += PAGE_ROWS) {
        const page = await readTablePage(snapshot, table, offset, PAGE_ROWS);
        if (page.length === 0) break;
        rows += page.length;
        yield encodeRecord(RECORD_TABLE_ROWS, table.name, Buffer.from(page.map((row) => `${JSON.stringify(row)}\n`).join(''), 'utf8'));
      }
      tableCounts.push({ name: table.name, rows });
      progress({ phase: 'tables', item: table.name, done: position + 1, total: tables.length });
    }

    // Document files are written once and never changed, so the rows of the snapshot name complete files.
    for (const [position, row] of documentRows.entries()) {
      const relative = `${row.client_id}/${row.storage_name}`;
      let bytes = 0;
      for await (const chunk of createReadStream(path.join(dataDir, 'documents', relative), { highWaterMark: BACKUP_CHUNK_BYTES })) {
        bytes += (chunk as Buffer).length;
        yield encodeRecord(RECORD_DOCUMENT_BYTES, relative, chunk as Buffer);
      }
      documents.push({ path: relative, bytes });
      progress({ phase: 'documents', item: relative, done: position + 1, total: documentRows.length });
    }
  }

  const contentKey = randomBytes(32);
  const noncePrefix = newNoncePrefix();
  const hash = createHash('sha256');
  let bodyBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bodyBytes += chunk.length;
      callback(null, chunk);
    },
  });

  // Owner-only from the first byte; `wx` never overwrites an existing file.
  const descriptor = openSync(file, 'wx', 0o600);
  try {
    writeSync(descriptor, MAGIC);
    const output = createWriteStream('', { fd: descriptor, autoClose: false });
    await pipeline(Readable.from(records()), createGzip(), createBackupEncryptStream({ key: contentKey, backupId, noncePrefix }), tap, output);

    const manifest: BackupManifest = {
      format: 'ledgerguard-backup',
      version: 1,
      backupId,
      createdAt: options.createdAt,
      sourceDialect: dialect,
      migrations,
      tables: tableCounts,
      documents,
      keys: { dataKeys: keyRows.length, kekVersions: [...new Set(keyRows.map((row) => Number(row.kek_version)))].sort((a, b) => a - b) },
      encryption: { algorithm: 'aes-256-gcm', chunkBytes: BACKUP_CHUNK_BYTES, noncePrefix: noncePrefix.toString('base64'), wrappedKey: wrapContentKey(options.serviceKey, backupId, contentKey), keyDerivation: 'index-root:backup' },
      compression: 'gzip',
      body: { bytes: bodyBytes, sha256: hash.digest('hex') },
    };
    writeSync(descriptor, encodeTrailer(manifest, options.signingKey));
    fsyncSync(descriptor);
    progress({ phase: 'done', item: path.basename(file), done: 1, total: 1 });
    closeSync(descriptor);
    return { manifest, sizeBytes: (await stat(file)).size };
  } catch (error) {
    try {
      closeSync(descriptor);
    } catch {
      // Already closed after the trailer was written.
    }
    throw error;
  }
}
