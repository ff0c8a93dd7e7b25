import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldCategory } from '../clients/field-catalog.js';
import { type ClientResource, type Decision, type Resource, decide, hasPermission, scopeCovers } from './decide.js';
import { type ActiveGrant, GRANTABLE_ACTIONS, grantCoversClient, isGrantInWindow } from './grant.js';
import { PERMISSIONS, type Permission, ROLES, ROLE_KEYS, type RoleKey, type Visibility } from './roles.js';
import type { SubjectSnapshot } from './subject.js';

/**
 * `decide()` caches compiled roles and built decisions per snapshot and per role list. These
 * properties compare it with a direct evaluation of the same rules, written here without any
 * cache, on random subjects, clients, grants and times. Allow, reasons and obligations must match
 * exactly, on the first call and on later calls that hit the caches.
 */

const RANK: Record<Visibility, number> = { none: 0, masked: 1, plain: 2 };
const CATEGORIES: readonly FieldCategory[] = ['basic', 'financial', 'sensitive'];

/** Evaluates the policy directly: every role, scope and grant on every call. */
function referenceDecide(subject: SubjectSnapshot, action: Permission, resource: Resource, now: number): Decision {
  const holders = subject.roles.map((key) => ROLES[key]).filter((role) => role.permissions.includes(action));
  if (resource.type === 'system') {
    return holders.length === 0 ? { allow: false, reasons: ['no_permission'], obligations: {} } : { allow: true, reasons: holders.map((role) => `role:${role.key}`), obligations: {} };
  }
  const grants = subject.grants.filter((grant) => grant.actions.has(action) && isGrantInWindow(grant, now) && grantCoversClient(grant, resource));
  if (holders.length === 0 && grants.length === 0) {
    return { allow: false, reasons: ['no_permission'], obligations: {} };
  }

  const visibility: Record<FieldCategory, Visibility> = { basic: 'none', financial: 'none', sensitive: 'none' };
  const reasons: string[] = [];
  for (const role of holders.filter((holder) => scopeCovers(holder, subject, resource))) {
    reasons.push(`role:${role.key}`, `scope:${role.scope}`);
    for (const category of CATEGORIES) {
      if (RANK[role.visibility[category]] > RANK[visibility[category]]) visibility[category] = role.visibility[category];
    }
  }
  for (const grant of grants) {
    reasons.push(`grant:${grant.id}`);
    for (const category of grant.categories) visibility[category] = 'plain';
  }
  if (reasons.length === 0) {
    return { allow: false, reasons: ['out_of_scope'], obligations: {} };
  }

  if (action === 'client:reveal') {
    const category = resource.category;
    if (!category || visibility[category] !== 'plain') {
      return { allow: false, reasons: [...reasons, `category_not_plain:${category ?? 'unknown'}`], obligations: {} };
    }
    return { allow: true, reasons, obligations: { visibility, requireReason: true, auditAsReveal: true } };
  }
  return { allow: true, reasons, obligations: { visibility } };
}

const NOW = Date.parse('2026-12-05T10:00:00Z');
const HOUR = 3_600_000;
const DEPARTMENTS = ['d1', 'd2', 'd3', 'd4'];
const CLIENTS = ['c1', 'c2', 'c3', 'c4', 'c5'];

const departmentArbitrary = fc.constantFrom<string | null>(null, ...DEPARTMENTS);
const windowArbitrary = fc.constantFrom(
  { startsAt: NOW - 2 * HOUR, endsAt: NOW + 2 * HOUR },
  { startsAt: NOW + HOUR, endsAt: NOW + 3 * HOUR },
  { startsAt: NOW - 3 * HOUR, endsAt: NOW - HOUR },
  { startsAt: NOW, endsAt: NOW + 1 },
);

const grantArbitrary = fc
  .record({
    clientId: fc.option(fc.constantFrom(...CLIENTS), { nil: null }),
    departmentId: fc.option(fc.constantFrom(...DEPARTMENTS), { nil: null }),
    categories: fc.subarray([...CATEGORIES]),
    actions: fc.subarray([...GRANTABLE_ACTIONS]),
    window: windowArbitrary,
    kind: fc.constantFrom<'temporary' | 'break_glass'>('temporary', 'break_glass'),
  })
  .map(
    ({ window, categories, actions, ...grant }): Omit<ActiveGrant, 'id'> => ({
      ...grant,
      ...window,
      categories: new Set(categories),
      actions: new Set<Permission>(actions),
    }),
  );

const subjectArbitrary = fc
  .record({
    roles: fc.array(fc.constantFrom<RoleKey>(...ROLE_KEYS), { maxLength: 3 }),
    departmentId: departmentArbitrary,
    departmentTreeIds: fc.subarray(DEPARTMENTS),
    assignedClientIds: fc.subarray(CLIENTS),
    ownClientId: fc.option(fc.constantFrom(...CLIENTS), { nil: null }),
    grants: fc.array(grantArbitrary, { maxLength: 3 }),
  })
  .map(
    (drawn): SubjectSnapshot =>
      Object.freeze({
        userId: 'u1',
        username: 'member',
        roles: Object.freeze(drawn.roles),
        departmentId: drawn.departmentId,
        departmentTreeIds: new Set(drawn.departmentTreeIds),
        assignedClientIds: new Set(drawn.assignedClientIds),
        ownClientId: drawn.ownClientId,
        grants: Object.freeze(drawn.grants.map((grant, index) => Object.freeze({ ...grant, id: `g${index}` }))),
      }),
  );

const resourceArbitrary: fc.Arbitrary<Resource> = fc.oneof(
  fc.constant<Resource>({ type: 'system' }),
  fc
    .record({
      id: fc.constantFrom(...CLIENTS),
      departmentId: departmentArbitrary,
      category: fc.option(fc.constantFrom(...CATEGORIES), { nil: undefined }),
    })
    .map(({ category, ...client }): ClientResource => ({ type: 'client', ...client, ...(category ? { category } : {}) })),
);

const questionArbitrary = fc.record({
  action: fc.constantFrom<Permission>(...PERMISSIONS),
  resource: resourceArbitrary,
  now: fc.constantFrom(NOW, NOW - 4 * HOUR, NOW + 2 * HOUR, NOW + 1),
});

describe('decide() with compiled snapshots', () => {
  it('matches direct evaluation on random subjects', () => {
    fc.assert(
      fc.property(subjectArbitrary, fc.array(questionArbitrary, { minLength: 1, maxLength: 12 }), (subject, questions) => {
        // Twice over the same questions: the first pass fills the caches, the second reads them.
        for (const pass of [1, 2]) {
          for (const { action, resource, now } of questions) {
            expect(decide(subject, action, resource, now), `pass ${pass}: ${action}`).toEqual(referenceDecide(subject, action, resource, now));
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('matches direct evaluation for hasPermission', () => {
    fc.assert(
      fc.property(subjectArbitrary, fc.constantFrom<Permission>(...PERMISSIONS), (subject, permission) => {
        expect(hasPermission(subject, permission)).toBe(subject.roles.some((key) => ROLES[key].permissions.includes(permission)));
      }),
    );
  });

  it('returns frozen decisions that callers cannot change', () => {
    const subject: SubjectSnapshot = { userId: 'u2', username: 'bk', roles: ['bookkeeper'], departmentId: 'd1', departmentTreeIds: new Set(['d1']), assignedClientIds: new Set(['c1']), ownClientId: null, grants: [] };
    const client: ClientResource = { type: 'client', id: 'c1', departmentId: 'd1' };

    const first = decide(subject, 'client:read', client, NOW);

    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.reasons)).toBe(true);
    expect(Object.isFrozen(first.obligations.visibility)).toBe(true);
    expect(() => (first.reasons as string[]).push('role:partner')).toThrow(TypeError);
    expect(decide(subject, 'client:read', client, NOW).reasons).toEqual(['role:bookkeeper', 'scope:assigned']);
  });

  it('reads assignments live from the snapshot sets', () => {
    const assigned = new Set<string>();
    const subject: SubjectSnapshot = { userId: 'u3', username: 'bk', roles: ['bookkeeper'], departmentId: 'd1', departmentTreeIds: new Set(['d1']), assignedClientIds: assigned, ownClientId: null, grants: [] };
    const client: ClientResource = { type: 'client', id: 'c2', departmentId: 'd1' };

    expect(decide(subject, 'client:read', client, NOW).allow).toBe(false);
    assigned.add('c2');
    expect(decide(subject, 'client:read', client, NOW).allow).toBe(true);
  });
});
