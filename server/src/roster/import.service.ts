import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ROLES, type SubjectSnapshot } from '../access/index.js';
import type { AuditLog } from '../audit/index.js';
import { buildClientRow } from '../clients/protected-fields.js';
import { findExistingUsccs, insertAssignments, insertClientRows, type ClientRow } from '../clients/client.repository.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db, DbOrTrx } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { ImportJobState, Rejection } from './import.types.js';
import { findImportJob, insertImportJob, listImportJobs, markInterruptedImportJobs, saveImportJob } from './import.repository.js';
import { RosterFileError, locateHeader, readRosterFile } from './roster.parse.js';
import { type RowValidation, validateRosterRow } from './roster.validate.js';

export interface Importer {
  /** The member running the import, or `undefined` for the command line run by the operator. */
  readonly subject: SubjectSnapshot | undefined;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

type AcceptedRow = Extract<RowValidation, { ok: true }> & { departmentId: string | null; assigneeIds: string[] };

const VALIDATION_BATCH = 250;

/**
 * Roster import: parse, validate every row, then write all accepted clients in one
 * transaction, so a failed or interrupted import leaves no partial client behind. Progress is
 * kept in memory while a job runs and stored with the job when it ends.
 */
export class ImportService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #crypto: FieldCrypto;
  readonly #running = new Map<string, ImportJobState>();

  constructor({ db, audit, crypto }: { db: Db; audit: AuditLog; crypto: FieldCrypto }) {
    this.#db = db;
    this.#audit = audit;
    this.#crypto = crypto;
  }

  /** Marks jobs that were running when the process stopped as failed; their transaction never committed. */
  async recoverInterrupted(): Promise<void> {
    await markInterruptedImportJobs(this.#db, new Date().toISOString());
  }

  /** Starts an import in the background and returns its job id at once. */
  async start({ content, fileName, importer }: { content: Uint8Array; fileName: string; importer: Importer }): Promise<string> {
    const job = await this.#createJob(fileName, importer);
    void this.#execute(job, content, importer).catch(() => undefined);
    return job.id;
  }

  /** Runs an import to the end; `onProgress` is called as rows are validated and written. */
  async run({ content, fileName, importer, onProgress }: { content: Uint8Array; fileName: string; importer: Importer; onProgress?: (job: Readonly<ImportJobState>) => void }): Promise<ImportJobState> {
    const job = await this.#createJob(fileName, importer);
    return this.#execute(job, content, importer, onProgress);
  }

  async find(jobId: string): Promise<ImportJobState | undefined> {
    return this.#running.get(jobId) ?? (await findImportJob(this.#db, jobId));
  }

  async list(): Promise<ImportJobState[]> {
    const stored = await listImportJobs(this.#db, 20);
    return stored.map((job) => this.#running.get(job.id) ?? job);
  }

  async #createJob(fileName: string, importer: Importer): Promise<ImportJobState> {
    const job: ImportJobState = {
      id: randomUUID(),
      fileName: fileName.slice(0, 200),
      status: 'running',
      phase: 'parsing',
      createdBy: importer.subject?.userId ?? null,
      createdAt: new Date().toISOString(),
      finishedAt: null,
      total: 0,
      processed: 0,
      accepted: 0,
      created: 0,
      duplicates: 0,
      rejected: 0,
      errorCode: null,
      rejections: [],
    };
    await insertImportJob(this.#db, job);
    this.#running.set(job.id, job);
    return job;
  }

  async #execute(job: ImportJobState, content: Uint8Array, importer: Importer, onProgress?: (job: Readonly<ImportJobState>) => void): Promise<ImportJobState> {
    const report = () => onProgress?.(job);
    try {
      const { sheetRows } = await readRosterFile(content, job.fileName);
      const header = locateHeader(sheetRows);
      const dataRows = sheetRows.filter((row) => row.rowNumber > header.rowNumber);
      job.total = dataRows.length;
      job.phase = 'validating';
      report();

      const validations: RowValidation[] = [];
      for (let start = 0; start < dataRows.length; start += VALIDATION_BATCH) {
        for (const row of dataRows.slice(start, start + VALIDATION_BATCH)) {
          const validation = validateRosterRow(row, header);
          if (validation) validations.push(validation);
        }
        job.processed = Math.min(dataRows.length, start + VALIDATION_BATCH);
        report();
        await yieldToEventLoop();
      }
      job.total = validations.length;

      const accepted = await this.#resolveRows(validations, job.rejections, importer.subject);
      job.rejected = new Set(job.rejections.map((rejection) => rejection.row)).size;
      job.accepted = accepted.length;
      job.phase = 'writing';
      job.processed = 0;
      report();

      await this.#db.transaction().execute(async (trx) => {
        const existing = await findExistingUsccs(trx, accepted.map((row) => row.client.uscc));
        const fresh = accepted.filter((row) => !existing.has(row.client.uscc));
        job.duplicates = accepted.length - fresh.length;

        const created = await this.#writeClients(trx, fresh, () => {
          job.processed = job.duplicates + job.created;
          report();
        }, job);
        await this.#audit.append(trx, {
          action: 'client.import',
          outcome: 'success',
          actor: importer.subject ? { id: importer.subject.userId, username: importer.subject.username } : { id: null, username: 'cli' },
          targetType: 'import_job',
          targetId: job.id,
          ip: importer.ip,
          userAgent: importer.userAgent,
          details: { fileName: job.fileName, rows: job.total, created: created.length, duplicates: job.duplicates, rejected: job.rejected },
        });
      });

      job.status = 'done';
      job.phase = 'done';
      job.processed = job.total;
    } catch (error) {
      job.status = 'failed';
      job.errorCode = error instanceof RosterFileError ? error.code : error instanceof AppError ? error.code : 'import_failed';
      job.created = 0;
      await this.#audit
        .record({ action: 'client.import', outcome: 'failure', actor: importer.subject ? { id: importer.subject.userId, username: importer.subject.username } : { id: null, username: 'cli' }, targetType: 'import_job', targetId: job.id, ip: importer.ip, userAgent: importer.userAgent, details: { fileName: job.fileName, errorCode: job.errorCode } })
        .catch(() => undefined);
    } finally {
      job.finishedAt = new Date().toISOString();
      await saveImportJob(this.#db, job).catch(() => undefined);
      this.#running.delete(job.id);
      report();
    }
    return job;
  }

  /** Checks what the cells cannot show alone: repeats within the file, departments and staff that exist, the importer's scope. */
  async #resolveRows(validations: RowValidation[], rejections: Rejection[], subject: SubjectSnapshot | undefined): Promise<AcceptedRow[]> {
    const departments = await this.#db.selectFrom('departments').select(['id', 'name']).execute();
    const departmentByName = new Map(departments.map((department) => [department.name.normalize('NFKC').trim(), department.id]));
    const staff = await this.#db.selectFrom('users').select(['id', 'username_key', 'display_name']).where('status', '=', 'active').where('client_id', 'is', null).execute();
    const staffByName = new Map<string, string | null>();
    for (const member of staff) {
      staffByName.set(member.username_key, member.id);
      // A display name two members share cannot say which one is meant.
      const displayKey = member.display_name.normalize('NFKC').trim();
      staffByName.set(displayKey, staffByName.has(displayKey) ? null : member.id);
    }

    const importScopeAll = !subject || subject.roles.some((key) => ROLES[key].permissions.includes('client:import') && ROLES[key].scope === 'all');
    const seenUsccs = new Set<string>();
    const accepted: AcceptedRow[] = [];

    for (const validation of validations) {
      if (!validation.ok) {
        for (const error of validation.errors) rejections.push({ row: validation.rowNumber, column: error.column, field: error.field, code: error.code });
        continue;
      }
      const rowRejections: Rejection[] = [];
      if (seenUsccs.has(validation.client.uscc)) {
        rowRejections.push({ row: validation.rowNumber, column: '', field: 'uscc', code: 'duplicate_in_file' });
      }
      seenUsccs.add(validation.client.uscc);

      let departmentId: string | null = subject?.departmentId ?? null;
      if (validation.department) {
        const found = departmentByName.get(validation.department.normalize('NFKC').trim());
        if (!found) rowRejections.push({ row: validation.rowNumber, column: '', field: 'department', code: 'department_unknown' });
        departmentId = found ?? null;
      }
      if (!importScopeAll && (!departmentId || !subject?.departmentTreeIds.has(departmentId))) {
        rowRejections.push({ row: validation.rowNumber, column: '', field: 'department', code: 'department_out_of_scope' });
      }

      const assigneeIds: string[] = [];
      for (const assignee of validation.assignees) {
        const id = staffByName.get(assignee.normalize('NFKC').trim().toLowerCase()) ?? staffByName.get(assignee.normalize('NFKC').trim());
        if (id) assigneeIds.push(id);
        else rowRejections.push({ row: validation.rowNumber, column: '', field: 'assignee', code: 'assignee_unknown' });
      }

      if (rowRejections.length > 0) {
        rejections.push(...rowRejections);
        continue;
      }
      accepted.push({ ...validation, departmentId, assigneeIds });
    }
    return accepted;
  }

  async #writeClients(trx: DbOrTrx, rows: AcceptedRow[], onBatch: () => void, job: ImportJobState): Promise<ClientRow[]> {
    const now = new Date().toISOString();
    const written: ClientRow[] = [];
    for (let start = 0; start < rows.length; start += 200) {
      const batch = rows.slice(start, start + 200);
      const clientRows: ClientRow[] = [];
      for (const row of batch) {
        clientRows.push(await buildClientRow({ db: trx, crypto: this.#crypto, id: randomUUID(), input: row.client, departmentId: row.departmentId, now }));
      }
      await insertClientRows(trx, clientRows);
      await insertAssignments(trx, clientRows.flatMap((clientRow, index) => batch[index]!.assigneeIds.map((userId) => ({ clientId: clientRow.id, userId }))));
      written.push(...clientRows);
      job.created = written.length;
      onBatch();
    }
    return written;
  }
}
