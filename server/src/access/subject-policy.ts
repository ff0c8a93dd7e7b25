import type { FieldCategory } from '../clients/field-catalog.js';
import type { Decision } from './decide.js';
import type { ActiveGrant } from './grant.js';
import { type DataScope, type Permission, ROLES, type RoleDefinition, type Visibility } from './roles.js';
import type { SubjectSnapshot } from './subject.js';

/**
 * Per-snapshot structures that `decide()` compiles once and reuses, so a warm decision takes a
 * few map and set lookups and, unless a grant applies, allocates nothing. Only the role list and
 * the grant list are compiled; the scope sets (`departmentTreeIds`, `assignedClientIds`) are read
 * at each decision.
 */

/** One bit per data scope that can reach a client; `none` reaches none and has no bit. */
export const SCOPE_BIT: Readonly<Record<DataScope, number>> = Object.freeze({ all: 1, department_tree: 2, department: 4, assigned: 8, own_company: 16, none: 0 });

/** Coverage masks run from 0 to 31, one per combination of the five bits above. */
export const COVERAGE_MASKS = 32;

/** Reveal decisions are cached per category and for a reveal that names no category. */
export const REVEAL_SLOTS = 4;

/** The subject's roles that hold one permission, and the decisions already built for them. */
export interface ActionRoles {
  /** Roles holding the permission, in the order of `subject.roles` (repeats included), which is the order of the reasons. */
  readonly holders: readonly RoleDefinition[];
  /** Union of the holders' scope bits: the only scopes worth testing against a client. */
  readonly scopeBits: number;
  /**
   * Frozen results built on first use: outcomes and decisions by coverage mask, reveal decisions
   * by mask and category slot. Every later decision for the same roles reuses them.
   */
  readonly outcomes: (CoverageOutcome | undefined)[];
  readonly decisions: (Decision | undefined)[];
  readonly revealDecisions: (Decision | undefined)[];
  systemDecision: Decision | undefined;
}

/** Reasons and merged visibility contributed by the holders that cover a client. */
export interface CoverageOutcome {
  readonly reasons: readonly string[];
  readonly visibility: Readonly<Record<FieldCategory, Visibility>>;
}

/** The compiled form of one role list, shared by every snapshot with the same roles in the same order. */
export interface RolePolicy {
  readonly byAction: ReadonlyMap<Permission, ActionRoles>;
}

export interface SubjectPolicy {
  readonly roles: RolePolicy;
  /** The subject's grants by the action they carry, or `undefined` when it has none. */
  readonly grantsByAction: ReadonlyMap<Permission, readonly ActiveGrant[]> | undefined;
}

/** The entry for a permission that no role of the subject holds. */
export const NO_HOLDERS: ActionRoles = newActionRoles([]);

function newActionRoles(holders: readonly RoleDefinition[]): ActionRoles {
  return {
    holders,
    scopeBits: holders.reduce((bits, role) => bits | SCOPE_BIT[role.scope], 0),
    outcomes: new Array<CoverageOutcome | undefined>(COVERAGE_MASKS).fill(undefined),
    decisions: new Array<Decision | undefined>(COVERAGE_MASKS).fill(undefined),
    revealDecisions: new Array<Decision | undefined>(COVERAGE_MASKS * REVEAL_SLOTS).fill(undefined),
    systemDecision: undefined,
  };
}

function compileRoles(roles: readonly RoleDefinition[]): RolePolicy {
  const holdersByAction = new Map<Permission, RoleDefinition[]>();
  for (const role of roles) {
    for (const permission of role.permissions) {
      const holders = holdersByAction.get(permission) ?? [];
      holders.push(role);
      holdersByAction.set(permission, holders);
    }
  }
  const byAction = new Map<Permission, ActionRoles>();
  for (const [permission, holders] of holdersByAction) {
    byAction.set(permission, newActionRoles(Object.freeze(holders)));
  }
  return { byAction };
}

/**
 * Role lists seen so far, by their keys in order. Subjects draw from ten built-in roles and
 * hold one to three, so few lists occur. The bound only stops an unusual run of many distinct
 * lists from growing the map without end.
 */
const rolePolicies = new Map<string, RolePolicy>();
const MAX_ROLE_POLICIES = 512;

function rolePolicyOf(roleKeys: readonly string[]): RolePolicy {
  const key = roleKeys.join(',');
  let policy = rolePolicies.get(key);
  if (policy === undefined) {
    policy = compileRoles(roleKeys.map((roleKey) => ROLES[roleKey as keyof typeof ROLES]));
    if (rolePolicies.size >= MAX_ROLE_POLICIES) rolePolicies.clear();
    rolePolicies.set(key, policy);
  }
  return policy;
}

function groupGrants(grants: readonly ActiveGrant[]): ReadonlyMap<Permission, readonly ActiveGrant[]> | undefined {
  if (grants.length === 0) return undefined;

  const byAction = new Map<Permission, ActiveGrant[]>();
  for (const grant of grants) {
    for (const action of grant.actions) {
      const list = byAction.get(action) ?? [];
      list.push(grant);
      byAction.set(action, list);
    }
  }
  // Each list keeps the order of `subject.grants`, which is the order of the grants' reasons.
  return byAction;
}

/**
 * Compiled policies by snapshot. A snapshot must not change once built: `loadSubjectSnapshot()`
 * freezes it, and a caller that needs other roles or grants builds a new snapshot object.
 */
const subjectPolicies = new WeakMap<SubjectSnapshot, SubjectPolicy>();
let lastSubject: SubjectSnapshot | undefined;
let lastPolicy: SubjectPolicy | undefined;

export function subjectPolicyOf(subject: SubjectSnapshot): SubjectPolicy {
  // A request makes several decisions about one subject in a row; this check skips the WeakMap for them.
  if (subject === lastSubject) return lastPolicy!;

  let policy = subjectPolicies.get(subject);
  if (policy === undefined) {
    policy = { roles: rolePolicyOf(subject.roles), grantsByAction: groupGrants(subject.grants) };
    subjectPolicies.set(subject, policy);
  }
  lastSubject = subject;
  lastPolicy = policy;
  return policy;
}
