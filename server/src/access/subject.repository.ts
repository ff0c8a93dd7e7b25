import type { DbOrTrx } from '../db/index.js';
import { isRoleKey } from './roles.js';
import type { FieldCategory } from '../clients/field-catalog.js';
import type { ActiveGrant } from './grant.js';
import type { Permission } from './roles.js';
import type { SubjectSnapshot } from './subject.js';

function toActiveGrant(row: { id: string; client_id: string | null; department_id: string | null; categories: string; actions: string; starts_at: string; ends_at: string; kind: 'temporary' | 'break_glass' }): ActiveGrant {
  return Object.freeze({
    id: row.id,
    clientId: row.client_id,
    departmentId: row.department_id,
    categories: new Set(JSON.parse(row.categories) as FieldCategory[]),
    actions: new Set(JSON.parse(row.actions) as Permission[]),
    startsAt: Date.parse(row.starts_at),
    endsAt: Date.parse(row.ends_at),
    kind: row.kind,
  });
}

/**
 * Compiles a subject's snapshot from the database. It runs on every request, so a change of
 * roles, department or assignments applies to the very next request.
 */
export async function loadSubjectSnapshot(db: DbOrTrx, userId: string): Promise<SubjectSnapshot | undefined> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'username', 'department_id', 'client_id', 'status'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user || user.status !== 'active') {
    return undefined;
  }

  const now = new Date().toISOString();
  const [roleRows, assignmentRows, departments, grantRows] = await Promise.all([
    db.selectFrom('user_roles').select('role_key').where('user_id', '=', userId).execute(),
    db.selectFrom('client_assignments').select('client_id').where('user_id', '=', userId).execute(),
    user.department_id ? db.selectFrom('departments').select(['id', 'parent_id']).execute() : Promise.resolve([]),
    db
      .selectFrom('access_grants')
      .select(['id', 'client_id', 'department_id', 'categories', 'actions', 'starts_at', 'ends_at', 'kind'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('ends_at', '>', now)
      .execute(),
  ]);

  return Object.freeze({
    userId: user.id,
    username: user.username,
    roles: Object.freeze(roleRows.map((row) => row.role_key).filter(isRoleKey)),
    departmentId: user.department_id,
    departmentTreeIds: departmentSubtree(departments, user.department_id),
    assignedClientIds: new Set(assignmentRows.map((row) => row.client_id)),
    ownClientId: user.client_id,
    grants: Object.freeze(grantRows.map(toActiveGrant)),
  });
}

function departmentSubtree(departments: { id: string; parent_id: string | null }[], rootId: string | null): Set<string> {
  const tree = new Set<string>();
  if (!rootId) {
    return tree;
  }
  const children = new Map<string, string[]>();
  for (const department of departments) {
    if (department.parent_id) {
      children.set(department.parent_id, [...(children.get(department.parent_id) ?? []), department.id]);
    }
  }
  const pending = [rootId];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (tree.has(id)) continue;
    tree.add(id);
    pending.push(...(children.get(id) ?? []));
  }
  return tree;
}
