import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/index.js';
import type { SigningKeyRing } from '../audit/signing-keys.js';
import { type KeyringMaterial, deriveServiceKey } from '../crypto/index.js';
import type { DatabaseHandle } from '../db/index.js';
import { openEncryptedSqlite } from '../db/sqlite-cipher.js';
import { BackupCorruptedError } from './backup-cipher.js';
import { checkRestoredCopy, type RestoredCheck } from './backup-checks.js';
import { checkBackupFileOrThrow } from './backup-file.js';
import { restoreIntoSqlite } from './backup-reader.js';
import { type BackupProgress, writeBackupFile } from './backup-writer.js';
import { type RetentionPolicy, localDay, selectBackupsToKeep } from './retention.js';

export interface BackupSettings {
  /** Folder of the backup files (BACKUP_DIR, default DATA_DIR/backups). */
  readonly dir: string;
  /** Daily time HH:MM in the firm's time zone, or `off` (BACKUP_SCHEDULE). */
  readonly schedule: string;
  readonly keep: RetentionPolicy;
}

export interface BackupListItem {
  readonly id: string;
  readonly fileName: string;
  readonly trigger: string;
  readonly status: string;
  readonly createdAt: string;
  readonly sizeBytes: number | null;
  readonly verifiedAt: string | null;
  readonly verification: string | null;
  readonly verificationProblem: string | null;
}

export interface VerificationResult {
  readonly file: string;
  readonly ok: boolean;
  readonly problem?: string;
  readonly check?: RestoredCheck;
}

/** The signing key file of backups, beside the other keys and never inside a backup. */
export function backupSigningKeyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'backup-signing.json');
}

/**
 * Creates, lists, verifies and prunes encrypted, signed backups. Restoring replaces the
 * database, so it lives in `restoreBackup`, which runs without an open application.
 */
export class BackupService {
  readonly #database: DatabaseHandle;
  readonly #audit: AuditLog;
  readonly #keyring: KeyringMaterial;
  readonly #signingKeys: SigningKeyRing;
  readonly #auditKeys: SigningKeyRing;
  readonly #settings: BackupSettings;
  readonly #dataDir: string;
  readonly #timeZone: string;
  readonly #logger: Logger;
  readonly #now: () => Date;

  constructor(options: { database: DatabaseHandle; audit: AuditLog; keyring: KeyringMaterial; signingKeys: SigningKeyRing; auditKeys: SigningKeyRing; settings: BackupSettings; dataDir: string; timeZone: string; logger: Logger; now?: () => Date }) {
    this.#database = options.database;
    this.#audit = options.audit;
    this.#keyring = options.keyring;
    this.#signingKeys = options.signingKeys;
    this.#auditKeys = options.auditKeys;
    this.#settings = options.settings;
    this.#dataDir = options.dataDir;
    this.#timeZone = options.timeZone;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
  }

  get directory(): string {
    return this.#settings.dir;
  }

  /** Writes a backup of one consistent snapshot while the server keeps running, then records it. */
  async create({ trigger = 'manual', onProgress }: { trigger?: 'manual' | 'schedule'; onProgress?: (progress: BackupProgress) => void } = {}): Promise<BackupListItem> {
    const id = randomUUID();
    const createdAt = this.#now().toISOString();
    const fileName = `ledgerguard-${createdAt.replace(/[:.]/g, '-')}-${id.slice(0, 8)}.lgbackup`;
    const finalPath = path.join(this.#settings.dir, fileName);
    const partPath = `${finalPath}.part`;
    await mkdir(this.#settings.dir, { recursive: true, mode: 0o700 });

    try {
      const { manifest, sizeBytes } = await this.#withSnapshot((snapshot) =>
        writeBackupFile({ snapshot, dialect: this.#database.dialect, dataDir: this.#dataDir, file: partPath, backupId: id, createdAt, serviceKey: deriveServiceKey(this.#keyring, 'backup'), signingKey: this.#signingKeys.active, onProgress }),
      );
      await rename(partPath, finalPath);

      await this.#database.db.transaction().execute(async (trx) => {
        await trx.insertInto('backups').values({ id, file_name: fileName, trigger, status: 'created', created_at: createdAt, size_bytes: sizeBytes, body_sha256: manifest.body.sha256, error: null, verified_at: null, verification: null, verification_problem: null, pruned_at: null }).execute();
        await this.#audit.append(trx, { action: 'backup.created', outcome: 'success', actor: null, targetType: 'backup', targetId: id, details: { fileName, trigger, sizeBytes, tables: manifest.tables.length, documents: manifest.documents.length } });
      });
      this.#logger.info({ backupId: id, sizeBytes, trigger }, 'backup created');
      return (await this.#findOrThrow(id));
    } catch (error) {
      await rm(partPath, { force: true });
      const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.name : 'unknown');
      this.#logger.error({ err: error, backupId: id, trigger }, 'backup failed');
      await this.#database.db.transaction().execute(async (trx) => {
        await trx.insertInto('backups').values({ id, file_name: fileName, trigger, status: 'failed', created_at: createdAt, size_bytes: null, body_sha256: null, error: code, verified_at: null, verification: null, verification_problem: null, pruned_at: null }).execute();
        await this.#audit.append(trx, { action: 'backup.created', outcome: 'failure', actor: null, targetType: 'backup', targetId: id, details: { trigger, error: code } });
      });
      throw error;
    }
  }

  async list(): Promise<BackupListItem[]> {
    const rows = await this.#database.db.selectFrom('backups').selectAll().orderBy('created_at', 'desc').execute();
    return rows.map(toListItem);
  }

  /**
   * Checks a backup's signature and checksum, restores it into a scratch SQLite file and checks
   * that every record decrypts and the audit chain matches the backup's own signed checkpoints
   * (verified with the audit signing keys). Without a file, the newest backup.
   */
  async verify(file?: string): Promise<VerificationResult> {
    const target = file ? path.resolve(file) : await this.#newestFileOrThrow();
    const scratch = await mkdtemp(path.join(this.#settings.dir, '.verify-'));
    let result: VerificationResult;
    try {
      const checked = await checkBackupFileOrThrow(target, this.#signingKeys);
      // The scratch file gets a random key: it lives only for this check.
      const restored = await restoreIntoSqlite({ checked, serviceKey: deriveServiceKey(this.#keyring, 'backup'), sqliteFile: path.join(scratch, 'scratch.db'), sqliteKey: randomBytes(32), documentsDir: path.join(scratch, 'documents') });
      try {
        const check = await checkRestoredCopy({ db: restored.db, manifest: checked.manifest, keyring: this.#keyring, auditKeys: this.#auditKeys, documentsDir: path.join(scratch, 'documents'), scratchDir: scratch });
        result = { file: target, ok: check.ok, ...(check.problem ? { problem: check.problem } : {}), check };
      } finally {
        await restored.close();
      }
    } catch (error) {
      result = { file: target, ok: false, problem: problemOf(error) };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }

    await this.#recordVerification(result);
    return result;
  }

  /** Runs the schedule once: a backup when today's time has passed and none was made for it, then pruning. */
  async runScheduledStep(): Promise<BackupListItem | undefined> {
    if (this.#settings.schedule === 'off') return undefined;
    const now = this.#now();
    const today = localDay(now.toISOString(), this.#timeZone);
    const time = new Intl.DateTimeFormat('en-GB', { timeZone: this.#timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
    if (time < this.#settings.schedule) return undefined;

    const scheduled = await this.#database.db.selectFrom('backups').select('created_at').where('trigger', '=', 'schedule').orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    if (scheduled && localDay(scheduled.created_at, this.#timeZone) === today) return undefined;

    const created = await this.create({ trigger: 'schedule' });
    await this.prune();
    return created;
  }

  /** Deletes the backup files that no retention rule keeps; their rows stay, marked `pruned`. */
  async prune(): Promise<string[]> {
    const rows = await this.#database.db.selectFrom('backups').select(['id', 'file_name', 'created_at']).where('status', '=', 'created').execute();
    const kept = selectBackupsToKeep(rows.map((row) => ({ id: row.id, createdAt: row.created_at })), this.#settings.keep, this.#timeZone);
    const pruned: string[] = [];
    for (const row of rows.filter((candidate) => !kept.has(candidate.id))) {
      await rm(path.join(this.#settings.dir, row.file_name), { force: true });
      await this.#database.db.transaction().execute(async (trx) => {
        await trx.updateTable('backups').set({ status: 'pruned', pruned_at: this.#now().toISOString() }).where('id', '=', row.id).execute();
        await this.#audit.append(trx, { action: 'backup.pruned', outcome: 'success', actor: null, targetType: 'backup', targetId: row.id, details: { fileName: row.file_name } });
      });
      pruned.push(row.id);
    }
    return pruned;
  }

  async #withSnapshot<T>(read: (snapshot: Kysely<any>) => Promise<T>): Promise<T> {
    if (this.#database.dialect === 'postgres') {
      // REPEATABLE READ gives every statement of the transaction the same snapshot.
      return this.#database.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute((trx) => read(trx));
    }

    // A second connection reads while the server's own keeps writing: in WAL mode a read
    // transaction sees the database as of its first read until it ends.
    const connection = openEncryptedSqlite({ file: this.#database.sqliteFile!, key: deriveServiceKey(this.#keyring, 'sqlite-database') });
    const snapshotDb = new Kysely<any>({ dialect: new SqliteDialect({ database: connection }) });
    try {
      return await snapshotDb.transaction().execute((trx) => read(trx));
    } finally {
      await snapshotDb.destroy();
    }
  }

  async #newestFileOrThrow(): Promise<string> {
    const newest = await this.#database.db.selectFrom('backups').select('file_name').where('status', '=', 'created').orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    if (!newest) throw new Error('No backup to verify; create one with `ledgerguard backup create` or name a file');
    return path.join(this.#settings.dir, newest.file_name);
  }

  async #recordVerification(result: VerificationResult): Promise<void> {
    const fileName = path.dirname(result.file) === path.resolve(this.#settings.dir) ? path.basename(result.file) : undefined;
    await this.#database.db.transaction().execute(async (trx) => {
      if (fileName) {
        await trx.updateTable('backups').set({ verified_at: this.#now().toISOString(), verification: result.ok ? 'passed' : 'failed', verification_problem: result.problem ?? null }).where('file_name', '=', fileName).execute();
      }
      await this.#audit.append(trx, { action: 'backup.verified', outcome: result.ok ? 'success' : 'failure', actor: null, targetType: 'backup_file', targetId: path.basename(result.file), details: { ...(result.problem ? { problem: result.problem } : {}), ...(result.check ? { rows: result.check.rows, encryptedValues: result.check.encryptedValues, documents: result.check.documents, auditEvents: result.check.auditEvents, auditCheckpoints: result.check.auditCheckpoints, ...(result.check.auditProblem ? { auditProblem: result.check.auditProblem } : {}) } : {}) } });
    });
  }

  async #findOrThrow(id: string): Promise<BackupListItem> {
    return toListItem(await this.#database.db.selectFrom('backups').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  }
}

/** Names a verification failure by a stable code, never by a message that might quote data. */
export function problemOf(error: unknown): string {
  if (error instanceof BackupCorruptedError) return error.problem;
  if (error instanceof Error && error.name === 'BackupSchemaMismatchError') return 'schema_version_mismatch';
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'file_not_found';
  // Any other failure while decrypting or decompressing means the body cannot be trusted.
  return 'restore_failed';
}

function toListItem(row: { id: string; file_name: string; trigger: string; status: string; created_at: string; size_bytes: number | string | null; verified_at: string | null; verification: string | null; verification_problem: string | null }): BackupListItem {
  return {
    id: row.id,
    fileName: row.file_name,
    trigger: row.trigger,
    status: row.status,
    createdAt: row.created_at,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    verifiedAt: row.verified_at,
    verification: row.verification,
    verificationProblem: row.verification_problem,
  };
}
