import { CLIENT_LIST_STATUSES, CLIENT_SORTS, type ClientListQuery, type ClientListStatus, type ClientSort } from './clients.api.js';

export const PAGE_SIZES = [10, 20, 50, 100] as const;
const DEFAULT_PAGE_SIZE = 20;

function isClientSort(value: string | null): value is ClientSort {
  return CLIENT_SORTS.includes(value as ClientSort);
}

function isClientListStatus(value: string | null): value is ClientListStatus {
  return CLIENT_LIST_STATUSES.includes(value as ClientListStatus);
}

// The server rejects longer cursors; a link cut or edited by hand falls back to the first page.
const MAX_CURSOR_LENGTH = 2048;

function positiveInteger(value: string | null, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

function nonEmpty(value: string | null): string | undefined {
  return value === null || value === '' ? undefined : value;
}

/** Reads the list's state from the address bar, ignoring values the server would reject. */
export function parseClientListQuery(params: URLSearchParams): ClientListQuery {
  const pageSize = positiveInteger(params.get('pageSize'), DEFAULT_PAGE_SIZE);
  const sort = params.get('sort');
  const status = params.get('status');
  const cursor = nonEmpty(params.get('cursor'));

  return {
    q: params.get('q') ?? '',
    cursor: cursor !== undefined && cursor.length <= MAX_CURSOR_LENGTH ? cursor : undefined,
    page: cursor === undefined && params.get('page') === 'last' ? 'last' : 'first',
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
    sort: isClientSort(sort) ? sort : undefined,
    departmentId: nonEmpty(params.get('departmentId')),
    assigneeId: nonEmpty(params.get('assigneeId')),
    status: isClientListStatus(status) ? status : 'active',
  };
}

/** Writes the list's state to search params, leaving defaults out to keep shared links short. */
export function toClientListSearch(query: ClientListQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.q !== '') params.set('q', query.q);
  // A cursor already names its page, and the server rejects it together with `page`.
  if (query.cursor !== undefined) params.set('cursor', query.cursor);
  else if (query.page === 'last') params.set('page', 'last');
  if (query.pageSize !== DEFAULT_PAGE_SIZE) params.set('pageSize', String(query.pageSize));
  if (query.sort !== undefined) params.set('sort', query.sort);
  if (query.departmentId !== undefined) params.set('departmentId', query.departmentId);
  if (query.assigneeId !== undefined) params.set('assigneeId', query.assigneeId);
  if (query.status !== 'active') params.set('status', query.status);
  return params;
}

export type SortOrder = 'ascend' | 'descend' | null;

/** Translates the server's sort parameter into antd's order for one column. */
export function columnSortOrder(sort: ClientSort | undefined, column: 'name' | 'serviceStart'): SortOrder {
  if (sort === column) return 'ascend';
  if (sort === `-${column}`) return 'descend';
  return null;
}

export function sortFromColumn(column: unknown, order: SortOrder | undefined): ClientSort | undefined {
  if (column !== 'name' && column !== 'serviceStart') return undefined;
  if (order === 'ascend') return column;
  if (order === 'descend') return `-${column}`;
  return undefined;
}
