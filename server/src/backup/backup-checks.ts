import path from 'node:path';
import { sql } from 'kysely';
import { AuditLog } from '../audit/index.js';
import { ENCRYPTED_COLUMNS, FieldCrypto, type KeyringMaterial } from '../crypto/index.js';
import type { Db } from '../db/index.js';
import { EncryptedDocumentReader } from '../documents/chunk-cipher.js';
import { verifyStoredDocumentOrThrow } from '../documents/integrity.js';
import type { BackupManifest } from './backup-file.js';
import { assertIdentifier } from './snapshot.repository.js';

/** What a verification found in the restored copy; `problem` names the first failure. */
export interface RestoredCheck {
  readonly ok: boolean;
  readonly problem?: 'row_count_mismatch' | 'value_not_decryptable' | 'document_not_decryptable' | 'audit_chain_broken';
  readonly rows: number;
  readonly encryptedValues: number;
  readonly documents: number;
  readonly auditEvents: number;
}

/**
 * Checks a restored copy: row counts against the manifest, every value of ENCRYPTED_COLUMNS and
 * every document against the current keyring, and the audit hash chain.
 */
export async function checkRestoredCopy({ db, manifest, keyring, documentsDir }: { db: Db; manifest: BackupManifest; keyring: KeyringMaterial; documentsDir: string }): Promise<RestoredCheck> {
  let rows = 0;
  for (const table of manifest.tables) {
    const { count } = (await sql<{ count: number }>`select count(*) as count from ${sql.id(assertIdentifier(table.name))}`.execute(db)).rows[0]!;
    if (Number(count) !== table.rows) return { ok: false, problem: 'row_count_mismatch', rows, encryptedValues: 0, documents: 0, auditEvents: 0 };
    rows += table.rows;
  }

  const crypto = new FieldCrypto(keyring);
  const tables = new Set(manifest.tables.map((table) => table.name));
  let encryptedValues = 0;
  for (const column of ENCRYPTED_COLUMNS) {
    if (!tables.has(column.table)) continue;
    const values = await sql<{ row_id: string; value: string }>`
      select ${sql.id(column.rowIdColumn)} as row_id, ${sql.id(column.column)} as value
      from ${sql.id(column.table)} where ${sql.id(column.column)} is not null`.execute(db);
    for (const { row_id: rowId, value } of values.rows) {
      try {
        await crypto.decrypt(db, { table: column.table, column: column.contextColumn, rowId: String(rowId) }, value);
      } catch {
        return { ok: false, problem: 'value_not_decryptable', rows, encryptedValues, documents: 0, auditEvents: 0 };
      }
      encryptedValues += 1;
    }
  }

  let documents = 0;
  if (tables.has('documents')) {
    const rowsOfDocuments = await db.selectFrom('documents').select(['id', 'client_id', 'storage_name', 'content_key', 'sha256', 'size_bytes']).execute();
    for (const document of rowsOfDocuments) {
      try {
        const key = Buffer.from(await crypto.decrypt(db, { table: 'documents', column: 'content_key', rowId: document.id }, document.content_key), 'base64');
        const reader = new EncryptedDocumentReader({ path: path.join(documentsDir, document.client_id, document.storage_name), key, documentId: document.id });
        await verifyStoredDocumentOrThrow(reader, { sha256: document.sha256, sizeBytes: Number(document.size_bytes) });
      } catch {
        return { ok: false, problem: 'document_not_decryptable', rows, encryptedValues, documents, auditEvents: 0 };
      }
      documents += 1;
    }
  }

  const chain = await new AuditLog({ db, dialect: 'sqlite' }).verify();
  if (!chain.intact) return { ok: false, problem: 'audit_chain_broken', rows, encryptedValues, documents, auditEvents: chain.checked };
  return { ok: true, rows, encryptedValues, documents, auditEvents: chain.checked };
}
