import { type Expression, type SqlBool, sql } from 'kysely';
import { type RoleDefinition, type SubjectSnapshot, clientScopeCondition } from '../access/index.js';
import type { FieldCategory } from './field-catalog.js';
import type { ClientTable, DbOrTrx } from '../db/index.js';

export type ClientRow = ClientTable;

export interface ClientSearch {
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
  sort: { column: 'name' | 'service_start' | 'created_at'; direction: 'asc' | 'desc' };
  offset: number;
  limit: number;
}

/** Escapes LIKE wildcards so user input matches literally (`!` is the declared escape character). */
function likePattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (character) => `!${character}`)}%`;
}

/** Lists the clients in the subject's scope that match the search; the scope is part of the SQL. */
export async function listClientsInScope(db: DbOrTrx, subject: SubjectSnapshot, search: ClientSearch): Promise<{ rows: ClientRow[]; total: number }> {
  let query = db.selectFrom('clients').where((eb) => clientScopeCondition(eb, subject, 'client:list')).where('clients.status', '=', search.status ?? 'active');

  if (search.nameContains) {
    query = query.where(sql<boolean>`clients.name_key like ${likePattern(search.nameContains)} escape '!'`);
  }
  const exact = search.exact;
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
  if (search.departmentId) {
    query = query.where('clients.department_id', '=', search.departmentId);
  }
  if (search.assigneeId) {
    const assigneeId = search.assigneeId;
    query = query.where('clients.id', 'in', (eb) => eb.selectFrom('client_assignments').select('client_id').where('user_id', '=', assigneeId));
  }

  const [rows, count] = await Promise.all([
    query
      .selectAll('clients')
      // Clients without the sorted value come last in either direction.
      .orderBy(sql`case when ${sql.ref(`clients.${search.sort.column}`)} is null then 1 else 0 end`)
      .orderBy(`clients.${search.sort.column}`, search.sort.direction)
      .orderBy('clients.id', search.sort.direction)
      .offset(search.offset)
      .limit(search.limit)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

/** Finds an active or archived client; a destroyed client's tombstone counts as missing. */
export async function findClientRow(db: DbOrTrx, id: string): Promise<ClientRow | undefined> {
  return db.selectFrom('clients').selectAll().where('id', '=', id).where('status', 'in', ['active', 'archived']).executeTakeFirst();
}

export async function findClientPeople(db: DbOrTrx, clientId: string) {
  return db.selectFrom('client_people').selectAll().where('client_id', '=', clientId).orderBy('created_at').execute();
}

export async function findAssignees(db: DbOrTrx, clientIds: readonly string[]): Promise<Map<string, { id: string; displayName: string }[]>> {
  const byClient = new Map<string, { id: string; displayName: string }[]>();
  if (clientIds.length === 0) {
    return byClient;
  }
  const rows = await db
    .selectFrom('client_assignments')
    .innerJoin('users', 'users.id', 'client_assignments.user_id')
    .select(['client_assignments.client_id', 'users.id', 'users.display_name'])
    .where('client_assignments.client_id', 'in', [...clientIds])
    .orderBy('users.display_name')
    .execute();
  for (const row of rows) {
    byClient.set(row.client_id, [...(byClient.get(row.client_id) ?? []), { id: row.id, displayName: row.display_name }]);
  }
  return byClient;
}

export async function findDepartmentNames(db: DbOrTrx): Promise<Map<string, string>> {
  const rows = await db.selectFrom('departments').select(['id', 'name']).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** The departments and assignees of the clients in scope, for the list's filter options. */
export async function findFilterOptions(db: DbOrTrx, subject: SubjectSnapshot) {
  const departments = await db
    .selectFrom('departments')
    .select(['departments.id', 'departments.name'])
    .where('departments.id', 'in', (eb) => eb.selectFrom('clients').select('clients.department_id').where((inner) => clientScopeCondition(inner, subject, 'client:list')).where('clients.department_id', 'is not', null).$narrowType<{ department_id: string }>())
    .orderBy('departments.name')
    .execute();
  const assignees = await db
    .selectFrom('users')
    .select(['users.id', 'users.display_name'])
    .where('users.id', 'in', (eb) =>
      eb
        .selectFrom('client_assignments')
        .innerJoin('clients', 'clients.id', 'client_assignments.client_id')
        .select('client_assignments.user_id')
        .where((inner) => clientScopeCondition(inner, subject, 'client:list')),
    )
    .orderBy('users.display_name')
    .execute();
  return { departments, assignees: assignees.map((row) => ({ id: row.id, displayName: row.display_name })) };
}

export async function findExistingUsccs(db: DbOrTrx, usccs: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  // Chunks keep the parameter count below SQLite's limit.
  for (let start = 0; start < usccs.length; start += 500) {
    const chunk = usccs.slice(start, start + 500);
    const rows = await db.selectFrom('clients').select('uscc').where('uscc', 'in', chunk).execute();
    for (const row of rows) found.add(row.uscc);
  }
  return found;
}

export async function insertClientRows(db: DbOrTrx, rows: readonly ClientRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 25) {
    await db.insertInto('clients').values(rows.slice(start, start + 25)).execute();
  }
}

export async function insertAssignments(db: DbOrTrx, assignments: readonly { clientId: string; userId: string }[]): Promise<void> {
  const now = new Date().toISOString();
  for (let start = 0; start < assignments.length; start += 200) {
    await db
      .insertInto('client_assignments')
      .values(assignments.slice(start, start + 200).map((assignment) => ({ client_id: assignment.clientId, user_id: assignment.userId, created_at: now })))
      .onConflict((conflict) => conflict.columns(['client_id', 'user_id']).doNothing())
      .execute();
  }
}
