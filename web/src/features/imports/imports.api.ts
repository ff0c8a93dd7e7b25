import { request, type ImportJob, type ImportJobSummary } from '../../api/index.js';

export const ACCEPTED_EXTENSIONS = ['.xlsx', '.csv'] as const;

export function uploadRoster(file: File): Promise<{ jobId: string }> {
  const form = new FormData();
  form.append('file', file, file.name);
  return request('POST', '/api/imports', { form });
}

export function fetchImportJob(jobId: string): Promise<ImportJob> {
  return request('GET', `/api/imports/${encodeURIComponent(jobId)}`);
}

export function fetchImportJobs(): Promise<{ items: ImportJobSummary[] }> {
  return request('GET', '/api/imports');
}

/** Returns the report's URL for a plain link, so the browser downloads it with the session cookie. */
export function rejectionReportUrl(jobId: string): string {
  return `/api/imports/${encodeURIComponent(jobId)}/report.xlsx`;
}

export function isFinished(job: Pick<ImportJobSummary, 'status'>): boolean {
  return job.status === 'done' || job.status === 'failed';
}
