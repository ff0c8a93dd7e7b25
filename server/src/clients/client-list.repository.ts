import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import { type RoleDefinition, type SubjectSnapshot, clientScopeCondition } from '../access/index.js';
import type { DatabaseSchema, DbOrTrx } from '../db/index.js';
import type { ClientRow } from './client.repository.js';
import type { FieldCategory } from './field-catalog.js';

export type ClientSortColumn = 'name' | 'service_start' | 'created_at';
export type SortDirection = 'asc' | 'desc';

/** Sort columns that may be empty. Their empty rows come last in either direction. */
const NULLABLE_SORT_COLUMNS: ReadonlySet<ClientSortColumn> = new Set(['service_start']);

export function isNullableSortColumn(column: ClientSortColumn): boolean {
  return NULLABLE_SORT_COLUMNS.has(column);
}

/** A row's place in the sort order: its sort value and, to break ties, its id. */
export interface SortKeyValue {
  readonly value: string | null;
  readonly id: string;
}

/** The start of a page: either end of the list, or right after or before a row's sort key. */
export type ListPosition = { readonly at: 'first' | 'last' } | { readonly at: 'after' | 'before'; readonly key: SortKeyValue };

export interface ClientFilters {
  /** Substring of the name, matched case-insensitively. */
  nameContains?: string | undefined;
  /** Exact-match alternatives; a row matches when any one holds. */
  exact?: {
    uscc?: string | undefined;
    /** Blind index values, one per active index key version; a row matches any of them. */
    idNumberIndexes?: string[] | undefined;
    phoneIndexes?: string[] | undefined;
    bankAccountIndexes?: string[] | undefined;
  } | undefined;
  departmentId?: string | undefined;
  assigneeId?: string | undefined;
  /** Clients that left are listed only when asked for; `active` when not given. */
  status?: 'active' | 'archived' | undefined;
}

export interface ClientPageRequest extends ClientFilters {
  sort: { column: ClientSortColumn; direction: SortDirection };
  position: ListPosition;
  limit: number;
}

export interface ClientPage {
  /** Rows in the requested sort order. */
  rows: ClientRow[];
  hasPrevious: boolean;
  hasNext: boolean;
}

type ClientQuery = SelectQueryBuilder<DatabaseSchema, 'clients', object>;

/** Escapes LIKE wildcards so user input matches literally (`!` is the declared escape character). */
function likePattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (character) => `!${character}`)}%`;
}

/** Builds the query of the clients in the subject's scope that match the filters. The scope is part of the SQL. */
function clientsInScope(db: DbOrTrx, subject: SubjectSnapshot, filters: ClientFilters): ClientQuery {
  let query: ClientQuery = db.selectFrom('clients').where((eb) => clientScopeCondition(eb, subject, 'client:list')).where('clients.status', '=', filters.status ?? 'active');

  if (filters.nameContains) {
    query = query.where(sql<boolean>`clients.name_key like ${likePattern(filters.nameContains)} escape '!'`);
  }
  const exact = filters.exact;
  if (exact) {
    // An identifier only matches rows where the caller sees that field's category in plain.
    // Otherwise the search box would confirm guesses of values the caller may not see: with
    // the check digit, a masked ID number falls to a few hundred searches.
    const seesPlain = (category: FieldCategory) => (role: RoleDefinition) => role.visibility[category] === 'plain';
    query = query.where((eb) => {
      const alternatives: Expression<SqlBool>[] = [];
      const add = (condition: Expression<SqlBool>, category: FieldCategory) =>
        alternatives.push(eb.and([condition, clientScopeCondition(eb, subject, 'client:list', seesPlain(category), (grant) => grant.categories.has(category))]));
      if (exact.uscc) add(eb('clients.uscc', '=', exact.uscc), 'basic');
      if (exact.idNumberIndexes?.length) add(eb('clients.legal_rep_id_number_bidx', 'in', exact.idNumberIndexes), 'sensitive');
      if (exact.phoneIndexes?.length) add(eb('clients.contact_phone_bidx', 'in', exact.phoneIndexes), 'basic');
      if (exact.bankAccountIndexes?.length) add(eb('clients.bank_account_bidx', 'in', exact.bankAccountIndexes), 'financial');
      return alternatives.length > 0 ? eb.or(alternatives) : sql<SqlBool>`1 = 0`;
    });
  }
  if (filters.departmentId) {
    query = query.where('clients.department_id', '=', filters.departmentId);
  }
  if (filters.assigneeId) {
    const assigneeId = filters.assigneeId;
    query = query.where('clients.id', 'in', (eb) => eb.selectFrom('client_assignments').select('client_id').where('user_id', '=', assigneeId));
  }
  return query;
}

/**
 * Reads one page of the clients in the subject's scope by keyset: the page continues from a
 * row's (sort value, id) instead of skipping rows with OFFSET, so a deep page costs what the
 * first one does. Rows without a sort value come after all others in either direction.
 *
 * The statement first picks the ids of the page from the indexes (sort key, department, assigned
 * ids) and only then reads those rows. Sorting a department's whole client rows to find 50 of them is
 * what made deep OFFSET pages slow.
 */
export async function listClientPage(db: DbOrTrx, subject: SubjectSnapshot, request: ClientPageRequest): Promise<ClientPage> {
  const { column, direction: sortDirection } = request.sort;
  const position = request.position;
  const forward = position.at === 'first' || position.at === 'after';
  // Pages before a cursor, and the last page, are read backwards and turned round afterwards.
  let direction: SortDirection = sortDirection;
  if (!forward) direction = sortDirection === 'asc' ? 'desc' : 'asc';
  const fetch = request.limit + 1;
  const scoped = clientsInScope(db, subject, request);
  const sortRef = `clients.${column}` as const;
  const beyond = direction === 'asc' ? '>' : '<';

  // Rows with a value, in (value, id) order, optionally beyond a key. `part_rank`, a number from
  // this code, orders the parts.
  const withValues = (partRank: number, key?: { value: string; id: string }) => {
    let query = scoped.select(['clients.id', `${sortRef} as sort_value`, sql<number>`${sql.lit(partRank)}`.as('part_rank')]).where(sortRef, 'is not', null);
    if (key) {
      query = query.where((eb) => eb(eb.refTuple(sortRef, 'clients.id'), beyond, eb.tuple(key.value, key.id)));
    }
    return query.orderBy(sortRef, direction).orderBy('clients.id', direction).limit(fetch);
  };
  // Rows without a value, in id order, optionally beyond an id.
  const withoutValues = (partRank: number, id?: string) => {
    let query = scoped.select(['clients.id', `${sortRef} as sort_value`, sql<number>`${sql.lit(partRank)}`.as('part_rank')]).where(sortRef, 'is', null);
    if (id !== undefined) {
      query = query.where('clients.id', beyond, id);
    }
    return query.orderBy('clients.id', direction).limit(fetch);
  };

  // The sort order is the rows with values, then the rows without. Each part that the page can
  // reach from its position is read up to `fetch` rows, from its own index range.
  const nullable = isNullableSortColumn(column);
  const parts: ReturnType<typeof withValues>[] = [];
  if (!('key' in position)) {
    // Read backwards, the rows without a value come first.
    parts.push(withValues(forward ? 0 : 1));
    if (nullable) parts.push(withoutValues(forward ? 1 : 0));
  } else if (position.key.value === null) {
    parts.push(withoutValues(0, position.key.id));
    if (position.at === 'before') parts.push(withValues(1));
  } else {
    parts.push(withValues(0, { value: position.key.value, id: position.key.id }));
    if (position.at === 'after' && nullable) parts.push(withoutValues(1));
  }

  // SQLite accepts ORDER BY and LIMIT in a compound member only inside a subquery. The compound
  // keeps the first `fetch` keys in scan order, so only the rows of the page are read in full.
  const [firstPart, ...otherParts] = parts.map((part, index) => db.selectFrom(part.as(`part${index}`)).select([`part${index}.id`, `part${index}.sort_value`, `part${index}.part_rank`]));
  const pageKeys = otherParts
    .reduce((union, part) => union.unionAll(part), firstPart!)
    .orderBy('part_rank')
    .orderBy('sort_value', direction)
    .orderBy('id', direction)
    .limit(fetch);
  const fetched = await db
    .selectFrom('clients')
    .selectAll('clients')
    .where('clients.id', 'in', db.selectFrom(pageKeys.as('page_keys')).select('page_keys.id'))
    .orderBy(sql`case when ${sql.ref(sortRef)} is null then 1 else 0 end`, forward ? 'asc' : 'desc')
    .orderBy(sortRef, direction)
    .orderBy('clients.id', direction)
    .execute();

  const more = fetched.length > request.limit;
  const rows = fetched.slice(0, request.limit);
  if (!forward) rows.reverse();
  return {
    rows,
    hasPrevious: forward ? position.at === 'after' : more,
    hasNext: forward ? more : position.at === 'before',
  };
}

/**
 * Counts the clients in the subject's scope that match the filters. It reads every matching
 * index entry, so callers ask for it once per search rather than once per page.
 */
export async function countClientsInScope(db: DbOrTrx, subject: SubjectSnapshot, filters: ClientFilters): Promise<number> {
  const row = await clientsInScope(db, subject, filters)
    .select((eb) => eb.fn.countAll<number | string>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}
