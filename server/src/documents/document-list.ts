import { type SubjectSnapshot, decide } from '../access/index.js';
import type { ClientRow } from '../clients/client.repository.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/index.js';
import { DOCUMENT_CATEGORIES, type DocumentCategory, VISIBILITY_CATEGORY } from './document-category.js';
import { findDisplayNames, listClientDocuments } from './document.repository.js';

export const DOCUMENT_SORTS = ['uploadedAt', '-uploadedAt', 'category', '-category', 'fileName', '-fileName'] as const;

export interface DocumentListQuery {
  page: number;
  pageSize: number;
  sort: (typeof DOCUMENT_SORTS)[number];
}

/**
 * Upper bound on the documents listed for one client. Names are encrypted, so sorting by name
 * happens after decryption, in memory.
 */
const MAX_LISTED = 5000;

/**
 * Lists a client's documents the caller may see: only categories whose field category is
 * visible to the caller (ID card scans need sensitive data, statements financial data).
 */
export async function listDocuments({ db, crypto, subject, client, query }: { db: Db; crypto: FieldCrypto; subject: SubjectSnapshot; client: ClientRow; query: DocumentListQuery }) {
  const decision = decide(subject, 'client:read', { type: 'client', id: client.id, departmentId: client.department_id });
  const visibility = decision.obligations.visibility;
  const visibleCategories = DOCUMENT_CATEGORIES.filter((category) => visibility && visibility[VISIBILITY_CATEGORY[category]] !== 'none');
  const rows = await listClientDocuments(db, client.id, visibleCategories, MAX_LISTED);

  const uploaders = await findDisplayNames(db, rows.map((row) => row.uploaded_by));
  const items = await Promise.all(
    rows.map(async (row) => ({
      id: row.id,
      category: row.category,
      fileName: await crypto.decrypt(db, { table: 'documents', column: 'file_name', rowId: row.id }, row.file_name_enc),
      fileType: row.file_type,
      sizeBytes: row.size_bytes,
      uploadedAt: row.uploaded_at,
      uploadedBy: uploaders.get(row.uploaded_by) ?? null,
      watermarked: row.file_type === 'pdf' || row.file_type === 'jpeg' || row.file_type === 'png',
      canOpen: decide(subject, 'client:reveal', { type: 'client', id: client.id, departmentId: client.department_id, category: VISIBILITY_CATEGORY[row.category as DocumentCategory] ?? 'sensitive' }).allow,
    })),
  );

  const descending = query.sort.startsWith('-');
  const key = (descending ? query.sort.slice(1) : query.sort) as 'uploadedAt' | 'category' | 'fileName';
  items.sort((a, b) => {
    const order = key === 'category' ? DOCUMENT_CATEGORIES.indexOf(a.category as never) - DOCUMENT_CATEGORIES.indexOf(b.category as never) : a[key].localeCompare(b[key], 'zh-CN');
    return (descending ? -order : order) || b.uploadedAt.localeCompare(a.uploadedAt);
  });

  const start = (query.page - 1) * query.pageSize;
  return {
    items: items.slice(start, start + query.pageSize),
    total: items.length,
    page: query.page,
    pageSize: query.pageSize,
    categories: visibleCategories,
    abilities: { upload: client.status === 'active' && decide(subject, 'document:upload', { type: 'client', id: client.id, departmentId: client.department_id }).allow },
  };
}
