import { type Expression, type SqlBool, sql } from 'kysely';
import type { FieldCategory } from '../clients/field-catalog.js';
import type { DbOrTrx } from '../db/index.js';
import { type ActiveGrant, isGrantInWindow } from './grant.js';
import { type DataScope, type Permission, ROLE_KEYS, ROLES, type RoleKey } from './roles.js';
import { clientScopeCondition } from './scope.sql.js';
import type { SubjectSnapshot } from './subject.js';

/**
 * The SQL behind the explanations. The reverse lookup is written from the client's side (which
 * members reach this client) instead of evaluating `decide()` for every member, and the
 * property test checks that both paths agree.
 */

export interface ExplainedClient {
  readonly id: string;
  readonly departmentId: string | null;
}

export interface MemberRow {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly status: 'active' | 'disabled';
}

export interface CoveringRoleRow {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly roleKey: string;
}

export interface CoveringGrantRow {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly id: string;
  /** JSON array of the client permissions the grant allows. */
  readonly actions: string;
  readonly kind: 'temporary' | 'break_glass';
  readonly endsAt: string;
}

/** Finds an active client. Archived clients are closed to every member on the client pages too. */
export async function findExplainedClient(db: DbOrTrx, clientId: string): Promise<ExplainedClient | undefined> {
  const row = await db.selectFrom('clients').select(['id', 'department_id']).where('id', '=', clientId).where('status', '=', 'active').executeTakeFirst();
  return row && { id: row.id, departmentId: row.department_id };
}

export async function findMember(db: DbOrTrx, userId: string): Promise<MemberRow | undefined> {
  const row = await db.selectFrom('users').select(['id', 'username', 'display_name', 'status']).where('id', '=', userId).executeTakeFirst();
  return row && { id: row.id, username: row.username, displayName: row.display_name, status: row.status };
}

/**
 * Returns a department and every department above it. A member whose role has the
 * `department_tree` scope reaches the client exactly when the member's department is among them.
 * The visited set stops at a cycle in `parent_id`, as the subtree walk of the snapshot does.
 */
export async function findDepartmentWithAncestors(db: DbOrTrx, departmentId: string): Promise<string[]> {
  const rows = await db.selectFrom('departments').select(['id', 'parent_id']).execute();
  const parentOf = new Map(rows.map((row) => [row.id, row.parent_id]));

  const chain: string[] = [];
  let current: string | null | undefined = departmentId;
  while (current && !chain.includes(current)) {
    chain.push(current);
    current = parentOf.get(current);
  }
  return chain;
}

function roleKeysWithScope(scope: DataScope): RoleKey[] {
  return ROLE_KEYS.filter((key) => ROLES[key].scope === scope);
}

/**
 * Finds every (active member, role) pair whose role's data scope covers the client, one
 * condition per scope as `scopeCovers()` defines it. Roles are not filtered by permission here,
 * because the caller decides what each role shows.
 */
export async function findCoveringRoles(db: DbOrTrx, { client, departmentAncestorIds }: { client: ExplainedClient; departmentAncestorIds: readonly string[] }): Promise<CoveringRoleRow[]> {
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id as userId', 'users.username', 'users.display_name as displayName', 'user_roles.role_key as roleKey'])
    .where('users.status', '=', 'active')
    .where((eb) => {
      const conditions: Expression<SqlBool>[] = [];
      const withScope = (scope: DataScope, condition: () => Expression<SqlBool>) => {
        const keys = roleKeysWithScope(scope);
        if (keys.length > 0) conditions.push(eb.and([eb('user_roles.role_key', 'in', keys), condition()]));
      };

      withScope('all', () => sql<SqlBool>`1 = 1`);
      if (departmentAncestorIds.length > 0) {
        withScope('department_tree', () => eb('users.department_id', 'in', [...departmentAncestorIds]));
      }
      const departmentId = client.departmentId;
      if (departmentId !== null) {
        withScope('department', () => eb('users.department_id', '=', departmentId));
      }
      withScope('assigned', () =>
        eb.exists(eb.selectFrom('client_assignments').select('client_assignments.client_id').whereRef('client_assignments.user_id', '=', 'users.id').where('client_assignments.client_id', '=', client.id)),
      );
      withScope('own_company', () => eb('users.client_id', '=', client.id));

      return conditions.length === 0 ? sql<SqlBool>`1 = 0` : eb.or(conditions);
    })
    .orderBy('users.username')
    .execute();
}

/**
 * Finds the grants of active members that cover the client at `now` and show `category`: not
 * revoked, inside their window (start inclusive, end exclusive), and naming the client or, for
 * a department grant, the client's department.
 */
export async function findCoveringGrants(db: DbOrTrx, { client, category, now }: { client: ExplainedClient; category: FieldCategory; now: number }): Promise<CoveringGrantRow[]> {
  // Instants are stored as `toISOString()` text, so comparing the text compares the instants.
  const nowIso = new Date(now).toISOString();

  return db
    .selectFrom('access_grants')
    .innerJoin('users', 'users.id', 'access_grants.user_id')
    .select(['users.id as userId', 'users.username', 'users.display_name as displayName', 'access_grants.id', 'access_grants.actions', 'access_grants.kind', 'access_grants.ends_at as endsAt'])
    .where('users.status', '=', 'active')
    .where('access_grants.revoked_at', 'is', null)
    .where('access_grants.starts_at', '<=', nowIso)
    .where('access_grants.ends_at', '>', nowIso)
    // `categories` is a JSON array of category names, so the quoted name matches one element.
    .where('access_grants.categories', 'like', `%"${category}"%`)
    .where((eb) => {
      const byClient = eb('access_grants.client_id', '=', client.id);
      if (client.departmentId === null) return byClient;
      return eb.or([byClient, eb.and([eb('access_grants.client_id', 'is', null), eb('access_grants.department_id', '=', client.departmentId)])]);
    })
    .orderBy('access_grants.id')
    .execute();
}

/**
 * Counts the active clients a subject reaches with `permission` at `now`, through the same SQL
 * scope the client list applies. `roleFilter` and `grantFilter` narrow it to one role or none.
 */
export async function countClientsInScope(
  db: DbOrTrx,
  { subject, permission, now, roleFilter, includeGrants = true }: { subject: SubjectSnapshot; permission: Permission; now: number; roleFilter?: (key: RoleKey) => boolean; includeGrants?: boolean },
): Promise<number> {
  // NOTE: clientScopeCondition also checks each grant's window against the wall clock, so a
  // `now` far from the present narrows grants to those in both windows.
  const grantFilter = (grant: ActiveGrant) => includeGrants && isGrantInWindow(grant, now);
  const row = await db
    .selectFrom('clients')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where((eb) => clientScopeCondition(eb, subject, permission, (role) => !roleFilter || roleFilter(role.key), grantFilter))
    .where('clients.status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
