import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { AuditLog } from '../audit/index.js';
import type { SigningKeyRing } from '../audit/signing-keys.js';
import { type KeyringMaterial, deriveServiceKey } from '../crypto/index.js';
import { type DatabaseHandle, migrateToLatestOrThrow, openDatabase } from '../db/index.js';
import { BackupCorruptedError } from './backup-cipher.js';
import { type RestoredCheck, checkRestoredCopy } from './backup-checks.js';
import { type CheckedBackup, checkBackupFileOrThrow } from './backup-file.js';
import { restoreIntoSqlite } from './backup-reader.js';
import { problemOf } from './backup.service.js';
import { ensureSchema } from './postgres-target.repository.js';
import { recordRestoreFailure } from './restore-failure.js';
import { SchemaNotEmptyError, assertSchemaEmptyOrThrow, copyStagedTablesIntoPostgres, lockAgainstWriters } from './restore-postgres.js';
import { type SwappedFiles, swapFilesIn } from './restore-swap.js';

/** Raised when a restore is not allowed in the current state; the message names the fix. */
export class RestoreRejectedError extends Error {
  constructor(readonly problem: string, message: string) {
    super(message);
    this.name = 'RestoreRejectedError';
  }
}

export interface RestoreOptions {
  readonly file: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema to restore into (DATABASE_SCHEMA, default `public`); created when missing. */
  readonly databaseSchema?: string | undefined;
  readonly postgresCaFile?: string | undefined;
  readonly keyring: KeyringMaterial;
  /** Keys of the backup file signatures. */
  readonly signingKeys: SigningKeyRing;
  /** Keys of the audit checkpoints, which vouch for the backup's audit chain. */
  readonly auditKeys: SigningKeyRing;
  /** Process id of a server running on the data folder, found by the caller from its lock file. */
  readonly runningServerPid: number | undefined;
  readonly now?: () => Date;
}

export interface RestoreResult {
  readonly backupId: string;
  readonly rows: number;
  readonly documents: number;
  readonly keptAside: string[];
}

/**
 * Replaces the database content and the document store with a backup's. The backup is checked,
 * restored into a staging folder and checked again there; only then does anything current
 * change. SQLite: the database file is swapped like the documents. PostgreSQL: the rows go into
 * an empty schema in one transaction. Old files are kept as `*.before-restore-<time>`. A refused
 * or failed restore is recorded in the current database where `recordRestoreFailure` can.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const now = options.now ?? (() => new Date());
  try {
    return await runRestore({ ...options, now });
  } catch (error) {
    await recordRestoreFailure({ ...options, now, problem: restoreProblemOf(error) });
    throw error;
  }
}

async function runRestore(options: RestoreOptions & { now: () => Date }): Promise<RestoreResult> {
  // A running server would keep writing to the database that is about to be replaced.
  if (options.runningServerPid !== undefined) {
    const pid = options.runningServerPid;
    throw new RestoreRejectedError('server_running', `服务器正在此数据目录上运行（进程 ${pid}），请先停止。/ A server is running on this data folder (process ${pid}); stop it first.`);
  }

  // A damaged or foreign backup is rejected before anything else, whatever the database kind.
  const checked = await checkBackupFileOrThrow(path.resolve(options.file), options.signingKeys);

  const stamp = options.now().toISOString().replace(/[:.]/g, '-');
  const staging = path.join(options.dataDir, `.restore-${stamp}`);
  await mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    return options.databaseUrl ? await restoreIntoPostgres({ options, checked, staging, stamp }) : await restoreIntoSqliteFile({ options, checked, staging, stamp });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

interface RestoreStep {
  readonly options: RestoreOptions & { now: () => Date };
  readonly checked: CheckedBackup;
  readonly staging: string;
  readonly stamp: string;
}

async function restoreIntoSqliteFile({ options, checked, staging, stamp }: RestoreStep): Promise<RestoreResult> {
  const { dataDir, keyring, now } = options;
  const sqliteKey = deriveServiceKey(keyring, 'sqlite-database');
  const stagedDb = path.join(staging, 'ledgerguard.db');
  const stagedDocuments = path.join(staging, 'documents');

  const restored = await restoreIntoSqlite({ checked, serviceKey: deriveServiceKey(keyring, 'backup'), sqliteFile: stagedDb, sqliteKey, documentsDir: stagedDocuments });
  let check: RestoredCheck;
  try {
    check = await checkStagedCopyOrThrow({ options, checked, db: restored.db, staging });

    // The records of later backups stay known after the swap, so `backup list` still shows their files.
    if (existsSync(path.join(dataDir, 'ledgerguard.db'))) {
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
    await audit.record(restoredEvent(options.file, checked, check));
  } finally {
    await restored.close();
  }

  const swapped = await swapFilesIn({ dataDir, stagedDb, stagedDocuments, stamp });
  return { backupId: checked.manifest.backupId, rows: check.rows, documents: check.documents, keptAside: swapped.keptAside };
}

async function restoreIntoPostgres({ options, checked, staging, stamp }: RestoreStep): Promise<RestoreResult> {
  const schema = options.databaseSchema ?? 'public';
  const handle: DatabaseHandle = openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, postgresSchema: options.databaseSchema, postgresCaFile: options.postgresCaFile, poolSize: 2 });
  try {
    await ensureSchema(handle.db, schema);
    await migrateToLatestOrThrow(handle.db, schema);
    // Checked before the slow staging so a wrong schema fails at once, and again under the lock.
    await assertSchemaEmptyOrThrow(handle.db, schema);

    // The staged SQLite copy lives only for this restore, so it gets a random key.
    const stagedDocuments = path.join(staging, 'documents');
    const restored = await restoreIntoSqlite({ checked, serviceKey: deriveServiceKey(options.keyring, 'backup'), sqliteFile: path.join(staging, 'staged.db'), sqliteKey: randomBytes(32), documentsDir: stagedDocuments });
    try {
      const check = await checkStagedCopyOrThrow({ options, checked, db: restored.db, staging });

      // The files move inside the transaction, so a failed copy leaves them untouched, and a
      // failed commit moves them back.
      let swapped: SwappedFiles | undefined;
      try {
        await handle.db.transaction().execute(async (trx) => {
          await lockAgainstWriters(trx);
          await assertSchemaEmptyOrThrow(trx, schema);
          await copyStagedTablesIntoPostgres({ source: restored.db, target: trx, manifest: checked.manifest });
          await new AuditLog({ db: handle.db, dialect: 'postgres', now: options.now }).append(trx, restoredEvent(options.file, checked, check));
          swapped = await swapFilesIn({ dataDir: options.dataDir, stagedDocuments, stamp });
        });
      } catch (error) {
        await swapped?.undo();
        throw error;
      }
      return { backupId: checked.manifest.backupId, rows: check.rows, documents: check.documents, keptAside: swapped!.keptAside };
    } finally {
      await restored.close();
    }
  } finally {
    await handle.close();
  }
}

async function checkStagedCopyOrThrow({ options, checked, db, staging }: { options: RestoreOptions; checked: CheckedBackup; db: Parameters<typeof checkRestoredCopy>[0]['db']; staging: string }): Promise<RestoredCheck> {
  const check = await checkRestoredCopy({ db, manifest: checked.manifest, keyring: options.keyring, auditKeys: options.auditKeys, documentsDir: path.join(staging, 'documents'), scratchDir: staging });
  if (!check.ok) throw new BackupCorruptedError(check.problem ?? 'check_failed');
  return check;
}

function restoredEvent(file: string, checked: CheckedBackup, check: RestoredCheck) {
  return { action: 'backup.restored' as const, outcome: 'success' as const, actor: null, targetType: 'backup', targetId: checked.manifest.backupId, details: { fileName: path.basename(file), createdAt: checked.manifest.createdAt, rows: check.rows, documents: check.documents } };
}

function restoreProblemOf(error: unknown): string {
  if (error instanceof RestoreRejectedError) return error.problem;
  if (error instanceof SchemaNotEmptyError) return 'schema_not_empty';
  return problemOf(error);
}
