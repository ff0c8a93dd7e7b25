import { type ExpressionBuilder, type Expression, type SqlBool, sql } from 'kysely';
import type { DatabaseSchema } from '../db/index.js';
import { ROLES } from './roles.js';
import type { SubjectSnapshot } from './subject.js';
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
