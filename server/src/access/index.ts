export { decide, hasPermission, permissionsOf, scopeCovers, type ClientResource, type Decision, type Obligations, type Resource } from './decide.js';
export { ADMINISTRATOR_ROLES, PERMISSIONS, ROLES, ROLE_KEYS, isRoleKey, type DataScope, type Permission, type RoleDefinition, type RoleKey, type Visibility } from './roles.js';
export { clientScopeCondition } from './scope.sql.js';
export { loadSubjectSnapshot } from './subject.repository.js';
export type { SubjectSnapshot } from './subject.js';
export { GRANTABLE_ACTIONS, grantCoversClient, isGrantInWindow, type ActiveGrant, type GrantableAction } from './grant.js';
