import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ROLES, isRoleKey, type SubjectSnapshot } from '../access/index.js';
import type { AuditLog } from '../audit/index.js';
import { buildClientRow } from '../clients/protected-fields.js';
import { findExistingUsccs, insertAssignments, insertClientRows, type ClientRow } from '../clients/client.repository.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db, DbOrTrx } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { ImportJobState, Rejection } from './import.types.js';
import { findImportJob, insertImportJob, listImportJobs, markInterruptedImportJobs, saveImportJob } from './import.repository.js';
import { type RosterColumn, type RosterField, RosterFileError, locateHeader, readRosterFile } from './roster.parse.js';
import { type RowValidation, validateRosterRow } from './roster.validate.js';

export interface Importer {
  /** The member running the import, or `undefined` for the command line run by the operator. */
  readonly subject: SubjectSnapshot | undefined;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

type AcceptedRow = Extract<RowValidation, { ok: true }> & { departmentId: string | null; assigneeIds: string[] };

const VALIDATION_BATCH = 250;

/** Import reports name other departments' clients, so only firm-wide importers see every job. */
function seesAllImports(viewer: SubjectSnapshot): boolean {
  return viewer.roles.some((key) => ROLES[key].permissions.includes('client:import') && ROLES[key].scope === 'all');
}

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

  readonly #logger: Logger | undefined;

  constructor({ db, audit, crypto, logger }: { db: Db; audit: AuditLog; crypto: FieldCrypto; logger?: Logger }) {
    this.#db = db;
    this.#audit = audit;
    this.#crypto = crypto;
    this.#logger = logger;
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

  /** Finds a job the viewer may see: their own, or any job for a firm-wide importer. */
  async find(jobId: string, viewer: SubjectSnapshot): Promise<ImportJobState | undefined> {
    const job = this.#running.get(jobId) ?? (await findImportJob(this.#db, jobId));
    return job && (seesAllImports(viewer) || job.createdBy === viewer.userId) ? job : undefined;
  }

  async list(viewer: SubjectSnapshot): Promise<ImportJobState[]> {
    const stored = await listImportJobs(this.#db, 20, seesAllImports(viewer) ? undefined : viewer.userId);
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
      // No variable of this method refers to the raw rows or their validations, so they become
      // garbage before the clients are encrypted and written, and a large roster peaks lower.
      const accepted = await this.#resolveRows(await this.#readAndValidate(job, content, report), job.rejections, importer.subject);
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
          details: { fileName: job.fileName, rows: job.total, created, duplicates: job.duplicates, rejected: job.rejected },
        });
        // The outcome commits with the clients: a process killed right after the commit would
        // otherwise leave the job to be marked interrupted at the next start, its clients stored.
        await saveImportJob(trx, { ...job, status: 'done', phase: 'done', processed: job.total, finishedAt: new Date().toISOString() });
      });

      job.status = 'done';
      job.phase = 'done';
      job.processed = job.total;
    } catch (error) {
      job.status = 'failed';
      job.errorCode = error instanceof RosterFileError ? error.code : error instanceof AppError ? error.code : 'import_failed';
      job.created = 0;
      if (job.errorCode === 'import_failed') {
        this.#logger?.error({ err: error, jobId: job.id }, 'roster import failed');
      } else {
        this.#logger?.warn({ jobId: job.id, code: job.errorCode }, 'roster import rejected');
      }
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

  /** Reads the file and checks each row's cells, reporting progress every batch. */
  async #readAndValidate(job: ImportJobState, content: Uint8Array, report: () => void): Promise<{ validations: RowValidation[]; columns: readonly RosterColumn[] }> {
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
    return { validations, columns: header.columns };
  }

  /**
   * Checks what the cells cannot show alone: repeats within the file, departments and staff
   * that exist, and the importer's reach. A manager imports only into the departments they
   * manage and assigns only staff of those departments who work on assigned clients, so an
   * import cannot hand a client to someone the manager could not otherwise give it to.
   */
  async #resolveRows({ validations, columns }: { validations: RowValidation[]; columns: readonly RosterColumn[] }, rejections: Rejection[], subject: SubjectSnapshot | undefined): Promise<AcceptedRow[]> {
    const columnOf = (field: RosterField) => columns.find((column) => column.field === field)?.header ?? '';
    const departments = await this.#db.selectFrom('departments').select(['id', 'name']).execute();
    const departmentByName = new Map(departments.map((department) => [department.name.normalize('NFKC').trim(), department.id]));
    const staff = await this.#loadAssignableStaff();

    const importScopeAll = !subject || subject.roles.some((key) => ROLES[key].permissions.includes('client:import') && ROLES[key].scope === 'all');
    const withinReach = (departmentId: string | null) => importScopeAll || (departmentId !== null && subject!.departmentTreeIds.has(departmentId));
    const seenUsccs = new Set<string>();
    const accepted: AcceptedRow[] = [];

    for (const validation of validations) {
      if (!validation.ok) {
        for (const error of validation.errors) rejections.push({ row: validation.rowNumber, column: error.column, field: error.field, code: error.code });
        continue;
      }
      const row = validation.rowNumber;
      const rowRejections: Rejection[] = [];
      if (seenUsccs.has(validation.client.uscc)) {
        rowRejections.push({ row, column: columnOf('uscc'), field: 'uscc', code: 'duplicate_in_file' });
      }
      seenUsccs.add(validation.client.uscc);

      let departmentId: string | null = subject?.departmentId ?? null;
      if (validation.department) {
        departmentId = departmentByName.get(validation.department.normalize('NFKC').trim()) ?? null;
        if (!departmentId) rowRejections.push({ row, column: columnOf('department'), field: 'department', code: 'department_unknown' });
      }
      if ((departmentId || !validation.department) && !withinReach(departmentId)) {
        rowRejections.push({ row, column: columnOf('department'), field: 'department', code: 'department_out_of_scope' });
      }

      const assigneeIds: string[] = [];
      for (const assignee of validation.assignees) {
        const name = assignee.normalize('NFKC').trim();
        const member = staff.byName.get(name.toLowerCase()) ?? staff.byName.get(name);
        if (!member) {
          rowRejections.push({ row, column: columnOf('assignee'), field: 'assignee', code: 'assignee_unknown' });
        } else if (!member.worksOnAssignedClients || !withinReach(member.departmentId)) {
          rowRejections.push({ row, column: columnOf('assignee'), field: 'assignee', code: 'assignee_not_eligible' });
        } else {
          assigneeIds.push(member.id);
        }
      }

      if (rowRejections.length > 0) {
        rejections.push(...rowRejections);
        continue;
      }
      accepted.push({ ...validation, departmentId, assigneeIds });
    }
    return accepted;
  }

  /** Active staff by username key and by display name (a name two members share maps to none). */
  async #loadAssignableStaff() {
    const members = await this.#db.selectFrom('users').select(['id', 'username_key', 'display_name', 'department_id']).where('status', '=', 'active').where('client_id', 'is', null).execute();
    const roles = await this.#db.selectFrom('user_roles').select(['user_id', 'role_key']).execute();
    const rolesByUser = new Map<string, string[]>();
    for (const role of roles) rolesByUser.set(role.user_id, [...(rolesByUser.get(role.user_id) ?? []), role.role_key]);

    type Member = { id: string; departmentId: string | null; worksOnAssignedClients: boolean };
    const byName = new Map<string, Member | undefined>();
    for (const member of members) {
      // Only roles scoped to assigned clients take assignments; an administrator or customer
      // service named in the column would otherwise gain a client through the roster.
      const worksOnAssignedClients = (rolesByUser.get(member.id) ?? []).some((key) => isRoleKey(key) && ROLES[key].scope === 'assigned' && ROLES[key].permissions.includes('client:read'));
      const entry = { id: member.id, departmentId: member.department_id, worksOnAssignedClients };
      byName.set(member.username_key, entry);
      const displayKey = member.display_name.normalize('NFKC').trim();
      byName.set(displayKey, byName.has(displayKey) ? undefined : entry);
    }
    return { byName };
  }

  /** Encrypts and inserts the clients in batches; returns how many it wrote. */
  async #writeClients(trx: DbOrTrx, rows: AcceptedRow[], onBatch: () => void, job: ImportJobState): Promise<number> {
    const now = new Date().toISOString();
    let written = 0;
    for (let start = 0; start < rows.length; start += 200) {
      const batch = rows.slice(start, start + 200);
      const clientRows: ClientRow[] = [];
      for (const row of batch) {
        const id = randomUUID();
        // A new client has no data key, so creating version 1 here spares the lookup that
        // the first encryption would otherwise make for every client of the roster.
        await this.#crypto.addDataKeyVersion(trx, id, 1);
        clientRows.push(await buildClientRow({ db: trx, crypto: this.#crypto, id, input: row.client, departmentId: row.departmentId, now }));
      }
      await insertClientRows(trx, clientRows);
      await insertAssignments(trx, clientRows.flatMap((clientRow, index) => batch[index]!.assigneeIds.map((userId) => ({ clientId: clientRow.id, userId }))));
      // Rows already written are not kept, because their ciphertexts would otherwise stay in memory until the commit.
      written += clientRows.length;
      job.created = written;
      onBatch();
    }
    return written;
  }
}
