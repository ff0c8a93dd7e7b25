import type { ActiveGrant } from '../../server/src/access/grant.js';
import type { Permission, RoleKey } from '../../server/src/access/roles.js';
import type { SubjectSnapshot } from '../../server/src/access/subject.js';
import type { FieldCategory } from '../../server/src/clients/field-catalog.js';

/**
 * A generated firm for the permission benchmarks, built in memory as the subject snapshots that
 * `loadSubjectSnapshot()` would compile. It has a department tree, staff with the built-in roles
 * (some with two), client-contact accounts and clients with assigned staff. Its temporary grants
 * have windows that have started, have not started yet or have already ended.
 */
export interface GeneratedFirm {
  readonly now: number;
  readonly departments: readonly { readonly id: string; readonly parentId: string | null }[];
  readonly clients: readonly FirmClient[];
  readonly subjects: readonly SubjectSnapshot[];
}

export interface FirmClient {
  readonly id: string;
  readonly departmentId: string | null;
}

export interface FirmSize {
  readonly staff: number;
  readonly clientContacts: number;
  readonly clients: number;
  readonly grants: number;
}

export const CATEGORIES: readonly FieldCategory[] = ['basic', 'financial', 'sensitive'];

/** The client actions a decision is asked for on a client; `client:reveal` also names a category. */
export const CLIENT_ACTIONS: readonly Permission[] = ['client:list', 'client:read', 'client:reveal', 'document:upload', 'client:import', 'client:archive'];

const HOUR = 3_600_000;
const BRANCHES = 4;
const TEAMS_PER_BRANCH = 5;

/** Mulberry32: a small seeded generator, so the same seed draws the same firm. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (probability: number): boolean => next() < probability;
  return { next, pick, chance };
}

/** Staff roles by head count out of 100, before the multi-role members are added. */
const STAFF_MIX: readonly (readonly [readonly RoleKey[], number])[] = [
  [['bookkeeper'], 38],
  [['assistant'], 20],
  [['customer_service'], 8],
  [['registration_agent'], 8],
  [['department_manager'], 5],
  [['partner'], 1],
  [['bookkeeper', 'registration_agent'], 8],
  [['department_manager', 'bookkeeper'], 3],
  [['assistant', 'customer_service'], 6],
  [['security_admin'], 1],
  [['audit_admin'], 1],
  [['system_admin'], 1],
];

function departmentTree(): { id: string; parentId: string | null }[] {
  const departments = [{ id: 'dept-root', parentId: null as string | null }];
  for (let branch = 0; branch < BRANCHES; branch += 1) {
    departments.push({ id: `dept-b${branch}`, parentId: 'dept-root' });
    for (let team = 0; team < TEAMS_PER_BRANCH; team += 1) {
      departments.push({ id: `dept-b${branch}-t${team}`, parentId: `dept-b${branch}` });
    }
  }
  return departments;
}

function subtree(departments: readonly { id: string; parentId: string | null }[], rootId: string | null): Set<string> {
  const tree = new Set<string>();
  if (rootId === null) return tree;

  const pending = [rootId];
  while (pending.length > 0) {
    const id = pending.pop()!;
    tree.add(id);
    for (const department of departments) {
      if (department.parentId === id) pending.push(department.id);
    }
  }
  return tree;
}

function staffRoles(index: number, staff: number): readonly RoleKey[] {
  const slot = Math.floor((index * 100) / staff);
  let upTo = 0;
  for (const [roles, share] of STAFF_MIX) {
    upTo += share;
    if (slot < upTo) return roles;
  }
  return ['bookkeeper'];
}

function randomGrant(random: ReturnType<typeof seededRandom>, id: string, now: number, clients: readonly FirmClient[], teams: readonly string[]): ActiveGrant {
  const forClient = random.chance(0.7);
  const categories = CATEGORIES.filter(() => random.chance(0.5));
  const actions: Permission[] = ['client:list', 'client:read', ...(random.chance(0.6) ? (['client:reveal'] as const) : [])];

  // Most grants hold now; some start later and some have ended since the snapshot was compiled.
  const phase = random.next();
  let window = { startsAt: now - 2 * HOUR, endsAt: now + 6 * HOUR };
  if (phase >= 0.9) window = { startsAt: now - 5 * HOUR, endsAt: now - HOUR };
  else if (phase >= 0.7) window = { startsAt: now + HOUR, endsAt: now + 9 * HOUR };
  return Object.freeze({
    id,
    clientId: forClient ? random.pick(clients).id : null,
    departmentId: forClient ? null : random.pick(teams),
    categories: new Set(categories.length > 0 ? categories : (['basic'] as const)),
    actions: new Set(actions),
    ...window,
    kind: random.chance(0.1) ? 'break_glass' : 'temporary',
  });
}

/**
 * Generates the firm. Clients sit in teams (2 % in no department); each gets one bookkeeper of its
 * team, half an assistant and a tenth a registration agent. Department managers lead a branch or
 * a team, and the partner the whole firm.
 */
export function generateFirm({ staff, clientContacts, clients: clientCount, grants: grantCount }: FirmSize, seed = 20261205): GeneratedFirm {
  const random = seededRandom(seed);
  const now = Date.parse('2026-12-05T10:00:00Z');
  const departments = departmentTree();
  const teams = departments.filter((department) => department.id.includes('-t')).map((department) => department.id);
  const branches = departments.filter((department) => /^dept-b\d+$/.test(department.id)).map((department) => department.id);

  const clients: FirmClient[] = Array.from({ length: clientCount }, (_, index) => ({ id: `client-${index}`, departmentId: random.chance(0.02) ? null : random.pick(teams) }));

  const members = Array.from({ length: staff }, (_, index) => {
    const roles = staffRoles(index, staff);
    const leadsBranch = roles.includes('department_manager') && random.chance(0.4);
    let departmentId: string | null = random.pick(teams);
    if (roles.includes('partner')) departmentId = 'dept-root';
    else if (leadsBranch) departmentId = random.pick(branches);
    else if (roles.some((role) => role.endsWith('_admin'))) departmentId = null;
    return { id: `staff-${index}`, roles, departmentId, assigned: new Set<string>(), grants: [] as ActiveGrant[] };
  });

  // Assignments go to staff of the client's own team where the team has such a member.
  const byTeamAndRole = new Map<string, typeof members>();
  for (const member of members) {
    for (const role of member.roles) {
      const key = `${member.departmentId}|${role}`;
      byTeamAndRole.set(key, [...(byTeamAndRole.get(key) ?? []), member]);
    }
  }
  const assign = (client: FirmClient, role: RoleKey): void => {
    const candidates = byTeamAndRole.get(`${client.departmentId}|${role}`) ?? byTeamAndRole.get(`${random.pick(teams)}|${role}`) ?? [];
    if (candidates.length > 0) random.pick(candidates).assigned.add(client.id);
  };
  for (const client of clients) {
    assign(client, 'bookkeeper');
    if (random.chance(0.5)) assign(client, 'assistant');
    if (random.chance(0.1)) assign(client, 'registration_agent');
  }

  const grantable = members.filter((member) => !member.roles.some((role) => role.endsWith('_admin')));
  for (let index = 0; index < grantCount; index += 1) {
    random.pick(grantable).grants.push(randomGrant(random, `grant-${index}`, now, clients, teams));
  }

  const subjects: SubjectSnapshot[] = members.map((member) =>
    Object.freeze({
      userId: member.id,
      username: member.id,
      roles: Object.freeze([...member.roles]),
      departmentId: member.departmentId,
      departmentTreeIds: subtree(departments, member.departmentId),
      assignedClientIds: member.assigned,
      ownClientId: null,
      grants: Object.freeze(member.grants),
    }),
  );
  for (let index = 0; index < clientContacts; index += 1) {
    subjects.push(
      Object.freeze({
        userId: `contact-${index}`,
        username: `contact-${index}`,
        roles: Object.freeze(['client_contact'] as RoleKey[]),
        departmentId: null,
        departmentTreeIds: new Set<string>(),
        assignedClientIds: new Set<string>(),
        ownClientId: random.pick(clients).id,
        grants: Object.freeze([]),
      }),
    );
  }

  return { now, departments, clients, subjects };
}

/** One permission question: may this subject take this action on this client (and category)? */
export interface DecisionRequest {
  readonly subject: SubjectSnapshot;
  readonly action: Permission;
  readonly client: FirmClient;
  readonly category: FieldCategory | undefined;
}

/**
 * Draws requests that reach every branch of the policy: four in ten ask about a client the
 * subject is assigned to, owns, has a grant for or shares a department with; the rest about
 * any client, which mostly falls outside the subject's scope.
 */
export function sampleRequests(firm: GeneratedFirm, count: number, seed = 7): DecisionRequest[] {
  const random = seededRandom(seed);
  const clientsByDepartment = new Map<string | null, FirmClient[]>();
  for (const client of firm.clients) {
    clientsByDepartment.set(client.departmentId, [...(clientsByDepartment.get(client.departmentId) ?? []), client]);
  }
  const clientById = new Map(firm.clients.map((client) => [client.id, client]));

  const nearClient = (subject: SubjectSnapshot): FirmClient | undefined => {
    const choice = random.next();
    if (choice < 0.4 && subject.assignedClientIds.size > 0) return clientById.get(random.pick([...subject.assignedClientIds]));
    if (choice < 0.6 && subject.grants.length > 0) {
      const grant = random.pick(subject.grants);
      return grant.clientId !== null ? clientById.get(grant.clientId) : random.pick(clientsByDepartment.get(grant.departmentId) ?? firm.clients);
    }
    if (choice < 0.8 && subject.ownClientId !== null) return clientById.get(subject.ownClientId);
    return random.pick(clientsByDepartment.get(subject.departmentId) ?? firm.clients);
  };

  return Array.from({ length: count }, () => {
    const subject = random.pick(firm.subjects);
    const action = random.chance(0.3) ? 'client:reveal' : random.pick(CLIENT_ACTIONS);
    const client = (random.chance(0.4) ? nearClient(subject) : undefined) ?? random.pick(firm.clients);
    return { subject, action, client, category: action === 'client:reveal' ? random.pick(CATEGORIES) : undefined };
  });
}
