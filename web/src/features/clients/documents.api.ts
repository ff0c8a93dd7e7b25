import { request } from '../../api/index.js';
import { toApiError } from '../../api/api-error.js';
import type { ApiError } from '../../api/index.js';

export const DOCUMENT_CATEGORIES = ['business_licence', 'id_card', 'financial_statement', 'bank_statement', 'contract', 'other'] as const;
export type DocumentCategory = (typeof DOCUMENT_CATEGORIES)[number];
export const DOCUMENT_SORTS = ['uploadedAt', '-uploadedAt', 'category', '-category', 'fileName', '-fileName'] as const;
export type DocumentSort = (typeof DOCUMENT_SORTS)[number];

export interface ClientDocument {
  id: string;
  category: DocumentCategory;
  fileName: string;
  fileType: 'pdf' | 'jpeg' | 'png' | 'ofd' | 'xlsx' | 'docx';
  sizeBytes: number;
  uploadedAt: string;
  uploadedBy: string | null;
  /** True for PDFs and images, which the server stamps with the member's name on the way out. */
  watermarked: boolean;
  canOpen: boolean;
}

export interface DocumentPage {
  items: ClientDocument[];
  total: number;
  page: number;
  pageSize: number;
  categories: DocumentCategory[];
  abilities: { upload: boolean };
  /** Largest accepted upload (DOCUMENT_MAX_MB). */
  maxMb: number;
}

export function fetchDocuments(clientId: string, query: { page: number; pageSize: number; sort: DocumentSort }): Promise<DocumentPage> {
  return request('GET', `/api/clients/${encodeURIComponent(clientId)}/documents`, { query: { ...query } });
}

async function csrfToken(): Promise<string> {
  const response = await fetch('/api/auth/csrf', { credentials: 'same-origin' });
  return ((await response.json()) as { token: string }).token;
}

/**
 * Uploads one file with XMLHttpRequest, because fetch reports no upload progress. The category
 * goes first, so the server knows it before the file's bytes arrive.
 */
export async function uploadDocument({ clientId, category, file, locale, onProgress }: { clientId: string; category: DocumentCategory; file: File; locale: string; onProgress: (percent: number) => void }): Promise<ClientDocument> {
  const form = new FormData();
  form.append('category', category);
  form.append('file', file, file.name);
  const token = await csrfToken();

  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/clients/${encodeURIComponent(clientId)}/documents`);
    xhr.setRequestHeader('x-csrf-token', token);
    xhr.setRequestHeader('accept-language', locale);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    xhr.onerror = () => reject(new Error('network_error'));
    xhr.onload = () => {
      const response = new Response(xhr.responseText, { status: xhr.status, headers: { 'content-type': 'application/json' } });
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(JSON.parse(xhr.responseText) as ClientDocument);
      } else {
        toApiError(response).then(reject, reject);
      }
    };
    xhr.send(form);
  });
}

/** Fetches a download or preview as a blob; the server checks the reason, step-up and scope. */
export async function fetchDocumentBlob({ clientId, documentId, reason, delivery, locale }: { clientId: string; documentId: string; reason: string; delivery: 'download' | 'preview'; locale: string }): Promise<{ blob: Blob; watermarked: boolean }> {
  const response = await fetch(`/api/clients/${encodeURIComponent(clientId)}/documents/${encodeURIComponent(documentId)}/${delivery}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': await csrfToken(), 'accept-language': locale },
    body: JSON.stringify({ reason }),
  });
  if (!response.ok) throw (await toApiError(response)) as ApiError;
  return { blob: await response.blob(), watermarked: response.headers.get('x-document-watermarked') === '1' };
}
