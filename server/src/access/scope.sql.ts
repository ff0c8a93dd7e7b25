import { type ExpressionBuilder, type Expression, type SqlBool, sql } from 'kysely';
import type { DatabaseSchema } from '../db/index.js';
import { ROLES } from './roles.js';
import type { SubjectSnapshot } from './subject.js';
import { type ActiveGrant, isGrantInWindow } from './grant.js';
import type { Permission, RoleDefinition } from './roles.js';

/**
 * The SQL form of the data scopes: a condition on `clients` that keeps exactly the rows some
 * role holding `permission` (and passing `roleFilter`) reaches. Lists apply it in the query, so rows outside the scope are
 * never loaded. It mirrors `scopeCovers()` in decide.ts; a test checks they agree.
 */
export function clientScopeCondition(
  eb: ExpressionBuilder<DatabaseSchema, 'clients'>,
  subject: SubjectSnapshot,
  permission: Permission,
  roleFilter: (role: RoleDefinition) => boolean = () => true,
  grantFilter?: (grant: ActiveGrant) => boolean,
): Expression<SqlBool> {
  const scopes = new Set(
    subject.roles
      .map((key) => ROLES[key])
      .filter((role) => role.permissions.includes(permission) && roleFilter(role))
      .map((role) => role.scope),
  );
  if (scopes.has('all')) {
    return sql<SqlBool>`1 = 1`;
  }

  const conditions: Expression<SqlBool>[] = [];
  // Grants in their window, from the per-request snapshot; the list is short-lived by design.
  const now = Date.now();
  const grants = subject.grants.filter((grant) => grant.actions.has(permission) && isGrantInWindow(grant, now) && (!grantFilter || grantFilter(grant)));
  const grantedClients = grants.map((grant) => grant.clientId).filter((id): id is string => id !== null);
  const grantedDepartments = grants.map((grant) => grant.departmentId).filter((id): id is string => id !== null);
  if (grantedClients.length > 0) conditions.push(eb('clients.id', 'in', grantedClients));
  if (grantedDepartments.length > 0) conditions.push(eb('clients.department_id', 'in', grantedDepartments));
  if (scopes.has('department_tree') && subject.departmentTreeIds.size > 0) {
    conditions.push(eb('clients.department_id', 'in', [...subject.departmentTreeIds]));
  }
  if (scopes.has('department') && subject.departmentId) {
    conditions.push(eb('clients.department_id', '=', subject.departmentId));
  }
  if (scopes.has('assigned')) {
    conditions.push(
      eb('clients.id', 'in', eb.selectFrom('client_assignments').select('client_assignments.client_id').where('client_assignments.user_id', '=', subject.userId)),
    );
  }
  if (scopes.has('own_company') && subject.ownClientId) {
    conditions.push(eb('clients.id', '=', subject.ownClientId));
  }

  return conditions.length === 0 ? sql<SqlBool>`1 = 0` : eb.or(conditions);
}
