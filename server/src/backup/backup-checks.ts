import path from 'node:path';
import { sql } from 'kysely';
import { AuditVerifier } from '../audit/audit-verifier.js';
import type { SigningKeyRing } from '../audit/signing-keys.js';
import type { ChainProblem } from '../audit/chain.js';
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
  /** Signed checkpoints of the backup's own audit_checkpoints rows whose chain hash matched. */
  readonly auditCheckpoints: number;
  /** The chain problem behind `audit_chain_broken`, e.g. `checkpoint_mismatch`. */
  readonly auditProblem?: ChainProblem;
}

/**
 * Checks a restored copy: row counts against the manifest, every value of ENCRYPTED_COLUMNS and
 * every document against the current keyring, and the audit hash chain against the signed
 * checkpoints and archive manifests stored in the copy itself. `scratchDir` must be a fresh
 * folder: the verifier also reads a checkpoint file from `<dir>/audit/`, and the live one
 * witnessed events that came after the backup.
 */
export async function checkRestoredCopy({ db, manifest, keyring, auditKeys, documentsDir, scratchDir }: { db: Db; manifest: BackupManifest; keyring: KeyringMaterial; auditKeys: SigningKeyRing; documentsDir: string; scratchDir: string }): Promise<RestoredCheck> {
  let rows = 0;
  for (const table of manifest.tables) {
    const { count } = (await sql<{ count: number }>`select count(*) as count from ${sql.id(assertIdentifier(table.name))}`.execute(db)).rows[0]!;
    if (Number(count) !== table.rows) return { ok: false, problem: 'row_count_mismatch', rows, encryptedValues: 0, documents: 0, auditEvents: 0, auditCheckpoints: 0 };
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
        return { ok: false, problem: 'value_not_decryptable', rows, encryptedValues, documents: 0, auditEvents: 0, auditCheckpoints: 0 };
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
        return { ok: false, problem: 'document_not_decryptable', rows, encryptedValues, documents, auditEvents: 0, auditCheckpoints: 0 };
      }
      documents += 1;
    }
  }

  // A chain rewritten and rehashed before the backup links correctly; only a signed checkpoint
  // whose chain hash no longer matches shows the rewrite.
  const chain = await new AuditVerifier({ db, keys: auditKeys, dataDir: scratchDir }).verify();
  const audit = { auditEvents: chain.checked, auditCheckpoints: chain.checkpoints.checked };
  if (!chain.intact) return { ok: false, problem: 'audit_chain_broken', rows, encryptedValues, documents, ...audit, ...(chain.problem ? { auditProblem: chain.problem } : {}) };
  return { ok: true, rows, encryptedValues, documents, ...audit };
}
