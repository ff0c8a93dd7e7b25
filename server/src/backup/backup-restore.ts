import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AuditLog } from '../audit/index.js';
import { localCheckpointFile } from '../audit/checkpoint-file.js';
import type { SigningKeyRing } from '../audit/signing-keys.js';
import { type KeyringMaterial, deriveServiceKey } from '../crypto/index.js';
import { openDatabase } from '../db/index.js';
import { BackupCorruptedError } from './backup-cipher.js';
import { checkRestoredCopy } from './backup-checks.js';
import { checkBackupFileOrThrow } from './backup-file.js';
import { restoreIntoSqlite } from './backup-reader.js';

/** Raised when a restore is not allowed in the current state; the message names the fix. */
export class RestoreRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRejectedError';
  }
}

export interface RestoreOptions {
  readonly file: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly keyring: KeyringMaterial;
  readonly signingKeys: SigningKeyRing;
  /** Process id of a server running on the data folder, found by the caller from its lock file. */
  readonly runningServerPid: number | undefined;
  readonly now?: () => Date;
}

/**
 * Replaces the embedded database and the document store with a backup's content. The backup is
 * checked, restored into a staging folder and checked again there. Only then are the current
 * files renamed aside (kept as `*.before-restore-<time>`) and the staged ones moved in.
 */
export async function restoreBackup({ file, dataDir, databaseUrl, keyring, signingKeys, runningServerPid, now = () => new Date() }: RestoreOptions): Promise<{ backupId: string; rows: number; documents: number; keptAside: string[] }> {
  // A running server would keep writing to the file that is about to be replaced.
  if (runningServerPid !== undefined) {
    throw new RestoreRejectedError(`服务器正在此数据目录上运行（进程 ${runningServerPid}），请先停止。/ A server is running on this data folder (process ${runningServerPid}); stop it first.`);
  }

  // A damaged or foreign backup is rejected before anything else, whatever the database kind.
  const checked = await checkBackupFileOrThrow(path.resolve(file), signingKeys);
  if (databaseUrl) {
    // TODO: restoring into PostgreSQL needs rows inserted in foreign-key order into an empty schema.
    throw new RestoreRejectedError('恢复到 PostgreSQL 尚未支持；可用 backup verify 检查备份。/ Restoring into PostgreSQL is not supported yet; `backup verify` still checks such a backup.');
  }
  const stamp = now().toISOString().replace(/[:.]/g, '-');
  const staging = path.join(dataDir, `.restore-${stamp}`);
  await mkdir(staging, { recursive: true, mode: 0o700 });
  const sqliteKey = deriveServiceKey(keyring, 'sqlite-database');
  const stagedDb = path.join(staging, 'ledgerguard.db');
  const stagedDocuments = path.join(staging, 'documents');

  try {
    const restored = await restoreIntoSqlite({ checked, serviceKey: deriveServiceKey(keyring, 'backup'), sqliteFile: stagedDb, sqliteKey, documentsDir: stagedDocuments });
    let check;
    try {
      check = await checkRestoredCopy({ db: restored.db, manifest: checked.manifest, keyring, documentsDir: stagedDocuments });
      if (!check.ok) throw new BackupCorruptedError(check.problem ?? 'check_failed');

      // The records of later backups stay known after the swap, so `backup list` still shows their files.
      const current = path.join(dataDir, 'ledgerguard.db');
      if (existsSync(current)) {
        const handle = openDatabase({ databaseUrl: undefined, dataDir, sqliteKey });
        try {
          const later = await handle.db.selectFrom('backups').selectAll().execute().catch(() => []);
          for (const row of later) {
            await restored.db.insertInto('backups').values(row).onConflict((conflict) => conflict.column('id').doNothing()).execute();
          }
        } finally {
          await handle.close();
        }
      }

      const audit = new AuditLog({ db: restored.db, dialect: 'sqlite', now });
      await audit.initialize();
      await audit.record({ action: 'backup.restored', outcome: 'success', actor: null, targetType: 'backup', targetId: checked.manifest.backupId, details: { fileName: path.basename(file), createdAt: checked.manifest.createdAt, rows: check.rows, documents: check.documents } });
    } finally {
      await restored.close();
    }

    const keptAside = await swapIn({ dataDir, stagedDb, stagedDocuments, stamp });
    return { backupId: checked.manifest.backupId, rows: check.rows, documents: check.documents, keptAside };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Renames the current database and documents aside and the staged ones into place. */
async function swapIn({ dataDir, stagedDb, stagedDocuments, stamp }: { dataDir: string; stagedDb: string; stagedDocuments: string; stamp: string }): Promise<string[]> {
  const keptAside: string[] = [];
  const database = path.join(dataDir, 'ledgerguard.db');
  if (existsSync(database)) {
    // Closing the last connection folded the WAL into the file, so the file alone is the database.
    const aside = `${database}.before-restore-${stamp}`;
    await rename(database, aside);
    keptAside.push(aside);
  }
  await rm(`${database}-wal`, { force: true });
  await rm(`${database}-shm`, { force: true });
  await rename(stagedDb, database);

  const documents = path.join(dataDir, 'documents');
  if (existsSync(documents)) {
    const aside = `${documents}.before-restore-${stamp}`;
    await rename(documents, aside);
    keptAside.push(aside);
  }
  if (existsSync(stagedDocuments)) await rename(stagedDocuments, documents);

  // The checkpoint file outside the database witnessed events the restore rolls back; left in
  // place it would make the restored chain look truncated. It is kept aside as the record of
  // what the log held before, and the next checkpoint starts a new file.
  const checkpoints = localCheckpointFile(dataDir);
  if (existsSync(checkpoints)) {
    const aside = `${checkpoints}.before-restore-${stamp}`;
    await rename(checkpoints, aside);
    keptAside.push(aside);
  }
  return keptAside;
}
