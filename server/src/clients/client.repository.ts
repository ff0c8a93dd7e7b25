import { type SubjectSnapshot, clientScopeCondition } from '../access/index.js';
import type { ClientTable, DbOrTrx } from '../db/index.js';

export type ClientRow = ClientTable;

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
