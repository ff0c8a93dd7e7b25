import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditRow } from '../../server/src/audit/audit.repository.js';
import type { AuditEventInput } from '../../server/src/audit/audit.types.js';
import { canonicalJson } from '../../server/src/audit/canonical.js';
import { hashedContent } from '../../server/src/audit/chain.js';
import { type DatabaseHandle, migrateToLatestOrThrow, openDatabase } from '../../server/src/db/index.js';
import { openEncryptedSqlite } from '../../server/src/db/sqlite-cipher.js';

/** Builds a client-page read event as the product records it; the index varies member, client and address. */
export function readEvent(index: number): AuditEventInput {
  const clientId = `8f9a2b3c-1d4e-4f5a-8b6c-${String(index % 20_000).padStart(12, '0')}`;
  return {
    action: 'client.view',
    outcome: 'success',
    actor: { id: `4b7c1c1e-5d2a-4c55-9f0e-${String(index % 500).padStart(12, '0')}`, username: `member${index % 500}` },
    targetType: 'client',
    targetId: clientId,
    clientId,
    fields: [],
    ip: `10.0.${(index >> 8) & 255}.${index & 255}`,
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    details: { decision: ['role:bookkeeper', 'scope:assigned'], masked: 6 },
  };
}

export async function readStoredRows(handle: DatabaseHandle): Promise<AuditRow[]> {
  return handle.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
}

/**
 * Returns the bytes the chain hashes for one stored event: previous hash, a newline and the event in
 * canonical JSON, built here with the generic serializer of canonical.ts.
 */
export function chainedBytes(row: AuditRow): Buffer {
  return Buffer.from(`${row.prev_hash}\n${canonicalJson(hashedContent(row))}`, 'utf8');
}

const COLUMNS = ['seq', 'occurred_at', 'actor_id', 'actor_username', 'action', 'outcome', 'target_type', 'target_id', 'client_id', 'fields', 'reason', 'ip', 'user_agent', 'details', 'prev_hash', 'hash'] as const;

export interface StorageCeiling {
  insert(rows: readonly AuditRow[]): void;
  close(): void;
}

/**
 * Opens an encrypted SQLite file with the product's schema, written through better-sqlite3
 * directly with one cached insert statement: what the storage costs with no audit code, Kysely
 * or hashing on top. The connection gets the pragmas server/src/db/db.ts sets.
 */
export async function openStorageCeiling(key: Buffer): Promise<StorageCeiling> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lg-bench-ceiling-'));
  const schema = openDatabase({ databaseUrl: undefined, dataDir, sqliteKey: key });
  await migrateToLatestOrThrow(schema.db);
  await schema.close();

  const connection = openEncryptedSqlite({ file: path.join(dataDir, 'ledgerguard.db'), key });
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('temp_store = MEMORY');
  const statement = connection.prepare(`insert into audit_events (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`);
  const write = connection.transaction((rows: readonly AuditRow[]) => {
    for (const row of rows) statement.run(COLUMNS.map((column) => row[column]));
  });

  return {
    insert: (rows) => write(rows),
    close() {
      connection.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
