import type { FieldCategory } from '../clients/field-catalog.js';
import { type Permission, ROLES, type RoleDefinition, type Visibility } from './roles.js';
import { grantCoversClient, isGrantInWindow } from './grant.js';
import type { SubjectSnapshot } from './subject.js';

/** A client as the policy sees it: its id and the department it belongs to. */
export interface ClientResource {
  readonly type: 'client';
  readonly id: string;
  readonly departmentId: string | null;
  /** The category of the field a reveal concerns. */
  readonly category?: FieldCategory;
}

export type Resource = ClientResource | { readonly type: 'system' };

export interface Obligations {
  /** Per category, how the caller must present the client's fields. */
  readonly visibility?: Readonly<Record<FieldCategory, Visibility>>;
  readonly requireReason?: boolean;
  readonly auditAsReveal?: boolean;
}

export interface Decision {
  readonly allow: boolean;
  /** Why: the roles and scopes that allowed it, or the rule that denied it. */
  readonly reasons: readonly string[];
  readonly obligations: Obligations;
}

const VISIBILITY_RANK: Record<Visibility, number> = { none: 0, masked: 1, plain: 2 };

function wider(a: Visibility, b: Visibility): Visibility {
  return VISIBILITY_RANK[a] >= VISIBILITY_RANK[b] ? a : b;
}

/** Returns whether one role's data scope reaches the client. */
export function scopeCovers(role: RoleDefinition, subject: SubjectSnapshot, client: ClientResource): boolean {
  switch (role.scope) {
    case 'all':
      return true;
    case 'department_tree':
      return client.departmentId !== null && subject.departmentTreeIds.has(client.departmentId);
    case 'department':
      return client.departmentId !== null && client.departmentId === subject.departmentId;
    case 'assigned':
      return subject.assignedClientIds.has(client.id);
    case 'own_company':
      return subject.ownClientId === client.id;
    case 'none':
      return false;
  }
}

const DENY_NO_PERMISSION: Decision = Object.freeze({ allow: false, reasons: Object.freeze(['no_permission']), obligations: Object.freeze({}) });
const DENY_OUT_OF_SCOPE: Decision = Object.freeze({ allow: false, reasons: Object.freeze(['out_of_scope']), obligations: Object.freeze({}) });

/**
 * The policy decision point. Each role is evaluated on its own, so one role's scope never
 * lends reach to another role's visibility; the result is the union of what the roles allow.
 * Pure and synchronous: every input is in the snapshot.
 */
export function decide(subject: SubjectSnapshot, action: Permission, resource: Resource, now: number = Date.now()): Decision {
  const holders = subject.roles.map((key) => ROLES[key]).filter((role) => role.permissions.includes(action));
  if (resource.type === 'system') {
    return holders.length === 0 ? DENY_NO_PERMISSION : { allow: true, reasons: holders.map((role) => `role:${role.key}`), obligations: {} };
  }
  const grants = subject.grants.filter((grant) => grant.actions.has(action) && isGrantInWindow(grant, now) && grantCoversClient(grant, resource));
  if (holders.length === 0 && grants.length === 0) {
    return DENY_NO_PERMISSION;
  }

  let visibility: Record<FieldCategory, Visibility> = { basic: 'none', financial: 'none', sensitive: 'none' };
  const reasons: string[] = [];
  for (const role of holders) {
    if (!scopeCovers(role, subject, resource)) {
      continue;
    }
    reasons.push(`role:${role.key}`, `scope:${role.scope}`);
    visibility = {
      basic: wider(visibility.basic, role.visibility.basic),
      financial: wider(visibility.financial, role.visibility.financial),
      sensitive: wider(visibility.sensitive, role.visibility.sensitive),
    };
  }
  // A grant shows its categories in plain for its client or department, and only within its window.
  for (const grant of grants) {
    reasons.push(`grant:${grant.id}`);
    for (const category of grant.categories) {
      visibility = { ...visibility, [category]: 'plain' };
    }
  }
  if (reasons.length === 0) {
    return DENY_OUT_OF_SCOPE;
  }

  if (action === 'client:reveal') {
    // Revealing needs plain visibility of the field's category; masked visibility shows the
    // masked form only, however the request is phrased.
    const category = resource.category;
    if (!category || visibility[category] !== 'plain') {
      return { allow: false, reasons: [...reasons, `category_not_plain:${category ?? 'unknown'}`], obligations: {} };
    }
    return { allow: true, reasons, obligations: { visibility, requireReason: true, auditAsReveal: true } };
  }
  return { allow: true, reasons, obligations: { visibility } };
}

/** Returns whether the subject has a permission through any role, before any resource is known. */
export function hasPermission(subject: SubjectSnapshot, permission: Permission): boolean {
  return subject.roles.some((key) => ROLES[key].permissions.includes(permission));
}

export function permissionsOf(subject: SubjectSnapshot): Permission[] {
  return [...new Set(subject.roles.flatMap((key) => ROLES[key].permissions))];
}
