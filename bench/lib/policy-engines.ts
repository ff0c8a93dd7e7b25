import { AbilityBuilder, type MongoAbility, type MongoQuery, createMongoAbility } from '@casl/ability';
import { type Enforcer, StringAdapter, newEnforcer, newModelFromString } from 'casbin';
import { type DataScope, ROLES } from '../../server/src/access/roles.js';
import type { SubjectSnapshot } from '../../server/src/access/subject.js';
import { CATEGORIES, type DecisionRequest, type FirmClient, type GeneratedFirm } from './firm-policy.js';

/**
 * The LedgerGuard policy (built-in roles, data scopes, category visibility for reveals, grants with
 * time windows) written for CASL and for casbin, so the benchmark compares engines that return the same
 * decisions. Neither engine returns reasons or the visibility obligations that `decide()` returns,
 * so only allow and deny are compared.
 */

/** A client as CASL conditions see it; `now` carries the request time, so grant windows are plain field conditions. */
export interface CaslClient {
  readonly id: string;
  readonly departmentId: string | null;
  readonly now: number;
}

/** Returns the conditions of one data scope, `null` for every client, or `undefined` when the scope reaches none. */
function caslScope(scope: DataScope, subject: SubjectSnapshot): MongoQuery | null | undefined {
  switch (scope) {
    case 'all':
      return null;
    case 'department_tree':
      return subject.departmentTreeIds.size > 0 ? { departmentId: { $in: [...subject.departmentTreeIds] } } : undefined;
    case 'department':
      return subject.departmentId !== null ? { departmentId: subject.departmentId } : undefined;
    case 'assigned':
      return subject.assignedClientIds.size > 0 ? { id: { $in: [...subject.assignedClientIds] } } : undefined;
    case 'own_company':
      return subject.ownClientId !== null ? { id: subject.ownClientId } : undefined;
    case 'none':
      return undefined;
  }
}

/**
 * Builds one subject's CASL ability. A reveal is a field rule: a role allows `client:reveal` on
 * the categories it shows in plain, a grant on the categories it names.
 */
export function caslAbilityFor(subject: SubjectSnapshot): MongoAbility {
  const { can, build } = new AbilityBuilder<MongoAbility>(createMongoAbility);

  for (const key of subject.roles) {
    const role = ROLES[key];
    const conditions = caslScope(role.scope, subject);
    if (conditions === undefined) continue;

    for (const action of role.permissions) {
      const fields = action === 'client:reveal' ? CATEGORIES.filter((category) => role.visibility[category] === 'plain') : undefined;
      if (fields && fields.length === 0) continue;
      if (conditions === null) {
        if (fields) can(action, 'Client', fields);
        else can(action, 'Client');
      } else if (fields) {
        can(action, 'Client', fields, conditions);
      } else {
        can(action, 'Client', conditions);
      }
    }
  }

  for (const grant of subject.grants) {
    const target = grant.clientId !== null ? { id: grant.clientId } : grant.departmentId !== null ? { departmentId: grant.departmentId } : undefined;
    if (!target) continue;
    const conditions: MongoQuery = { ...target, now: { $gte: grant.startsAt, $lt: grant.endsAt } };
    for (const action of grant.actions) {
      if (action === 'client:reveal') can(action, 'Client', [...grant.categories], conditions);
      else can(action, 'Client', conditions);
    }
  }

  return build({ detectSubjectType: () => 'Client' });
}

export function caslClient(client: FirmClient, now: number): CaslClient {
  return { id: client.id, departmentId: client.departmentId, now };
}

const CASBIN_MODEL = `
[request_definition]
r = sub, act, obj, cat, now

[policy_definition]
p = role, act, scope, target, cat, start, end

[role_definition]
g = _, _
g2 = _, _
g3 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && (p.cat == "*" || p.cat == r.cat) && g(r.sub.id, p.role) && p.start <= r.now && r.now < p.end && (p.scope == "all" || (p.scope == "department_tree" && r.obj.dept != "" && g2(r.obj.dept, r.sub.dept)) || (p.scope == "department" && r.obj.dept != "" && r.obj.dept == r.sub.dept) || (p.scope == "assigned" && g3(r.sub.id, r.obj.id)) || (p.scope == "own_company" && r.obj.id == r.sub.client) || (p.scope == "grant_client" && p.target == r.obj.id) || (p.scope == "grant_department" && r.obj.dept != "" && p.target == r.obj.dept))
`;

/** Instants as fixed-width text, because casbin policy values are strings and compare as text. */
export function casbinTime(epochMs: number): string {
  return String(epochMs).padStart(15, '0');
}

const ALWAYS_FROM = casbinTime(0);
const ALWAYS_UNTIL = '9'.repeat(15);

/**
 * Writes one subject's policy as casbin CSV. Each role, action and (for reveals) plain category
 * gets a `p` line, and so does each grant, action and category, with its window. `g` links the
 * member to its roles, `g2` departments to their parents and `g3` the member to its assigned
 * clients. A grant's `p` line names the member itself as the role, which `g()` matches because a
 * name links to itself.
 */
function casbinPolicyText(firm: GeneratedFirm, subject: SubjectSnapshot): string {
  const lines: string[] = [];
  for (const key of new Set(subject.roles)) {
    const role = ROLES[key];
    if (role.scope === 'none') continue;
    for (const action of role.permissions) {
      const categories = action === 'client:reveal' ? CATEGORIES.filter((category) => role.visibility[category] === 'plain') : ['*'];
      for (const category of categories) lines.push(['p', role.key, action, role.scope, '-', category, ALWAYS_FROM, ALWAYS_UNTIL].join(', '));
    }
  }
  for (const grant of subject.grants) {
    const [scope, target] = grant.clientId !== null ? ['grant_client', grant.clientId] : ['grant_department', grant.departmentId ?? '-'];
    for (const action of grant.actions) {
      const categories = action === 'client:reveal' ? [...grant.categories] : ['*'];
      for (const category of categories) lines.push(['p', subject.userId, action, scope, target, category, casbinTime(grant.startsAt), casbinTime(grant.endsAt)].join(', '));
    }
  }

  for (const role of subject.roles) lines.push(`g, ${subject.userId}, ${role}`);
  for (const department of firm.departments) {
    if (department.parentId !== null) lines.push(`g2, ${department.id}, ${department.parentId}`);
  }
  for (const clientId of subject.assignedClientIds) lines.push(`g3, ${subject.userId}, ${clientId}`);
  return lines.join('\n');
}

/**
 * Builds one enforcer per subject, holding only that subject's lines, as a casbin deployment
 * would load a filtered policy per member. casbin evaluates the matcher once per policy line, so
 * one enforcer for the whole firm (about 400 lines with the grants) runs a few hundred decisions
 * per second and would understate it.
 */
export async function casbinEnforcerFor(firm: GeneratedFirm, subject: SubjectSnapshot): Promise<Enforcer> {
  return newEnforcer(newModelFromString(CASBIN_MODEL), new StringAdapter(casbinPolicyText(firm, subject)));
}

/** The request values casbin's matcher reads, prepared once per request so the timed loop only enforces. */
export type CasbinRequest = readonly [{ id: string; dept: string; client: string }, string, { id: string; dept: string }, string, string];

export function casbinRequest(request: DecisionRequest, now: number): CasbinRequest {
  const { subject, client } = request;
  return [
    { id: subject.userId, dept: subject.departmentId ?? '', client: subject.ownClientId ?? '' },
    request.action,
    { id: client.id, dept: client.departmentId ?? '' },
    request.category ?? '',
    casbinTime(now),
  ];
}
