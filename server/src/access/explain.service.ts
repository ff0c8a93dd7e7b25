import { type ClientFieldKey, type FieldCategory, findClientField } from '../clients/field-catalog.js';
import type { DbOrTrx } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { type ClientResource, type Resource, decide } from './decide.js';
import { type ActiveGrant, isGrantInWindow } from './grant.js';
import { type DataScope, type Permission, ROLES, type RoleDefinition, type RoleKey, type Visibility, isRoleKey } from './roles.js';
import { loadSubjectSnapshot } from './subject.repository.js';
import type { SubjectSnapshot } from './subject.js';
import { countClientsInScope, findCoveringGrants, findCoveringRoles, findDepartmentWithAncestors, findExplainedClient, findMember } from './who-can-see.repository.js';

export type Label = { readonly 'zh-CN': string; readonly 'en-US': string };

/** One step of an explanation: a role, its data scope, a grant, or the rule that denied. */
export interface ExplainReason {
  readonly kind: 'role' | 'scope' | 'grant' | 'denial';
  /** The reason as `decide()` states it, such as `role:bookkeeper` or `out_of_scope`. */
  readonly key: string;
  readonly label: Label;
  /** End of a grant's window, ISO 8601 in UTC. Set on grant reasons only. */
  readonly endsAt?: string;
}

export interface Explanation {
  readonly allow: boolean;
  readonly reasons: readonly ExplainReason[];
}

/** The firm's wall-clock zone, used for the end times in grant labels. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const SCOPE_LABELS: Record<DataScope, Label> = {
  all: { 'zh-CN': '全部客户', 'en-US': 'all clients' },
  department_tree: { 'zh-CN': '本部门及以下', 'en-US': 'department and below' },
  department: { 'zh-CN': '本部门', 'en-US': 'department' },
  assigned: { 'zh-CN': '指派客户', 'en-US': 'assigned clients' },
  own_company: { 'zh-CN': '本公司', 'en-US': 'own company' },
  none: { 'zh-CN': '无客户', 'en-US': 'no clients' },
};

const CATEGORY_LABELS: Record<FieldCategory, Label> = {
  basic: { 'zh-CN': '基本信息', 'en-US': 'basic information' },
  financial: { 'zh-CN': '财务信息', 'en-US': 'financial information' },
  sensitive: { 'zh-CN': '敏感信息', 'en-US': 'sensitive information' },
};

const DENIAL_LABELS = {
  no_permission: { 'zh-CN': '没有任何角色或授权包含此操作权限', 'en-US': 'No role or grant holds this permission' },
  out_of_scope: { 'zh-CN': '该客户不在任何数据范围或授权之内', 'en-US': 'The client is outside every data scope and grant' },
  account_disabled: { 'zh-CN': '该账号已停用', 'en-US': 'The account is disabled' },
} as const satisfies Record<string, Label>;

export function roleReason(role: RoleDefinition): ExplainReason {
  return { kind: 'role', key: `role:${role.key}`, label: role.label };
}

export function scopeReason(scope: DataScope): ExplainReason {
  return { kind: 'scope', key: `scope:${scope}`, label: SCOPE_LABELS[scope] };
}

export function grantReason(grant: { id: string; kind: ActiveGrant['kind']; endsAt: number }, timeZone: string = DEFAULT_TIME_ZONE): ExplainReason {
  const until = formatWallClock(grant.endsAt, timeZone);
  const label =
    grant.kind === 'break_glass'
      ? { 'zh-CN': `紧急授权 ${grant.id}（至 ${until}）`, 'en-US': `Break-glass grant ${grant.id} (until ${until})` }
      : { 'zh-CN': `临时授权 ${grant.id}（至 ${until}）`, 'en-US': `Temporary grant ${grant.id} (until ${until})` };
  return { kind: 'grant', key: `grant:${grant.id}`, label, endsAt: new Date(grant.endsAt).toISOString() };
}

export function denialReason(key: keyof typeof DENIAL_LABELS): ExplainReason {
  return { kind: 'denial', key, label: DENIAL_LABELS[key] };
}

function categoryNotPlainReason(key: string, category: string): ExplainReason {
  const name = category in CATEGORY_LABELS ? CATEGORY_LABELS[category as FieldCategory] : { 'zh-CN': '未指明的类别', 'en-US': 'an unnamed category' };
  return { kind: 'denial', key, label: { 'zh-CN': `${name['zh-CN']}不是明文可见，不能查看原文`, 'en-US': `${name['en-US']} is not visible in plain, so it cannot be revealed` } };
}

/** Formats an instant as `YYYY-MM-DD HH:mm` on the wall clock of `timeZone`. */
function formatWallClock(epochMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(epochMs);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/**
 * Runs `decide()` and turns each of its reasons into a labelled step. Throws on a reason this
 * module cannot label, so a new kind of reason in `decide()` fails the tests here instead of
 * reaching an administrator unexplained.
 */
export function explainDecision(subject: SubjectSnapshot, action: Permission, resource: Resource, now: number, { timeZone = DEFAULT_TIME_ZONE }: { timeZone?: string } = {}): Explanation {
  const decision = decide(subject, action, resource, now);
  const grantsById = new Map(subject.grants.map((grant) => [grant.id, grant]));

  const reasons = decision.reasons.map((reason): ExplainReason => {
    const [prefix, value = ''] = splitReason(reason);
    if (prefix === 'role' && isRoleKey(value)) return roleReason(ROLES[value]);
    if (prefix === 'scope' && value in SCOPE_LABELS) return scopeReason(value as DataScope);
    if (prefix === 'grant' && grantsById.has(value)) return grantReason(grantsById.get(value)!, timeZone);
    if (prefix === 'category_not_plain') return categoryNotPlainReason(reason, value);
    if (reason === 'no_permission' || reason === 'out_of_scope') return denialReason(reason);
    throw new Error(`Cannot explain the decision reason "${reason}": add a label for it in explain.service.ts`);
  });
  return { allow: decision.allow, reasons };
}

function splitReason(reason: string): [string, string?] {
  const colon = reason.indexOf(':');
  return colon < 0 ? [reason] : [reason.slice(0, colon), reason.slice(colon + 1)];
}

export interface ExplainMemberAccessOptions {
  db: DbOrTrx;
  userId: string;
  clientId: string;
  action: Permission;
  field?: ClientFieldKey | undefined;
  now?: number;
  timeZone?: string;
}

/**
 * Explains whether a member may perform a client action on one client now. A reveal is
 * explained for the category of `field`, and without a field `decide()` denies it as
 * `category_not_plain:unknown`. Throws `not_found` for a missing member or client.
 */
export async function explainMemberAccess({ db, userId, clientId, action, field, now = Date.now(), timeZone = DEFAULT_TIME_ZONE }: ExplainMemberAccessOptions): Promise<Explanation> {
  const [member, client] = await Promise.all([findMember(db, userId), findExplainedClient(db, clientId)]);
  if (!member || !client) {
    throw new AppError('not_found');
  }

  // A disabled account has no snapshot: every request of it stops at sign-in.
  const subject = await loadSubjectSnapshot(db, userId);
  if (!subject) {
    return { allow: false, reasons: [denialReason('account_disabled')] };
  }

  const category = field === undefined ? undefined : findClientField(field)?.category;
  const resource: ClientResource = { type: 'client', id: client.id, departmentId: client.departmentId, ...(category ? { category } : {}) };
  return explainDecision(subject, action, resource, now, { timeZone });
}

export interface Viewer {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  /**
   * The member's visibility of the field's category. On a protected (masked or encrypted) field
   * `plain` still shows the masked form, and `canReveal` is whether the member may reveal it.
   */
  readonly display: 'plain' | 'masked';
  readonly canReveal: boolean;
  /** The roles (each followed by its scope) and grants that show the field or open its reveal. */
  readonly through: readonly ExplainReason[];
}

const VISIBILITY_RANK: Record<Visibility, number> = { none: 0, masked: 1, plain: 2 };

interface ViewerDraft {
  userId: string;
  username: string;
  displayName: string;
  visibility: Visibility;
  canReveal: boolean;
  through: ExplainReason[];
}

/**
 * Lists every active member who sees `field` of the client at `now`, and through which roles
 * and grants, from SQL on the client's side without calling `decide()`. Display and reveal follow
 * `decide()`'s rules: the widest visibility among the covering roles that hold `client:read` and
 * the grants that allow it, and a reveal through a role holding `client:reveal` with plain
 * visibility or a grant allowing `client:reveal` for the category. Returns `undefined` for a
 * missing or archived client.
 */
export async function whoCanSee({ db, clientId, field, now = Date.now(), timeZone = DEFAULT_TIME_ZONE }: { db: DbOrTrx; clientId: string; field: ClientFieldKey; now?: number; timeZone?: string }): Promise<Viewer[] | undefined> {
  const definition = findClientField(field);
  const client = await findExplainedClient(db, clientId);
  if (!definition || !client) {
    return undefined;
  }

  const departmentAncestorIds = client.departmentId === null ? [] : await findDepartmentWithAncestors(db, client.departmentId);
  const [roleRows, grantRows] = await Promise.all([findCoveringRoles(db, { client, departmentAncestorIds }), findCoveringGrants(db, { client, category: definition.category, now })]);

  const drafts = new Map<string, ViewerDraft>();
  const draftOf = (row: { userId: string; username: string; displayName: string }) => {
    const existing = drafts.get(row.userId);
    if (existing) return existing;
    const draft: ViewerDraft = { userId: row.userId, username: row.username, displayName: row.displayName, visibility: 'none', canReveal: false, through: [] };
    drafts.set(row.userId, draft);
    return draft;
  };

  for (const row of roleRows) {
    if (!isRoleKey(row.roleKey)) continue;
    const role = ROLES[row.roleKey];
    const readVisibility = role.permissions.includes('client:read') ? role.visibility[definition.category] : 'none';
    const revealable = role.permissions.includes('client:reveal') && role.visibility[definition.category] === 'plain';
    if (readVisibility === 'none' && !revealable) continue;

    const draft = draftOf(row);
    if (VISIBILITY_RANK[readVisibility] > VISIBILITY_RANK[draft.visibility]) draft.visibility = readVisibility;
    draft.canReveal ||= revealable;
    draft.through.push(roleReason(role), scopeReason(role.scope));
  }

  // The query kept only grants naming the category, and a grant shows each of its categories plain.
  for (const row of grantRows) {
    const actions = JSON.parse(row.actions) as string[];
    const readable = actions.includes('client:read');
    const revealable = actions.includes('client:reveal');
    if (!readable && !revealable) continue;

    const draft = draftOf(row);
    if (readable) draft.visibility = 'plain';
    draft.canReveal ||= revealable;
    draft.through.push(grantReason({ id: row.id, kind: row.kind, endsAt: Date.parse(row.endsAt) }, timeZone));
  }

  // Only a protected field has a hidden plain value to reveal.
  const protectedField = definition.protection !== 'plain';
  return [...drafts.values()]
    .filter((draft) => draft.visibility !== 'none')
    .sort((a, b) => a.username.localeCompare(b.username) || a.userId.localeCompare(b.userId))
    .map((draft) => ({
      userId: draft.userId,
      username: draft.username,
      displayName: draft.displayName,
      display: draft.visibility === 'plain' ? 'plain' : 'masked',
      canReveal: protectedField && draft.canReveal,
      through: draft.through,
    }));
}

export interface MemberReach {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly status: 'active' | 'disabled';
  readonly departmentId: string | null;
  /** Active clients the member can read through roles and grants together. */
  readonly clientCount: number;
  readonly roles: readonly {
    readonly key: RoleKey;
    readonly label: Label;
    readonly scope: ExplainReason;
    readonly visibility: Readonly<Record<FieldCategory, Visibility>>;
    readonly permissions: readonly Permission[];
    /** Active clients this role alone lets the member read. */
    readonly clientCount: number;
  }[];
  readonly grants: readonly {
    readonly id: string;
    readonly kind: ActiveGrant['kind'];
    readonly clientId: string | null;
    readonly departmentId: string | null;
    readonly categories: readonly FieldCategory[];
    readonly actions: readonly Permission[];
    readonly startsAt: string;
    readonly endsAt: string;
    /** Whether `now` is inside the window. A grant that has not started yet is listed too. */
    readonly inWindow: boolean;
    readonly reason: ExplainReason;
  }[];
}

/**
 * Describes everything a member can reach: each role with its scope, visibility and client
 * count, and the grants not revoked or ended. A disabled member reaches nothing. Returns
 * `undefined` for a missing member.
 */
export async function memberReach({ db, userId, now = Date.now(), timeZone = DEFAULT_TIME_ZONE }: { db: DbOrTrx; userId: string; now?: number; timeZone?: string }): Promise<MemberReach | undefined> {
  const member = await findMember(db, userId);
  if (!member) {
    return undefined;
  }
  const subject = await loadSubjectSnapshot(db, userId);
  const identity = { userId: member.id, username: member.username, displayName: member.displayName };
  if (!subject) {
    return { ...identity, status: 'disabled', departmentId: null, clientCount: 0, roles: [], grants: [] };
  }

  const readers = (key: RoleKey) => ROLES[key].permissions.includes('client:read');
  const [clientCount, ...roleCounts] = await Promise.all([
    countClientsInScope(db, { subject, permission: 'client:read', now }),
    ...subject.roles.map((key) => (readers(key) ? countClientsInScope(db, { subject, permission: 'client:read', now, roleFilter: (candidate) => candidate === key, includeGrants: false }) : Promise.resolve(0))),
  ]);

  return {
    ...identity,
    status: 'active',
    departmentId: subject.departmentId,
    clientCount: clientCount ?? 0,
    roles: subject.roles.map((key, index) => ({
      key,
      label: ROLES[key].label,
      scope: scopeReason(ROLES[key].scope),
      visibility: ROLES[key].visibility,
      permissions: ROLES[key].permissions,
      clientCount: roleCounts[index] ?? 0,
    })),
    grants: subject.grants.map((grant) => ({
      id: grant.id,
      kind: grant.kind,
      clientId: grant.clientId,
      departmentId: grant.departmentId,
      categories: [...grant.categories],
      actions: [...grant.actions],
      startsAt: new Date(grant.startsAt).toISOString(),
      endsAt: new Date(grant.endsAt).toISOString(),
      inWindow: isGrantInWindow(grant, now),
      reason: grantReason(grant, timeZone),
    })),
  };
}
