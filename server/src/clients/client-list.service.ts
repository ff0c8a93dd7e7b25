import { decide, hasPermission } from '../access/index.js';
import type { AuditLog } from '../audit/index.js';
import { type FieldCrypto, deriveServiceKey } from '../crypto/index.js';
import type { Db } from '../db/index.js';
import { ClientListCursors } from './client-list.cursor.js';
import { type ClientSortColumn, type ListPosition, countClientsInScope, isNullableSortColumn, listClientPage } from './client-list.repository.js';
import { findAssignees, findDepartmentNames } from './client.repository.js';
import { NO_VISIBILITY, presentClientFields } from './client.presenter.js';
import type { RequestContext } from './client.service.js';
import { classifySearch } from './search.js';

export const CLIENT_SORTS = ['name', '-name', 'serviceStart', '-serviceStart', 'createdAt', '-createdAt'] as const;
export type ClientSort = (typeof CLIENT_SORTS)[number];

export interface ClientListQuery {
  q?: string | undefined;
  pageSize: number;
  sort: ClientSort;
  /** A `nextCursor` or `previousCursor` from an earlier page of the same sort. */
  cursor?: string | undefined;
  /** Without a cursor: the first page (default) or the last one. */
  page?: 'first' | 'last' | undefined;
  /**
   * Whether to count the matching clients. The count reads every match, so by default only
   * pages without a cursor (first and last) count, and a client keeps that total while paging.
   */
  withTotal?: boolean | undefined;
  departmentId?: string | undefined;
  assigneeId?: string | undefined;
  status?: 'active' | 'archived' | undefined;
}

const SORT_COLUMNS: Readonly<Record<string, ClientSortColumn>> = { name: 'name', serviceStart: 'service_start', createdAt: 'created_at' };
const LIST_FIELDS = new Set(['contactName', 'contactPhone', 'serviceStart', 'legalRepName']);

/** The client list: one page of the clients in the caller's scope, searched, filtered and sorted. */
export class ClientList {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #crypto: FieldCrypto;
  readonly #cursors: ClientListCursors;

  constructor({ db, audit, crypto }: { db: Db; audit: AuditLog; crypto: FieldCrypto }) {
    this.#db = db;
    this.#audit = audit;
    this.#crypto = crypto;
    this.#cursors = new ClientListCursors(deriveServiceKey(crypto.keyring, 'client-list-cursor'));
  }

  async list({ context: request, ...query }: ClientListQuery & { context: RequestContext }) {
    const subject = request.subject;
    const descending = query.sort.startsWith('-');
    const column = SORT_COLUMNS[descending ? query.sort.slice(1) : query.sort]!;
    const sortOfCursor = { userId: subject.userId, sort: query.sort };

    // A cursor that was changed or issued elsewhere is rejected before any query runs.
    let position: ListPosition = { at: query.page ?? 'first' };
    if (query.cursor !== undefined) {
      const opened = this.#cursors.openOrThrow({ cursor: query.cursor, ...sortOfCursor, nullableSort: isNullableSortColumn(column) });
      position = { at: opened.side, key: opened.key };
    }

    const search = await classifySearch(this.#db, query.q, this.#crypto);
    const filters = { nameContains: search.nameContains, exact: search.exact, departmentId: query.departmentId, assigneeId: query.assigneeId, status: query.status ?? 'active' };
    const [page, total, departments] = await Promise.all([
      listClientPage(this.#db, subject, { ...filters, sort: { column, direction: descending ? 'desc' : 'asc' }, position, limit: query.pageSize }),
      (query.withTotal ?? query.cursor === undefined) ? countClientsInScope(this.#db, subject, filters) : null,
      findDepartmentNames(this.#db),
    ]);
    const rows = page.rows;
    const assignees = await findAssignees(this.#db, rows.map((row) => row.id));

    const canReveal = hasPermission(subject, 'client:reveal');
    const items = rows.map((row) => {
      const decision = decide(subject, 'client:list', { type: 'client', id: row.id, departmentId: row.department_id });
      const visibility = decision.obligations.visibility ?? NO_VISIBILITY;
      const fields = presentClientFields(row, visibility, canReveal, request.locale, LIST_FIELDS);
      return {
        id: row.id,
        name: row.name,
        uscc: row.uscc,
        taxpayerType: visibility.basic === 'none' ? null : row.taxpayer_type,
        status: row.status,
        departmentName: row.department_id ? (departments.get(row.department_id) ?? null) : null,
        assignees: assignees.get(row.id) ?? [],
        fields: Object.fromEntries(fields.map((field) => [field.key, field])),
      };
    });

    // Cursors carry the sort value and id of the first and last row shown, nothing else.
    const first = rows[0];
    const last = rows[rows.length - 1];
    const cursorAt = (side: 'after' | 'before', row: (typeof rows)[number]) => this.#cursors.seal({ ...sortOfCursor, side, key: { value: row[column], id: row.id } });
    const nextCursor = page.hasNext && last ? cursorAt('after', last) : null;
    const previousCursor = page.hasPrevious && first ? cursorAt('before', first) : null;

    // The search key itself stays out of the log when it is an identifier: only its kind is kept.
    // An identifier search names the clients it matched, so an auditor sees whose number was looked up.
    const identifierSearch = search.kind === 'identifier';
    await this.#audit.record({
      action: 'client.list',
      outcome: 'success',
      actor: { id: subject.userId, username: subject.username },
      clientId: identifierSearch && items.length === 1 ? items[0]!.id : undefined,
      ip: request.ip,
      userAgent: request.userAgent,
      details: {
        searchKind: search.kind,
        position: position.at,
        pageSize: query.pageSize,
        returned: items.length,
        ...(total !== null ? { total } : {}),
        ...(search.kind === 'name' ? { query: query.q } : {}),
        ...(identifierSearch ? { matchedClientIds: items.slice(0, 20).map((item) => item.id) } : {}),
      },
    });
    return { items, pageSize: query.pageSize, total, nextCursor, previousCursor };
  }
}
