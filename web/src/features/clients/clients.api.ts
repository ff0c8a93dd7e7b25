import { request, type ClientDetail, type ClientFilters, type ClientSummary } from '../../api/index.js';

export const CLIENT_SORTS = ['name', '-name', 'serviceStart', '-serviceStart', 'createdAt', '-createdAt'] as const;
export type ClientSort = (typeof CLIENT_SORTS)[number];

/** Statuses the client list can filter by. The server never lists destroyed clients. */
export const CLIENT_LIST_STATUSES = ['active', 'archived'] as const;
export type ClientListStatus = (typeof CLIENT_LIST_STATUSES)[number];

export interface ClientListQuery {
  q: string;
  pageSize: number;
  sort: ClientSort | undefined;
  /** A `nextCursor` or `previousCursor` of an earlier page with the same sort. */
  cursor: string | undefined;
  /** Without a cursor: the first page, or the last one read from the end of the list. */
  page: 'first' | 'last';
  departmentId: string | undefined;
  assigneeId: string | undefined;
  status: ClientListStatus;
}

/**
 * One page of the client list. The server pages by keyset, so a page is reached by the cursor of
 * its neighbour, not by number. `total` is null when it was not counted: by default the server
 * counts only on pages without a cursor.
 */
export interface ClientPage {
  items: ClientSummary[];
  pageSize: number;
  total: number | null;
  nextCursor: string | null;
  previousCursor: string | null;
}

/** `withTotal: true` requests the count on a cursor page, and `false` skips it on the first page. */
export function fetchClients(query: ClientListQuery, { withTotal }: { withTotal?: boolean } = {}): Promise<ClientPage> {
  const { page, ...rest } = query;
  return request('GET', '/api/clients', {
    query: { ...rest, page: page === 'last' ? 'last' : undefined, withTotal: withTotal === undefined ? undefined : String(withTotal) },
  });
}

export function fetchClientFilters(): Promise<ClientFilters> {
  return request('GET', '/api/clients/filters');
}

export function fetchClient(clientId: string): Promise<ClientDetail> {
  return request('GET', `/api/clients/${encodeURIComponent(clientId)}`);
}

/**
 * Asks the server for one plain value. `field` is a client field key or, for a person,
 * `people.<personId>.<field>`. The server audits the reveal together with the reason.
 */
export function revealField(clientId: string, input: { field: string; reason: string }): Promise<{ field: string; value: string }> {
  return request('POST', `/api/clients/${encodeURIComponent(clientId)}/reveal`, { json: input });
}

/**
 * Archives a client that ended its engagement (终止委托). The server audits it with the reason and
 * rejects a reason shorter than 4 characters (`reason_required`) or a client that is not active.
 */
export function archiveClient(clientId: string, input: { reason: string }): Promise<{ id: string; status: 'archived'; archivedAt: string }> {
  return request('POST', `/api/clients/${encodeURIComponent(clientId)}/archive`, { json: input });
}
