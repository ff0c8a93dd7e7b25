import { request, type ClientDetail, type ClientFilters, type ClientSummary, type Page } from '../../api/index.js';

export const CLIENT_SORTS = ['name', '-name', 'serviceStart', '-serviceStart', 'createdAt', '-createdAt'] as const;
export type ClientSort = (typeof CLIENT_SORTS)[number];

/** Statuses the client list can filter by. The server never lists destroyed clients. */
export const CLIENT_LIST_STATUSES = ['active', 'archived'] as const;
export type ClientListStatus = (typeof CLIENT_LIST_STATUSES)[number];

export interface ClientListQuery {
  q: string;
  page: number;
  pageSize: number;
  sort: ClientSort | undefined;
  departmentId: string | undefined;
  assigneeId: string | undefined;
  status: ClientListStatus;
}

export function fetchClients(query: ClientListQuery): Promise<Page<ClientSummary>> {
  return request('GET', '/api/clients', { query: { ...query } });
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
