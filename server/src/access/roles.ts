import type { FieldCategory } from '../clients/field-catalog.js';

export const PERMISSIONS = [
  'client:list',
  'client:read',
  'client:reveal',
  'client:import',
  'client:archive',
  'document:upload',
  'audit:read',
  'user:manage',
  'security:manage',
  'session:manage',
  'access:explain',
  'review:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** Which clients a role reaches, in the terms Chinese admin systems use for data scope. */
export type DataScope = 'all' | 'department_tree' | 'department' | 'assigned' | 'own_company' | 'none';

/** How a role sees a category: not at all, masked, or plain (protected fields then reveal on demand). */
export type Visibility = 'none' | 'masked' | 'plain';

export const ROLE_KEYS = [
  'bookkeeper',
  'assistant',
  'customer_service',
  'registration_agent',
  'department_manager',
  'partner',
  'security_admin',
  'audit_admin',
  'system_admin',
  'client_contact',
] as const;

export type RoleKey = (typeof ROLE_KEYS)[number];

export interface RoleDefinition {
  readonly key: RoleKey;
  readonly scope: DataScope;
  readonly visibility: Readonly<Record<FieldCategory, Visibility>>;
  readonly permissions: readonly Permission[];
  readonly label: { readonly 'zh-CN': string; readonly 'en-US': string };
}

const NO_CLIENT_DATA = Object.freeze({ basic: 'none', financial: 'none', sensitive: 'none' } as const);
const CLIENT_READER: readonly Permission[] = ['client:list', 'client:read', 'client:reveal'];
/** Staff who work on a client's books collect its papers, so they add documents to the clients they reach. */
const CLIENT_WORKER: readonly Permission[] = [...CLIENT_READER, 'document:upload'];

function role(definition: RoleDefinition): RoleDefinition {
  return Object.freeze({ ...definition, visibility: Object.freeze(definition.visibility), permissions: Object.freeze([...definition.permissions]) });
}

/**
 * The built-in roles. The three administrator roles hold no client-data permission and see
 * no category (separation of the three administrators, required for a level-3 system under
 * China's multi-level protection scheme).
 */
export const ROLES: Readonly<Record<RoleKey, RoleDefinition>> = Object.freeze({
  bookkeeper: role({ key: 'bookkeeper', scope: 'assigned', visibility: { basic: 'plain', financial: 'plain', sensitive: 'plain' }, permissions: CLIENT_WORKER, label: { 'zh-CN': '记账会计', 'en-US': 'Bookkeeper' } }),
  assistant: role({ key: 'assistant', scope: 'assigned', visibility: { basic: 'plain', financial: 'plain', sensitive: 'none' }, permissions: CLIENT_WORKER, label: { 'zh-CN': '记账助理', 'en-US': 'Bookkeeping assistant' } }),
  customer_service: role({ key: 'customer_service', scope: 'all', visibility: { basic: 'plain', financial: 'none', sensitive: 'none' }, permissions: CLIENT_READER, label: { 'zh-CN': '客服', 'en-US': 'Customer service' } }),
  registration_agent: role({ key: 'registration_agent', scope: 'assigned', visibility: { basic: 'plain', financial: 'none', sensitive: 'none' }, permissions: CLIENT_WORKER, label: { 'zh-CN': '工商专员', 'en-US': 'Registration agent' } }),
  department_manager: role({ key: 'department_manager', scope: 'department_tree', visibility: { basic: 'plain', financial: 'plain', sensitive: 'masked' }, permissions: [...CLIENT_WORKER, 'client:import', 'client:archive'], label: { 'zh-CN': '部门经理', 'en-US': 'Department manager' } }),
  partner: role({ key: 'partner', scope: 'all', visibility: { basic: 'plain', financial: 'plain', sensitive: 'plain' }, permissions: [...CLIENT_WORKER, 'client:import', 'client:archive'], label: { 'zh-CN': '合伙人', 'en-US': 'Partner' } }),
  security_admin: role({ key: 'security_admin', scope: 'none', visibility: NO_CLIENT_DATA, permissions: ['security:manage', 'session:manage', 'access:explain'], label: { 'zh-CN': '安全管理员', 'en-US': 'Security administrator' } }),
  audit_admin: role({ key: 'audit_admin', scope: 'none', visibility: NO_CLIENT_DATA, permissions: ['audit:read', 'access:explain', 'review:manage'], label: { 'zh-CN': '审计管理员', 'en-US': 'Audit administrator' } }),
  system_admin: role({ key: 'system_admin', scope: 'none', visibility: NO_CLIENT_DATA, permissions: ['user:manage', 'session:manage'], label: { 'zh-CN': '系统管理员', 'en-US': 'System administrator' } }),
  client_contact: role({ key: 'client_contact', scope: 'own_company', visibility: { basic: 'plain', financial: 'plain', sensitive: 'masked' }, permissions: ['client:list', 'client:read'], label: { 'zh-CN': '客户联系人', 'en-US': 'Client contact' } }),
});

export const ADMINISTRATOR_ROLES: readonly RoleKey[] = Object.freeze(['system_admin', 'security_admin', 'audit_admin']);

export function isRoleKey(value: string): value is RoleKey {
  return (ROLE_KEYS as readonly string[]).includes(value);
}
