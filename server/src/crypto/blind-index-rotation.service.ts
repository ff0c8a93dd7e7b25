import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditActor, AuditLog } from '../audit/index.js';
import type { Db } from '../db/index.js';
import { BLIND_INDEXED_COLUMNS, type BlindIndexedColumn, blindIndexVersionOf, normalizeForBlindIndex } from './blind-index.js';
import {
  countIndexValuesNotUnder,
  findHighestIndexVersion,
  insertIndexVersion,
  listActiveIndexVersions,
  readIndexBatch,
  replaceIndexValue,
  retireIndexVersionsBelow,
} from './blind-index.repository.js';
import { walkColumns } from './column-walk.js';
import type { FieldCrypto } from './field-crypto.js';
import { type KeyRotationJob, findLatestJob, findRunningJob, insertJob, saveJobProgress, supersedeRunningJobs, tableExists } from './key-rotation.repository.js';
import { KeyStillInUseError } from './key-still-in-use.error.js';

export interface BlindIndexStatus {
  /** The version new index values are computed under. */
  readonly currentVersion: number;
  /** Versions that lookups still compute, the current one first. */
  readonly activeVersions: readonly number[];
  readonly job: (KeyRotationJob & { readonly columns: number }) | undefined;
  /** Index values not under the current version; present only when `status({ scan: true })` counted them. */
  readonly valuesOnOldVersions?: number;
}

/**
 * Rotation of the blind-index keys. A rotation adds an index key version that new values use, and
 * starts a resumable job that recomputes every stored index value under it from the decrypted
 * value. Until the old version is retired, lookups match either version, so no search misses a row
 * the job has or has not reached yet. The index root, and so the SQLite file key and every service
 * key derived from it, never changes.
 */
export class BlindIndexRotation {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #crypto: FieldCrypto;
  readonly #logger: Logger;
  readonly #columns: readonly BlindIndexedColumn[];

  constructor({ db, audit, crypto, logger, columns = BLIND_INDEXED_COLUMNS }: { db: Db; audit: AuditLog; crypto: FieldCrypto; logger: Logger; columns?: readonly BlindIndexedColumn[] }) {
    this.#db = db;
    this.#audit = audit;
    this.#crypto = crypto;
    this.#logger = logger;
    this.#columns = columns;
  }

  /** Adds an index key version for new values and starts the job that moves stored values to it. */
  async rotate(actor: AuditActor | null = null): Promise<{ indexVersion: number; jobId: string }> {
    const now = new Date().toISOString();
    const jobId = randomUUID();

    const indexVersion = await this.#db.transaction().execute(async (trx) => {
      const version = (await findHighestIndexVersion(trx)) + 1;
      await insertIndexVersion(trx, version, now);
      await supersedeRunningJobs(trx, now, 'index');
      await insertJob(trx, this.#newJob(jobId, now));
      await this.#audit.append(trx, { action: 'keys.rotated', outcome: 'success', actor, targetType: 'blind_index', targetId: jobId, details: { kind: 'index', indexVersion: version } });
      return version;
    });

    this.#crypto.forgetCurrentKeys();
    return { indexVersion, jobId };
  }

  /** Starts a new walk without a new version, for values a process wrote under an old version it still cached. */
  async restart(actor: AuditActor | null = null): Promise<string> {
    const now = new Date().toISOString();
    const jobId = randomUUID();
    await this.#db.transaction().execute(async (trx) => {
      await supersedeRunningJobs(trx, now, 'index');
      await insertJob(trx, this.#newJob(jobId, now));
      await this.#audit.append(trx, { action: 'keys.rotated', outcome: 'success', actor, targetType: 'blind_index', targetId: jobId, details: { kind: 'reindex' } });
    });
    return jobId;
  }

  /**
   * Runs the index job for up to `maxBatches` batches and saves its cursor after each, so a
   * stopped process loses at most one batch of work. Returns the job, or `undefined` if none runs.
   */
  async runStep({ batchSize = 200, maxBatches = 50 }: { batchSize?: number; maxBatches?: number } = {}): Promise<KeyRotationJob | undefined> {
    const job = await findRunningJob(this.#db, 'index');
    if (!job) return undefined;

    const [target] = await listActiveIndexVersions(this.#db);
    const progress = await walkColumns({
      db: this.#db,
      job,
      columns: this.#columns,
      batchSize,
      maxBatches,
      readBatch: (column, afterRowId, limit) => readIndexBatch(this.#db, column, afterRowId, limit),
      handleRow: (column, row) => this.#recompute(column, row, target!),
    });

    if (progress.status === 'finished') {
      await this.#db.transaction().execute(async (trx) => {
        await saveJobProgress(trx, progress);
        await this.#audit.append(trx, { action: 'keys.reencrypted', outcome: progress.failed === 0 ? 'success' : 'failure', actor: null, targetType: 'blind_index', targetId: job.id, details: { kind: 'index', indexVersion: target, rewritten: progress.rewritten, failed: progress.failed } });
      });
      this.#logger.info({ jobId: job.id, indexVersion: target, rewritten: progress.rewritten, failed: progress.failed }, 'blind index recomputation finished');
    }
    return progress;
  }

  /** Runs the job to its end; for the CLI and tests. */
  async runToEnd(options: { batchSize?: number } = {}): Promise<KeyRotationJob | undefined> {
    let job = await this.runStep(options);
    while (job?.status === 'running') job = await this.runStep(options);
    return job;
  }

  async status({ scan = false }: { scan?: boolean } = {}): Promise<BlindIndexStatus> {
    const active = await listActiveIndexVersions(this.#db);
    const job = await findLatestJob(this.#db, 'index');
    return {
      currentVersion: active[0]!,
      activeVersions: active,
      job: job && { ...job, columns: this.#columns.length },
      ...(scan ? { valuesOnOldVersions: await this.#countValuesNotUnder(active[0]!) } : {}),
    };
  }

  /** Retires every old index key version once no stored value uses one; raises KeyStillInUseError otherwise. */
  async retireOldVersions(actor: AuditActor | null = null): Promise<{ retired: number }> {
    const [current, ...old] = await listActiveIndexVersions(this.#db);
    const values = await this.#countValuesNotUnder(current!);
    if (values > 0) {
      await this.#audit.record({ action: 'keys.retired', outcome: 'denied', actor, targetType: 'blind_index', details: { oldVersions: old.length, valuesOnOldVersions: values } });
      throw new KeyStillInUseError(`${values} blind index values still use old index key versions; wait for the index job (keys status), or run keys rotate --reindex`);
    }

    // NOTE: a process that cached the old version less than 30 seconds ago may still write a
    // value under it. Searches find such a value again only after `keys rotate --reindex`.
    const retired = await this.#db.transaction().execute(async (trx) => {
      const count = await retireIndexVersionsBelow(trx, current!, new Date().toISOString());
      await this.#audit.append(trx, { action: 'keys.retired', outcome: 'success', actor, targetType: 'blind_index', details: { indexVersion: current, retired: count } });
      return count;
    });
    return { retired };
  }

  #newJob(id: string, now: string): KeyRotationJob {
    return { id, kind: 'index', status: 'running', column_index: 0, row_cursor: null, rewritten: 0, failed: 0, started_at: now, updated_at: now, finished_at: null };
  }

  async #recompute(column: BlindIndexedColumn, row: { rowId: string; ciphertext: string; index: string }, target: number): Promise<'rewritten' | 'current' | 'failed'> {
    if (blindIndexVersionOf(row.index) === target) return 'current';

    const context = { table: column.table, column: column.contextColumn, rowId: String(row.rowId) };
    try {
      const plaintext = await this.#crypto.decrypt(this.#db, context, row.ciphertext);
      const replacement = this.#crypto.blindIndexUnder(target, column.table, column.contextColumn, normalizeForBlindIndex(column.form, plaintext));
      return (await replaceIndexValue(this.#db, column, row, replacement)) ? 'rewritten' : 'current';
    } catch (error) {
      // The value stays as it is; the log names the place, never the value.
      this.#logger.warn({ table: column.table, column: column.indexColumn, rowId: row.rowId, error: (error as Error).message }, 'blind index recomputation skipped a value that does not decrypt');
      return 'failed';
    }
  }

  async #countValuesNotUnder(current: number): Promise<number> {
    let count = 0;
    for (const column of this.#columns) {
      if (await tableExists(this.#db, column.table)) count += await countIndexValuesNotUnder(this.#db, column, current);
    }
    return count;
  }
}
