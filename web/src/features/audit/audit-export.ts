import { ApiError, request } from '../../api/index.js';
import { toApiError } from '../../api/api-error.js';
import type { AuditFilter } from './audit.api.js';

export type AuditExportFormat = 'xlsx' | 'csv';

export interface AuditExportResult {
  fileName: string;
  /** Events in the file, as the server counted and recorded them. */
  rowCount: number | null;
}

/**
 * Asks the server for the export and returns the file. The shared API client parses JSON only,
 * so this call does its own fetch with the same headers: the language and a CSRF token.
 * Throws `ApiError`, including `step_up_required`, which `useStepUp()` turns into a prompt.
 */
async function fetchExport(format: AuditExportFormat, filters: AuditFilter, locale: string): Promise<Response> {
  // A fresh token each time: a confirmed step-up may renew the session the token is bound to.
  const { token } = await request<{ token: string }>('GET', '/api/auth/csrf');

  let response: Response;
  try {
    response = await fetch('/api/audit/export', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'accept-language': locale, 'x-csrf-token': token },
      body: JSON.stringify({ format, filters: withoutEmpty(filters) }),
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network_error', message: '' });
  }

  if (!response.ok) throw await toApiError(response);
  return response;
}

/** Downloads the events matching the filters as a file, under the name the server chose. */
export async function downloadAuditExport({ format, filters, locale }: { format: AuditExportFormat; filters: AuditFilter; locale: string }): Promise<AuditExportResult> {
  const response = await fetchExport(format, filters, locale);
  const blob = await response.blob();
  const fileName = fileNameOf(response.headers.get('content-disposition')) ?? `audit-log.${format}`;
  const rowCount = Number(response.headers.get('x-export-row-count'));

  saveBlob(blob, fileName);
  return { fileName, rowCount: Number.isInteger(rowCount) && response.headers.has('x-export-row-count') ? rowCount : null };
}

function withoutEmpty(filters: AuditFilter): Partial<AuditFilter> {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined && value !== ''));
}

/** Reads `filename="…"` from a Content-Disposition header; the server sends ASCII names only. */
function fileNameOf(disposition: string | null): string | null {
  const match = disposition === null ? null : /filename="([^"]+)"/.exec(disposition);
  return match?.[1] ?? null;
}

function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);

  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();

  // Revoked on the next task, after the browser has started reading the blob.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}
