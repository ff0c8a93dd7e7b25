import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../src/access/decide.js';
import { explainMemberAccess, memberReach, whoCanSee } from '../src/access/explain.service.js';
import { GRANTABLE_ACTIONS } from '../src/access/grant.js';
import { ROLE_KEYS, type RoleKey } from '../src/access/roles.js';
import { loadSubjectSnapshot } from '../src/access/subject.repository.js';
import type { SubjectSnapshot } from '../src/access/subject.js';
import { type ClientFieldKey, type FieldCategory, findClientField } from '../src/clients/field-catalog.js';
import { type TestApp, createTestApp } from './test-app.js';

/**
 * Checks the reverse lookup against the decision point on a generated firm: for every client
 * and field, the members `whoCanSee` lists, with their display and reveal, are exactly those
 * `decide()` lets read the field. The firm is drawn from a seeded generator, so a failure
 * reproduces with the same seed.
 */

/** Each seed draws another firm; three keep the run to a few seconds on either database. */
const SEEDS = [20261204, 7, 31337];
const FIELDS: readonly ClientFieldKey[] = ['legalRepIdNumber', 'bankAccount', 'contactPhone', 'name'];
const CATEGORIES: readonly FieldCategory[] = ['basic', 'financial', 'sensitive'];
const HOUR = 3_600_000;

/** Mulberry32: a small seeded generator, enough to spread cases without a library. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (probability: number) => next() < probability;
  const subset = <T>(items: readonly T[], { min = 0 } = {}): T[] => {
    const chosen = items.filter(() => chance(0.5));
    return chosen.length >= min ? chosen : [pick(items)];
  };
  return { next, pick, chance, subset };
}

interface GeneratedFirm {
  departmentIds: string[];
  memberIds: string[];
  clients: { id: string; departmentId: string | null }[];
}

/** Inserts 6 departments, 40 members, 60 clients, up to 120 assignments and 60 grants straight into the tables. */
async function insertGeneratedFirm(app: TestApp, seed: number, now: number): Promise<GeneratedFirm> {
  const random = seededRandom(seed);
  const createdAt = new Date(now - 30 * 24 * HOUR).toISOString();

  // Each department hangs under an earlier one, so the first is the root of one tree.
  const departmentIds = Array.from({ length: 6 }, (_, index) => `dept-${index}`);
  for (const [index, id] of departmentIds.entries()) {
    const parentId = index === 0 ? null : random.pick(departmentIds.slice(0, index));
    await app.db.insertInto('departments').values({ id, name: `部门${index}`, parent_id: parentId, created_at: createdAt }).execute();
  }

  const clients = Array.from({ length: 60 }, (_, index) => ({ id: `client-${String(index).padStart(2, '0')}`, departmentId: random.chance(0.1) ? null : random.pick(departmentIds) }));
  await app.db
    .insertInto('clients')
    .values(clients.map((client, index) => ({ id: client.id, name: `测试客户${index}`, name_key: `测试客户${index}`, uscc: `USCC${String(index).padStart(14, '0')}`, department_id: client.departmentId, status: 'active' as const, created_at: createdAt, updated_at: createdAt })))
    .execute();

  // Weighted so that staff roles dominate, with admins, contacts and multi-role members mixed in.
  const roleWeights: RoleKey[] = [...ROLE_KEYS, 'bookkeeper', 'bookkeeper', 'assistant', 'customer_service', 'department_manager', 'registration_agent', 'client_contact'];
  const memberIds: string[] = [];
  for (let index = 0; index < 40; index += 1) {
    const id = `member-${String(index).padStart(2, '0')}`;
    const roles = new Set<RoleKey>(Array.from({ length: 1 + Math.floor(random.next() * 3) }, () => random.pick(roleWeights)));
    if (random.chance(0.05)) roles.clear();
    const ownClient = roles.has('client_contact') || random.chance(0.05) ? random.pick(clients).id : null;
    // Every tenth member is disabled, so each firm has some whatever the seed draws.
    const status = index % 10 === 3 ? ('disabled' as const) : ('active' as const);
    await app.db
      .insertInto('users')
      .values({ id, username: `m${index}`, username_key: `m${index}`, display_name: `成员${index}`, department_id: random.chance(0.1) ? null : random.pick(departmentIds), client_id: ownClient, password_hash: null, status, failed_logins: 0, lockouts: 0, created_at: createdAt, must_change_password: 0 })
      .execute();
    if (roles.size > 0) {
      await app.db.insertInto('user_roles').values([...roles].map((role_key) => ({ user_id: id, role_key, created_at: createdAt }))).execute();
    }
    memberIds.push(id);
  }

  const assignments = new Set<string>();
  for (let index = 0; index < 120; index += 1) assignments.add(`${random.pick(clients).id}|${random.pick(memberIds)}`);
  await app.db
    .insertInto('client_assignments')
    .values([...assignments].map((pair) => ({ client_id: pair.split('|')[0]!, user_id: pair.split('|')[1]!, created_at: createdAt })))
    .execute();

  // Windows lie at least an hour from `now`, so the wall clock moving during the test changes nothing.
  const windows = [
    { startsAt: now - 2 * HOUR, endsAt: now + 2 * HOUR, revoked: false },
    { startsAt: now - 2 * HOUR, endsAt: now + 2 * HOUR, revoked: false },
    { startsAt: now - 5 * HOUR, endsAt: now - HOUR, revoked: false },
    { startsAt: now + HOUR, endsAt: now + 5 * HOUR, revoked: false },
    { startsAt: now - 2 * HOUR, endsAt: now + 2 * HOUR, revoked: true },
  ];
  for (let index = 0; index < 60; index += 1) {
    const window = random.pick(windows);
    const byDepartment = random.chance(0.35);
    await app.db
      .insertInto('access_grants')
      .values({
        id: `grant-${String(index).padStart(2, '0')}`,
        user_id: random.pick(memberIds),
        client_id: byDepartment ? null : random.pick(clients).id,
        department_id: byDepartment ? random.pick(departmentIds) : null,
        categories: JSON.stringify(random.subset(CATEGORIES, { min: 1 })),
        actions: JSON.stringify(random.subset(GRANTABLE_ACTIONS, { min: 1 })),
        starts_at: new Date(window.startsAt).toISOString(),
        ends_at: new Date(window.endsAt).toISOString(),
        kind: random.chance(0.2) ? 'break_glass' : 'temporary',
        reason: '生成的测试授权',
        created_by: null,
        created_at: createdAt,
        revoked_at: window.revoked ? new Date(now - HOUR).toISOString() : null,
      })
      .execute();
  }

  return { departmentIds, memberIds, clients };
}

/** Computes with `decide()` what each member sees of one field, which is what `whoCanSee` must return. */
function expectedViewers(snapshots: readonly SubjectSnapshot[], client: { id: string; departmentId: string | null }, field: ClientFieldKey, now: number) {
  const definition = findClientField(field)!;
  const resource = { type: 'client' as const, id: client.id, departmentId: client.departmentId };

  return snapshots.flatMap((subject) => {
    const read = decide(subject, 'client:read', resource, now);
    const visibility = read.obligations.visibility?.[definition.category] ?? 'none';
    if (!read.allow || visibility === 'none') return [];
    const canReveal = definition.protection !== 'plain' && decide(subject, 'client:reveal', { ...resource, category: definition.category }, now).allow;
    return [{ userId: subject.userId, display: visibility, canReveal }];
  });
}

describe.each(SEEDS)('generated firm of seed %i', (seed) => {
  let app: TestApp;
  let firm: GeneratedFirm;
  let snapshots: SubjectSnapshot[];
  const now = Date.now();

  beforeAll(async () => {
    app = await createTestApp();
    firm = await insertGeneratedFirm(app, seed, now);
    const loaded = await Promise.all(firm.memberIds.map((id) => loadSubjectSnapshot(app.db, id)));
    // Disabled members have no snapshot, so decide() never runs for them and they must not be listed.
    snapshots = loaded.filter((snapshot): snapshot is SubjectSnapshot => snapshot !== undefined);
  });

  afterAll(async () => {
    await app.dispose();
  });

  describe('whoCanSee against decide()', () => {
    it('matches decide() on every field', async () => {
      const seen = { viewers: 0, masked: 0, revealers: 0, throughGrant: 0 };

      for (const client of firm.clients) {
        for (const field of FIELDS) {
          const viewers = await whoCanSee({ db: app.db, clientId: client.id, field, now });
          const actual = (viewers ?? []).map(({ userId, display, canReveal }) => ({ userId, display, canReveal })).sort((a, b) => a.userId.localeCompare(b.userId));

          expect(actual, `${client.id} ${field}`).toEqual(expectedViewers(snapshots, client, field, now));
          for (const viewer of viewers ?? []) {
            expect(viewer.through.length, `${client.id} ${field} ${viewer.userId}`).toBeGreaterThan(0);
            seen.viewers += 1;
            if (viewer.display === 'masked') seen.masked += 1;
            if (viewer.canReveal) seen.revealers += 1;
            if (viewer.through.some((reason) => reason.kind === 'grant')) seen.throughGrant += 1;
          }
        }
      }

      // The firm must produce masked views, reveals and grant viewers, or the equality above proves little.
      expect(seen.viewers).toBeGreaterThan(500);
      expect(seen.masked).toBeGreaterThan(20);
      expect(seen.revealers).toBeGreaterThan(20);
      expect(seen.throughGrant).toBeGreaterThan(10);
    });

    it('returns undefined for missing client', async () => {
      expect(await whoCanSee({ db: app.db, clientId: 'no-such-client', field: 'name', now })).toBeUndefined();
    });
  });

  describe('explainMemberAccess against decide()', () => {
    it('agrees with decide() on reveals', async () => {
      for (const subject of snapshots.slice(0, 12)) {
        for (const client of firm.clients.slice(0, 10)) {
          const explanation = await explainMemberAccess({ db: app.db, userId: subject.userId, clientId: client.id, action: 'client:reveal', field: 'bankAccount', now });
          const decision = decide(subject, 'client:reveal', { type: 'client', ...client, category: 'financial' }, now);

          expect(explanation.allow, `${subject.userId} ${client.id}`).toBe(decision.allow);
          expect(explanation.reasons.map((reason) => reason.key)).toEqual(decision.reasons);
        }
      }
    });

    it('denies a disabled member', async () => {
      const disabled = firm.memberIds.find((id) => !snapshots.some((subject) => subject.userId === id))!;

      const explanation = await explainMemberAccess({ db: app.db, userId: disabled, clientId: firm.clients[0]!.id, action: 'client:read', now });

      expect(explanation.allow).toBe(false);
      expect(explanation.reasons.map((reason) => reason.key)).toEqual(['account_disabled']);
    });

    it('rejects missing member or client', async () => {
      const member = snapshots[0]!.userId;

      await expect(explainMemberAccess({ db: app.db, userId: 'no-such-member', clientId: firm.clients[0]!.id, action: 'client:read', now })).rejects.toMatchObject({ code: 'not_found' });
      await expect(explainMemberAccess({ db: app.db, userId: member, clientId: 'no-such-client', action: 'client:read', now })).rejects.toMatchObject({ code: 'not_found' });
    });
  });

  describe('memberReach against decide()', () => {
    it('counts clients as decide() does', async () => {
      for (const subject of snapshots) {
        const reach = await memberReach({ db: app.db, userId: subject.userId, now });
        const readable = firm.clients.filter((client) => decide(subject, 'client:read', { type: 'client', ...client }, now).allow);

        expect(reach?.clientCount, subject.userId).toBe(readable.length);
        expect(reach?.roles.map((role) => role.key)).toEqual(subject.roles);
      }
    });

    it('reports disabled member reaching nothing', async () => {
      const disabled = firm.memberIds.filter((id) => !snapshots.some((subject) => subject.userId === id));
      expect(disabled.length).toBeGreaterThan(0);

      const reach = await memberReach({ db: app.db, userId: disabled[0]!, now });

      expect(reach).toMatchObject({ status: 'disabled', clientCount: 0, roles: [], grants: [] });
    });
  });
});
