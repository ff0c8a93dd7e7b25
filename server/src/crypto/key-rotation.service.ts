import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditActor, AuditLog } from '../audit/index.js';
import type { Db } from '../db/index.js';
import { BlindIndexRotation, type BlindIndexStatus } from './blind-index-rotation.service.js';
import { ENCRYPTED_COLUMNS, type EncryptedColumn } from './encrypted-columns.js';
import { readEnvelopeHeader } from './envelope.js';
import { walkColumns } from './column-walk.js';
import type { FieldCrypto } from './field-crypto.js';
import {
  type DataKeyRow,
  type KeyRotationJob,
  deleteDataKeys,
  findLatestJob,
  findRunningJob,
  insertJob,
  listDataKeys,
  readCiphertextBatch,
  replaceCiphertext,
  saveJobProgress,
  supersedeRunningJobs,
  tableExists,
  updateWrappedDataKey,
} from './key-rotation.repository.js';
import { KeyStillInUseError } from './key-still-in-use.error.js';


export interface KeyStatus {
  readonly kek: { readonly source: string; readonly currentVersion: number; readonly dataKeysByVersion: Record<string, number> };
  readonly dataKeys: { readonly owners: number; readonly current: number; readonly old: number };
  readonly job: (KeyRotationJob & { readonly columns: number }) | undefined;
  /** Values still under an old data key version; present only when `status({ scan: true })` walked the columns. */
  readonly valuesOnOldKeys?: number;
  readonly blindIndex: BlindIndexStatus;
}

/** Keys that are not their owner's newest version. */
function oldDataKeys(keys: readonly DataKeyRow[]): DataKeyRow[] {
  const newest = new Map<string | null, number>();
  for (const key of keys) newest.set(key.clientId, Math.max(newest.get(key.clientId) ?? 0, key.version));
  return keys.filter((key) => key.version < newest.get(key.clientId)!);
}

/**
 * Key rotation without downtime. A KEK rotation rewraps every data key in one transaction. A
 * data key rotation adds a new version per owner for new writes and starts a resumable job that
 * moves existing values to it, column by column; old versions keep decrypting until retired.
 */
export class KeyRotation {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #crypto: FieldCrypto;
  readonly #logger: Logger;
  readonly #columns: readonly EncryptedColumn[];
  /** Rotation of the blind-index keys, which has its own versions and job. */
  readonly blindIndexes: BlindIndexRotation;

  constructor({ db, audit, crypto, logger, columns = ENCRYPTED_COLUMNS }: { db: Db; audit: AuditLog; crypto: FieldCrypto; logger: Logger; columns?: readonly EncryptedColumn[] }) {
    this.#db = db;
    this.#audit = audit;
    this.#crypto = crypto;
    this.#logger = logger;
    this.#columns = columns;
    this.blindIndexes = new BlindIndexRotation({ db, audit, crypto, logger });
  }

  /** Adds a KEK version and rewraps every data key under it in one transaction. */
  async rotateKek(actor: AuditActor | null = null): Promise<{ kekVersion: number; rewrapped: number }> {
    const keks = this.#crypto.keyring.keks;
    const kekVersion = await keks.addVersion();

    const rewrapped = await this.#db.transaction().execute(async (trx) => {
      const count = await this.#rewrapOutdated(trx, kekVersion);
      await this.#audit.append(trx, { action: 'keys.rotated', outcome: 'success', actor, targetType: 'kek', details: { kind: 'kek', source: keks.source, kekVersion, rewrapped: count } });
      return count;
    });
    return { kekVersion, rewrapped };
  }

  /** Adds a data key version for every owner and starts the re-encryption job. */
  async rotateDataKeys(actor: AuditActor | null = null): Promise<{ owners: number; jobId: string }> {
    const now = new Date().toISOString();
    const jobId = randomUUID();

    try {
      const owners = await this.#db.transaction().execute(async (trx) => {
        const keys = await listDataKeys(trx);
        const newest = new Map<string | null, number>();
        for (const key of keys) newest.set(key.clientId, Math.max(newest.get(key.clientId) ?? 0, key.version));
        for (const [owner, version] of newest) await this.#crypto.addDataKeyVersion(trx, owner, version + 1);

        await supersedeRunningJobs(trx, now);
        await insertJob(trx, { id: jobId, kind: 'data', status: 'running', column_index: 0, row_cursor: null, rewritten: 0, failed: 0, started_at: now, updated_at: now, finished_at: null });
        await this.#audit.append(trx, { action: 'keys.rotated', outcome: 'success', actor, targetType: 'data_keys', targetId: jobId, details: { kind: 'data', owners: newest.size } });
        return newest.size;
      });
      return { owners, jobId };
    } finally {
      // The new versions are cached on insert; after a rollback they must not be used.
      this.#crypto.forgetCurrentKeys();
    }
  }

  /** Starts a new walk over all columns without new key versions, for values written after a walk ended. */
  async restartReencryption(actor: AuditActor | null = null): Promise<string> {
    const now = new Date().toISOString();
    const jobId = randomUUID();
    await this.#db.transaction().execute(async (trx) => {
      await supersedeRunningJobs(trx, now);
      await insertJob(trx, { id: jobId, kind: 'data', status: 'running', column_index: 0, row_cursor: null, rewritten: 0, failed: 0, started_at: now, updated_at: now, finished_at: null });
      await this.#audit.append(trx, { action: 'keys.rotated', outcome: 'success', actor, targetType: 'data_keys', targetId: jobId, details: { kind: 'reencrypt' } });
    });
    return jobId;
  }

  /**
   * Runs the re-encryption job for up to `maxBatches` batches and saves its cursor after each,
   * so a stopped process loses at most one batch of work. Returns the job, or `undefined` if none runs.
   */
  async runReencryptionStep({ batchSize = 200, maxBatches = 50 }: { batchSize?: number; maxBatches?: number } = {}): Promise<KeyRotationJob | undefined> {
    const job = await findRunningJob(this.#db);
    if (!job) return undefined;

    this.#crypto.forgetCurrentKeys();
    const owners = new Map((await listDataKeys(this.#db)).map((key) => [key.id, key.clientId]));
    const outdated = new Set(oldDataKeys(await listDataKeys(this.#db)).map((key) => key.id));
    const progress = await walkColumns({
      db: this.#db,
      job,
      columns: this.#columns,
      batchSize,
      maxBatches,
      readBatch: (column, afterRowId, limit) => readCiphertextBatch(this.#db, column, afterRowId, limit),
      handleRow: (column, row) => this.#reencryptValue(column, row, owners, outdated),
    });

    if (progress.status === 'finished') {
      await this.#db.transaction().execute(async (trx) => {
        await saveJobProgress(trx, progress);
        await this.#audit.append(trx, { action: 'keys.reencrypted', outcome: progress.failed === 0 ? 'success' : 'failure', actor: null, targetType: 'data_keys', targetId: job.id, details: { rewritten: progress.rewritten, failed: progress.failed } });
      });
      this.#logger.info({ jobId: job.id, rewritten: progress.rewritten, failed: progress.failed }, 'key re-encryption finished');
    }
    return progress;
  }

  /** Runs the job to its end; for the CLI and tests. */
  async runReencryptionToEnd(options: { batchSize?: number } = {}): Promise<KeyRotationJob | undefined> {
    let job = await this.runReencryptionStep(options);
    while (job?.status === 'running') job = await this.runReencryptionStep(options);
    return job;
  }

  /** Rewraps data keys a stale process wrapped under an old KEK, then advances both jobs; the background task. */
  async runBackgroundStep(): Promise<void> {
    const current = await this.#crypto.keyring.keks.currentVersion();
    const stale = (await listDataKeys(this.#db)).some((key) => key.kekVersion !== current);
    if (stale) await this.#db.transaction().execute((trx) => this.#rewrapOutdated(trx, current));
    await this.runReencryptionStep();
    await this.blindIndexes.runStep();
  }

  async status({ scan = false }: { scan?: boolean } = {}): Promise<KeyStatus> {
    const keks = this.#crypto.keyring.keks;
    const keys = await listDataKeys(this.#db);
    const old = oldDataKeys(keys);
    const byVersion: Record<string, number> = {};
    for (const key of keys) byVersion[String(key.kekVersion)] = (byVersion[String(key.kekVersion)] ?? 0) + 1;
    const job = await findLatestJob(this.#db);

    return {
      kek: { source: keks.source, currentVersion: await keks.currentVersion(), dataKeysByVersion: byVersion },
      dataKeys: { owners: new Set(keys.map((key) => key.clientId)).size, current: keys.length - old.length, old: old.length },
      job: job && { ...job, columns: this.#columns.length },
      ...(scan ? { valuesOnOldKeys: await this.#countValuesUnder(new Set(old.map((key) => key.id))) } : {}),
      blindIndex: await this.blindIndexes.status({ scan }),
    };
  }

  /** Removes a KEK version no data key needs any more; raises KeyStillInUseError otherwise. */
  async retireKek(version: number, actor: AuditActor | null = null): Promise<void> {
    const keks = this.#crypto.keyring.keks;
    if (version >= (await keks.currentVersion())) {
      throw new KeyStillInUseError(`KEK version ${version} is current or newer and cannot be retired`);
    }
    // Vault retires every version up to the given one at once, so the check covers them all.
    const users = (await listDataKeys(this.#db)).filter((key) => (keks.source === 'vault' ? key.kekVersion <= version : key.kekVersion === version));
    if (users.length > 0) {
      await this.#audit.record({ action: 'keys.retired', outcome: 'denied', actor, targetType: 'kek', details: { kekVersion: version, dataKeys: users.length } });
      throw new KeyStillInUseError(`KEK version ${version} still wraps ${users.length} data keys; run keys rotate --kek first`);
    }

    await keks.removeVersion(version);
    await this.#audit.record({ action: 'keys.retired', outcome: 'success', actor, targetType: 'kek', details: { kekVersion: version, source: keks.source } });
  }

  /** Deletes every old data key version once no stored value uses it; raises KeyStillInUseError otherwise. */
  async retireOldDataKeys(actor: AuditActor | null = null): Promise<{ retired: number }> {
    const old = oldDataKeys(await listDataKeys(this.#db));
    const values = await this.#countValuesUnder(new Set(old.map((key) => key.id)));
    if (values > 0) {
      await this.#audit.record({ action: 'keys.retired', outcome: 'denied', actor, targetType: 'data_keys', details: { oldKeys: old.length, valuesOnOldKeys: values } });
      throw new KeyStillInUseError(`${values} values still use old data key versions; wait for the re-encryption job (keys status)`);
    }

    // NOTE: a value written between the count and the delete by a process that still caches an
    // old key would be lost; such a process switches keys within 30 seconds of a rotation.
    await this.#db.transaction().execute(async (trx) => {
      await deleteDataKeys(trx, old.map((key) => key.id));
      await this.#audit.append(trx, { action: 'keys.retired', outcome: 'success', actor, targetType: 'data_keys', details: { retired: old.length } });
    });
    return { retired: old.length };
  }

  async #rewrapOutdated(trx: Parameters<typeof updateWrappedDataKey>[0], kekVersion: number): Promise<number> {
    const keks = this.#crypto.keyring.keks;
    let count = 0;
    for (const key of await listDataKeys(trx)) {
      if (key.kekVersion === kekVersion) continue;
      const plain = await keks.unwrap(key.id, key.wrapped);
      const rewrapped = await keks.wrap(key.id, plain);
      plain.fill(0);
      await updateWrappedDataKey(trx, key.id, rewrapped.wrapped, rewrapped.kekVersion);
      count += 1;
    }
    return count;
  }

  async #reencryptValue(column: EncryptedColumn, row: { rowId: string; value: string }, owners: Map<string, string | null>, outdated: Set<string>): Promise<'rewritten' | 'current' | 'failed'> {
    const context = { table: column.table, column: column.contextColumn, rowId: String(row.rowId) };
    try {
      const { keyId } = readEnvelopeHeader(row.value);
      if (!outdated.has(keyId)) return 'current';

      const plaintext = await this.#crypto.decrypt(this.#db, context, row.value);
      const key = await this.#crypto.dataKeyForClient(this.#db, owners.get(keyId) ?? null);
      const replaced = await replaceCiphertext(this.#db, column, row.rowId, row.value, this.#crypto.encryptWithKey(key, context, plaintext));
      return replaced ? 'rewritten' : 'current';
    } catch (error) {
      // The value stays as it is; the log names the place, never the value.
      this.#logger.warn({ table: column.table, column: column.column, rowId: row.rowId, error: (error as Error).message }, 'key re-encryption skipped a value that does not decrypt');
      return 'failed';
    }
  }

  async #countValuesUnder(keyIds: Set<string>): Promise<number> {
    if (keyIds.size === 0) return 0;
    let count = 0;
    for (const column of this.#columns) {
      if (!(await tableExists(this.#db, column.table))) continue;
      let cursor: string | null = null;
      for (;;) {
        const rows = await readCiphertextBatch(this.#db, column, cursor, 1000);
        for (const row of rows) {
          const keyId = row.value.split('.')[2];
          if (keyId && keyIds.has(keyId)) count += 1;
        }
        if (rows.length < 1000) break;
        cursor = rows[rows.length - 1]!.rowId;
      }
    }
    return count;
  }
}
