import type { FieldCategory } from '../clients/field-catalog.js';
import { type Permission, ROLES, type RoleDefinition, type Visibility } from './roles.js';
import { type ActiveGrant, grantCoversClient, isGrantInWindow } from './grant.js';
import { type ActionRoles, type CoverageOutcome, NO_HOLDERS, REVEAL_SLOTS, SCOPE_BIT, subjectPolicyOf } from './subject-policy.js';
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
const NO_OBLIGATIONS: Obligations = Object.freeze({});
const NOTHING_COVERS: CoverageOutcome = Object.freeze({ reasons: Object.freeze([]), visibility: Object.freeze({ basic: 'none', financial: 'none', sensitive: 'none' }) });

/**
 * The policy decision point. Each role is evaluated on its own, so one role's scope never
 * lends reach to another role's visibility; the result is the union of what the roles allow.
 * Pure and synchronous: every input is in the snapshot. The decisions returned are frozen and
 * may be shared between calls, because decisions without a grant are built once per role list.
 */
export function decide(subject: SubjectSnapshot, action: Permission, resource: Resource, now: number = Date.now()): Decision {
  const policy = subjectPolicyOf(subject);
  const roles = policy.roles.byAction.get(action) ?? NO_HOLDERS;
  if (resource.type === 'system') {
    return roles.systemDecision ??= systemDecision(roles);
  }

  const mask = coverageOf(roles.scopeBits, subject, resource);
  const grants = policy.grantsByAction?.get(action);
  const applying = grants === undefined ? undefined : applyingGrants(grants, resource, now);
  if (applying !== undefined) {
    return decideWithGrants(roles, mask, applying, action, resource.category);
  }

  // Without a grant, the decision depends only on which holders cover the client, so it is built once per mask.
  if (mask === 0) {
    return roles.holders.length === 0 ? DENY_NO_PERMISSION : DENY_OUT_OF_SCOPE;
  }
  if (action !== 'client:reveal') {
    return roles.decisions[mask] ??= allowWithVisibility(outcomeOf(roles, mask));
  }
  const slot = revealSlot(resource.category);
  if (slot < 0) {
    return revealDecision(outcomeOf(roles, mask), resource.category);
  }
  return roles.revealDecisions[mask * REVEAL_SLOTS + slot] ??= revealDecision(outcomeOf(roles, mask), resource.category);
}

function allowWithVisibility(outcome: CoverageOutcome): Decision {
  return freezeDecision(true, outcome, { visibility: outcome.visibility });
}

function systemDecision(roles: ActionRoles): Decision {
  if (roles.holders.length === 0) return DENY_NO_PERMISSION;
  return Object.freeze({ allow: true, reasons: Object.freeze(roles.holders.map((role) => `role:${role.key}`)), obligations: NO_OBLIGATIONS });
}

/** Returns the scope bits, among those the holders have, whose scope reaches the client. */
function coverageOf(scopeBits: number, subject: SubjectSnapshot, client: ClientResource): number {
  let mask = scopeBits & SCOPE_BIT.all;
  const departmentId = client.departmentId;
  if (scopeBits & SCOPE_BIT.department_tree && departmentId !== null && subject.departmentTreeIds.has(departmentId)) mask |= SCOPE_BIT.department_tree;
  if (scopeBits & SCOPE_BIT.department && departmentId !== null && departmentId === subject.departmentId) mask |= SCOPE_BIT.department;
  if (scopeBits & SCOPE_BIT.assigned && subject.assignedClientIds.has(client.id)) mask |= SCOPE_BIT.assigned;
  if (scopeBits & SCOPE_BIT.own_company && subject.ownClientId === client.id) mask |= SCOPE_BIT.own_company;
  return mask;
}

/** Reasons and merged visibility of the holders whose scope bit is in the mask, built once per mask. */
function outcomeOf(roles: ActionRoles, mask: number): CoverageOutcome {
  const cached = roles.outcomes[mask];
  if (cached !== undefined) return cached;

  let visibility: Record<FieldCategory, Visibility> = { basic: 'none', financial: 'none', sensitive: 'none' };
  const reasons: string[] = [];
  for (const role of roles.holders) {
    if ((SCOPE_BIT[role.scope] & mask) === 0) {
      continue;
    }
    reasons.push(`role:${role.key}`, `scope:${role.scope}`);
    visibility = {
      basic: wider(visibility.basic, role.visibility.basic),
      financial: wider(visibility.financial, role.visibility.financial),
      sensitive: wider(visibility.sensitive, role.visibility.sensitive),
    };
  }
  const outcome: CoverageOutcome = Object.freeze({ reasons: Object.freeze(reasons), visibility: Object.freeze(visibility) });
  roles.outcomes[mask] = outcome;
  return outcome;
}

/** Returns the grants in their window that cover the client, or `undefined` when none does. */
function applyingGrants(grants: readonly ActiveGrant[], client: ClientResource, now: number): ActiveGrant[] | undefined {
  let applying: ActiveGrant[] | undefined;
  for (const grant of grants) {
    if (isGrantInWindow(grant, now) && grantCoversClient(grant, client)) {
      (applying ??= []).push(grant);
    }
  }
  return applying;
}

/** Decides with grants applying: each shows its categories in plain for its client or department, within its window. */
function decideWithGrants(roles: ActionRoles, mask: number, grants: readonly ActiveGrant[], action: Permission, category: FieldCategory | undefined): Decision {
  const base = mask === 0 ? NOTHING_COVERS : outcomeOf(roles, mask);
  const reasons = [...base.reasons];
  const visibility: Record<FieldCategory, Visibility> = { ...base.visibility };
  for (const grant of grants) {
    reasons.push(`grant:${grant.id}`);
    for (const granted of grant.categories) {
      visibility[granted] = 'plain';
    }
  }

  const outcome: CoverageOutcome = { reasons, visibility };
  return action === 'client:reveal' ? revealDecision(outcome, category) : allowWithVisibility(outcome);
}

/**
 * Revealing needs plain visibility of the field's category; masked visibility shows the masked
 * form only, however the request is phrased.
 */
function revealDecision(outcome: CoverageOutcome, category: FieldCategory | undefined): Decision {
  if (!category || outcome.visibility[category] !== 'plain') {
    return freezeDecision(false, { ...outcome, reasons: [...outcome.reasons, `category_not_plain:${category ?? 'unknown'}`] }, NO_OBLIGATIONS);
  }
  return freezeDecision(true, outcome, { visibility: outcome.visibility, requireReason: true, auditAsReveal: true });
}

/** Slot of a reveal's category in the cache; -1 for a value outside the catalog, which is decided uncached. */
function revealSlot(category: FieldCategory | undefined): number {
  switch (category) {
    case 'basic':
      return 0;
    case 'financial':
      return 1;
    case 'sensitive':
      return 2;
    case undefined:
      return 3;
    default:
      return -1;
  }
}

function freezeDecision(allow: boolean, outcome: CoverageOutcome, obligations: Obligations): Decision {
  if (obligations.visibility) Object.freeze(obligations.visibility);
  return Object.freeze({ allow, reasons: Object.freeze(outcome.reasons), obligations: Object.freeze(obligations) });
}

/** Returns whether the subject has a permission through any role, before any resource is known. */
export function hasPermission(subject: SubjectSnapshot, permission: Permission): boolean {
  return subjectPolicyOf(subject).roles.byAction.has(permission);
}

export function permissionsOf(subject: SubjectSnapshot): Permission[] {
  return [...new Set(subject.roles.flatMap((key) => ROLES[key].permissions))];
}
