/**
 * The built-in roles as the README and the design document describe them, written out again by
 * hand. The security tests derive every expected outcome from this table and never from
 * `decide()` or `ROLES`. A change of the product's policy therefore shows up as a failing
 * expectation that someone has to review, not as a test that silently agrees with the new code.
 */

export type DocumentedRole =
  | 'bookkeeper'
  | 'assistant'
  | 'customer_service'
  | 'registration_agent'
  | 'department_manager'
  | 'partner'
  | 'security_admin'
  | 'audit_admin'
  | 'system_admin'
  | 'client_contact';

export type DocumentedPermission =
  | 'client:list'
  | 'client:read'
  | 'client:reveal'
  | 'client:import'
  | 'client:archive'
  | 'document:upload'
  | 'audit:read'
  | 'user:manage'
  | 'security:manage'
  | 'session:manage'
  | 'access:explain'
  | 'review:manage';

export type Category = 'basic' | 'financial' | 'sensitive';
export type Visibility = 'none' | 'masked' | 'plain';
/** Which clients a role reaches: assigned ones, its department and those below, all, its own company, or none. */
export type Scope = 'assigned' | 'department_tree' | 'all' | 'own_company' | 'none';

interface RoleDocumentation {
  readonly scope: Scope;
  readonly visibility: Readonly<Record<Category, Visibility>>;
  readonly permissions: readonly DocumentedPermission[];
}

const READER: readonly DocumentedPermission[] = ['client:list', 'client:read', 'client:reveal'];
const WORKER: readonly DocumentedPermission[] = [...READER, 'document:upload'];
const NOTHING = { basic: 'none', financial: 'none', sensitive: 'none' } as const;

export const DOCUMENTED_ROLES: Readonly<Record<DocumentedRole, RoleDocumentation>> = {
  bookkeeper: { scope: 'assigned', visibility: { basic: 'plain', financial: 'plain', sensitive: 'plain' }, permissions: WORKER },
  assistant: { scope: 'assigned', visibility: { basic: 'plain', financial: 'plain', sensitive: 'none' }, permissions: WORKER },
  customer_service: { scope: 'all', visibility: { basic: 'plain', financial: 'none', sensitive: 'none' }, permissions: READER },
  registration_agent: { scope: 'assigned', visibility: { basic: 'plain', financial: 'none', sensitive: 'none' }, permissions: WORKER },
  department_manager: { scope: 'department_tree', visibility: { basic: 'plain', financial: 'plain', sensitive: 'masked' }, permissions: [...WORKER, 'client:import', 'client:archive'] },
  partner: { scope: 'all', visibility: { basic: 'plain', financial: 'plain', sensitive: 'plain' }, permissions: [...WORKER, 'client:import', 'client:archive'] },
  // The three administrators (三员分立) hold no client-data permission and see no category.
  security_admin: { scope: 'none', visibility: NOTHING, permissions: ['security:manage', 'session:manage', 'access:explain'] },
  audit_admin: { scope: 'none', visibility: NOTHING, permissions: ['audit:read', 'access:explain', 'review:manage'] },
  system_admin: { scope: 'none', visibility: NOTHING, permissions: ['user:manage', 'session:manage'] },
  // The portal account of a client company reads its own company and never reveals.
  client_contact: { scope: 'own_company', visibility: { basic: 'plain', financial: 'plain', sensitive: 'masked' }, permissions: ['client:list', 'client:read'] },
};

export const DOCUMENTED_ROLE_KEYS = Object.keys(DOCUMENTED_ROLES) as DocumentedRole[];

export function holds(role: DocumentedRole, permission: DocumentedPermission): boolean {
  return DOCUMENTED_ROLES[role].permissions.includes(permission);
}

export function visibilityOf(role: DocumentedRole, category: Category): Visibility {
  return DOCUMENTED_ROLES[role].visibility[category];
}

/**
 * The client a test request names: one in the member's scope (for the matrix firm every role's
 * scope that reaches any client reaches the "own" client), a client of the other bookkeeping
 * department, or an id that names no client.
 */
export type ClientTarget = 'own' | 'other' | 'none';

/** Returns whether a role's documented scope reaches a target client of the matrix firm. */
export function scopeReaches(role: DocumentedRole, target: ClientTarget): boolean {
  if (target === 'none') return false;
  const scope = DOCUMENTED_ROLES[role].scope;
  if (scope === 'all') return true;
  if (scope === 'none') return false;
  // Assigned, department-tree and own-company scopes reach the own client only: the other
  // client sits in another department, is assigned to someone else and is another company.
  return target === 'own';
}
