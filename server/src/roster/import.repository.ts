import type { DbOrTrx } from '../db/index.js';
import type { ImportJobState, Rejection } from './import.types.js';

type JobRow = {
  id: string; file_name: string; status: 'running' | 'done' | 'failed'; created_by: string | null; created_at: string; finished_at: string | null;
  total: number; accepted: number; created: number; duplicates: number; rejected: number; error_code: string | null; rejections: string;
};

function toJob(row: JobRow): ImportJobState {
  return {
    id: row.id,
    fileName: row.file_name,
    status: row.status,
    phase: row.status === 'running' ? 'parsing' : 'done',
    createdBy: row.created_by,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    total: Number(row.total),
    processed: Number(row.total),
    accepted: Number(row.accepted),
    created: Number(row.created),
    duplicates: Number(row.duplicates),
    rejected: Number(row.rejected),
    errorCode: row.error_code,
    rejections: JSON.parse(row.rejections) as Rejection[],
  };
}

function toRow(job: ImportJobState): JobRow {
  return {
    id: job.id, file_name: job.fileName, status: job.status, created_by: job.createdBy, created_at: job.createdAt, finished_at: job.finishedAt,
    total: job.total, accepted: job.accepted, created: job.created, duplicates: job.duplicates, rejected: job.rejected, error_code: job.errorCode,
    rejections: JSON.stringify(job.rejections),
  };
}

export async function insertImportJob(db: DbOrTrx, job: ImportJobState): Promise<void> {
  await db.insertInto('import_jobs').values(toRow(job)).execute();
}

export async function saveImportJob(db: DbOrTrx, job: ImportJobState): Promise<void> {
  const { id, ...changes } = toRow(job);
  await db.updateTable('import_jobs').set(changes).where('id', '=', id).execute();
}

export async function findImportJob(db: DbOrTrx, id: string): Promise<ImportJobState | undefined> {
  const row = await db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toJob(row);
}

export async function listImportJobs(db: DbOrTrx, limit: number, createdBy?: string): Promise<ImportJobState[]> {
  let query = db.selectFrom('import_jobs').selectAll();
  if (createdBy) query = query.where('created_by', '=', createdBy);
  const rows = await query.orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map(toJob);
}

export async function markInterruptedImportJobs(db: DbOrTrx, at: string): Promise<void> {
  await db.updateTable('import_jobs').set({ status: 'failed', error_code: 'import_interrupted', finished_at: at }).where('status', '=', 'running').execute();
}
