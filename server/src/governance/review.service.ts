import { randomUUID } from 'node:crypto';
import { ADMINISTRATOR_ROLES, type RoleKey, type SubjectSnapshot, decide } from '../access/index.js';
import type { AuditActor, AuditEventInput, AuditLog } from '../audit/index.js';
import type { Db, DbOrTrx } from '../db/index.js';
import { AppError } from '../errors/index.js';
import * as reviews from './review.repository.js';
import type { CampaignRow, ItemRow, ItemView, StaffMember } from './review.repository.js';

export const DEADLINE_RULES = ['revoke', 'escalate'] as const;
export type DeadlineRule = (typeof DEADLINE_RULES)[number];
export type ReviewDecision = 'confirm' | 'revoke';
export type Population = { readonly kind: 'all' } | { readonly kind: 'department'; readonly departmentId: string } | { readonly kind: 'role'; readonly role: RoleKey };

/** Escalated items go to this role and get this many more days. */
export const ESCALATION_ROLE: RoleKey = 'security_admin';
export const ESCALATION_DAYS = 3;
export const DEFAULT_DORMANT_DAYS = 90;
const DAY_MS = 86_400_000;

/** A review item with the client it concerns; `name` is `null` where the viewer may not list the client. */
export type ReviewItem = ItemView & { readonly client: { readonly id: string; readonly name: string | null } | null };

type Actor = AuditActor & { id: string };
interface Origin {
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}
const SCHEDULER_ORIGIN: Origin = { ip: undefined, userAgent: undefined };

/** An item's reviewer: one department manager, or every holder of a role except the member the item is about. */
export type Reviewer = { readonly reviewerId: string; readonly reviewerRole: null } | { readonly reviewerId: null; readonly reviewerRole: RoleKey };

export interface ReviewerPool {
  readonly parentOf: ReadonlyMap<string, string | null>;
  /** Active department managers by their own department, ordered by username. */
  readonly managersByDepartment: ReadonlyMap<string, readonly StaffMember[]>;
  readonly partnerIds: readonly string[];
}

/**
 * Picks an item's reviewer: the nearest department manager whose department is the member's or
 * one above it, else the partners, else the security administrators. The member is skipped at
 * every step, so nobody reviews their own access.
 */
export function pickReviewer(pool: ReviewerPool, member: StaffMember): Reviewer {
  const visited = new Set<string>();
  let departmentId = member.departmentId;
  while (departmentId && !visited.has(departmentId)) {
    visited.add(departmentId);
    const manager = pool.managersByDepartment.get(departmentId)?.find((candidate) => candidate.id !== member.id);
    if (manager) return { reviewerId: manager.id, reviewerRole: null };
    departmentId = pool.parentOf.get(departmentId) ?? null;
  }
  if (pool.partnerIds.some((id) => id !== member.id)) return { reviewerId: null, reviewerRole: 'partner' };
  // NOTE: when the member is the only security administrator, nobody can decide the item and the deadline rule settles it.
  return { reviewerId: null, reviewerRole: 'security_admin' };
}

/**
 * Periodic access reviews (权限复核): a campaign snapshots the roles, client assignments, grants
 * and department of every staff member in its population as items, each reviewer confirms or
 * revokes them, and at the deadline the campaign's rule settles what is left. A revocation
 * applies in the transaction of its decision, and every decision is audited.
 */
export class AccessReviewService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #now: () => Date;

  constructor({ db, audit, now = () => new Date() }: { db: Db; audit: AuditLog; now?: () => Date }) {
    this.#db = db;
    this.#audit = audit;
    this.#now = now;
  }

  async start({ name, population, deadline, deadlineRule, actor, origin }: { name: string; population: Population; deadline: Date; deadlineRule: DeadlineRule; actor: Actor; origin: Origin }) {
    const now = this.#now();
    if (!(deadline.getTime() > now.getTime())) {
      throw new AppError('review_invalid', { detail: 'deadline' }, [{ path: 'deadline', message: 'invalid' }]);
    }

    return this.#db.transaction().execute(async (trx) => {
      const members = await this.#findPopulation(trx, population);
      if (members.length === 0) {
        throw new AppError('review_invalid', { detail: 'population' }, [{ path: 'population', message: 'invalid' }]);
      }
      const campaign: CampaignRow = {
        id: randomUUID(),
        name: name.trim(),
        population_kind: population.kind,
        population_ref: populationRef(population),
        deadline_at: deadline.toISOString(),
        deadline_rule: deadlineRule,
        status: 'open',
        started_by: actor.id,
        created_at: now.toISOString(),
        closed_at: null,
        closed_by: null,
      };
      const items = await this.#snapshotItems(trx, campaign, members);

      await reviews.insertCampaign(trx, campaign);
      await reviews.insertItems(trx, items);
      await this.#audit.append(trx, { action: 'review.campaign_started', outcome: 'success', actor, targetType: 'access_review', targetId: campaign.id, ip: origin.ip, userAgent: origin.userAgent, details: { name: campaign.name, population, deadline: campaign.deadline_at, deadlineRule, members: members.length, items: items.length } });
      return { ...campaign, item_count: items.length, undecided_count: items.length };
    });
  }

  async listCampaigns() {
    return reviews.listCampaigns(this.#db);
  }

  /** Lists the undecided items the reviewer may decide now. */
  async listItemsToReview(reviewer: SubjectSnapshot) {
    const views = await reviews.findItemViews(this.#db, { undecidedFor: { userId: reviewer.userId, roles: reviewer.roles } });
    return this.#withClients(views, reviewer);
  }

  async listCampaignItems(campaignId: string, viewer: SubjectSnapshot) {
    await this.#findCampaignOrThrow(campaignId);
    return this.#withClients(await reviews.findItemViews(this.#db, { campaignId }), viewer);
  }

  async decide({ itemId, decision, note, reviewer, origin }: { itemId: string; decision: ReviewDecision; note?: string | undefined; reviewer: SubjectSnapshot; origin: Origin }) {
    const now = this.#now().toISOString();
    const actor = { id: reviewer.userId, username: reviewer.username };

    return this.#db.transaction().execute(async (trx) => {
      const item = await reviews.findItem(trx, itemId);
      if (!item) throw new AppError('not_found');
      if (item.member_id === reviewer.userId) throw new AppError('review_own_item_forbidden');
      if (!isReviewerOf(item, reviewer)) throw new AppError('review_not_reviewer');
      // Checked again by the update itself, which loses to a concurrent decision without changing anything.
      if (item.decision !== null) throw new AppError('review_item_decided');

      const trimmedNote = note?.trim().slice(0, 500) || null;
      if (!(await reviews.recordDecision(trx, { id: item.id, decision, source: 'reviewer', decidedBy: reviewer.userId, decidedAt: now, note: trimmedNote }))) {
        throw new AppError('review_item_decided');
      }
      const changed = decision === 'revoke' ? await reviews.revokeItemAccess(trx, item, now) : false;
      await this.#audit.append(trx, decisionEvent(item, { decision, source: 'reviewer', changed, actor, origin, note: trimmedNote }));
      return { id: item.id, decision, decidedAt: now, changed };
    });
  }

  /** Applies the deadline rule to the campaign's undecided items now, ahead of the deadline if need be. */
  async close({ campaignId, actor, origin }: { campaignId: string; actor: Actor; origin: Origin }) {
    await this.#findCampaignOrThrow(campaignId);
    const outcome = await this.#close(campaignId, actor, origin, this.#now());
    if (!outcome) throw new AppError('review_campaign_closed');
    return outcome;
  }

  /**
   * Closes every open campaign whose deadline has passed, and revokes escalated items still
   * undecided at their extended deadline. The scheduler calls it, so the audit events name no actor.
   */
  async closeDueCampaigns(now: Date = this.#now()) {
    const closed: string[] = [];
    for (const campaignId of await reviews.findDueCampaignIds(this.#db, now.toISOString())) {
      // Another instance may close the same campaign first, and then it is left out here.
      if (await this.#close(campaignId, null, SCHEDULER_ORIGIN, now)) closed.push(campaignId);
    }

    const revokedAfterEscalation = await this.#db.transaction().execute(async (trx) => {
      const overdue = await reviews.findUndecidedItems(trx, { escalatedDueBy: now.toISOString() });
      return this.#revokeAtDeadline(trx, overdue, null, SCHEDULER_ORIGIN, now.toISOString());
    });
    return { closed, revokedAfterEscalation };
  }

  async report(campaignId: string, viewer: SubjectSnapshot) {
    const campaign = await this.#findCampaignOrThrow(campaignId);
    const views = await reviews.findItemViews(this.#db, { campaignId });

    const byDecision = { confirm: 0, revoke: 0, undecided: 0 };
    const bySource = { reviewer: 0, deadline: 0 };
    const byKind = Object.fromEntries(ITEM_KINDS.map((kind) => [kind, { total: 0, confirm: 0, revoke: 0, undecided: 0 }])) as Record<ItemRow['kind'], { total: number; confirm: number; revoke: number; undecided: number }>;
    for (const view of views) {
      const decision = view.decision ?? 'undecided';
      byDecision[decision] += 1;
      byKind[view.kind].total += 1;
      byKind[view.kind][decision] += 1;
      if (view.decision_source) bySource[view.decision_source] += 1;
    }

    const revocations = await this.#withClients(views.filter((view) => view.decision === 'revoke'), viewer);
    return { campaign, total: views.length, escalated: views.filter((view) => view.escalated_at !== null).length, byDecision, bySource, byKind, revocations };
  }

  /** Active staff whose last sign-in (or creation, if they never signed in) is older than `days`. */
  async findDormantAccounts({ days = DEFAULT_DORMANT_DAYS, now = this.#now() }: { days?: number; now?: Date } = {}) {
    return this.#findDormant(this.#db, days, now);
  }

  /** Lists dormant accounts for an administrator and records that they were flagged. */
  async flagDormantAccounts({ days = DEFAULT_DORMANT_DAYS, actor, origin }: { days?: number; actor: Actor; origin: Origin }) {
    const accounts = await this.findDormantAccounts({ days });
    await this.#audit.record({ action: 'review.dormant_flagged', outcome: 'success', actor, ip: origin.ip, userAgent: origin.userAgent, details: { days, count: accounts.length, userIds: accounts.map((account) => account.id) } });
    return accounts;
  }

  /**
   * Disables dormant accounts and ends their sessions. The last active holder of an
   * administrator role is kept, because disabling it would leave nobody to enable accounts,
   * grant roles or read the audit log.
   */
  async disableDormantAccounts({ days = DEFAULT_DORMANT_DAYS, actor, origin }: { days?: number; actor: Actor; origin: Origin }) {
    const now = this.#now();
    return this.#db.transaction().execute(async (trx) => {
      const dormant = await this.#findDormant(trx, days, now);
      const holders = await reviews.findActiveRoleHolders(trx, ADMINISTRATOR_ROLES);
      const disabled: typeof dormant = [];
      const kept: ((typeof dormant)[number] & { reason: 'last_administrator' })[] = [];
      const events: AuditEventInput[] = [];

      for (const account of dormant.filter((candidate) => candidate.id !== actor.id)) {
        const adminRoles = account.roles.filter((role) => ADMINISTRATOR_ROLES.includes(role));
        if (adminRoles.some((role) => holders.get(role)?.size === 1)) {
          kept.push({ ...account, reason: 'last_administrator' });
          continue;
        }
        const sessionsEnded = await reviews.disableAccount(trx, account.id);
        if (sessionsEnded === undefined) continue;
        for (const role of adminRoles) holders.get(role)?.delete(account.id);
        disabled.push(account);
        events.push({ action: 'review.dormant_disabled', outcome: 'success', actor, targetType: 'user', targetId: account.id, ip: origin.ip, userAgent: origin.userAgent, details: { days, lastActivityAt: account.lastActivityAt, sessionsEnded } });
      }
      if (events.length > 0) await this.#audit.append(trx, ...events);
      return { days, disabled, kept };
    });
  }

  async #findDormant(db: DbOrTrx, days: number, now: Date) {
    const rows = await reviews.findDormantStaff(db, new Date(now.getTime() - days * DAY_MS).toISOString());
    const { roles } = await reviews.findHoldings(db, rows.map((row) => row.id), now.toISOString());
    return rows.map((row) => ({
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      departmentId: row.department_id,
      roles: roles.filter((held) => held.user_id === row.id).map((held) => held.role_key as RoleKey),
      lastLoginAt: row.last_login_at,
      createdAt: row.created_at,
      lastActivityAt: row.last_activity_at,
    }));
  }

  async #findCampaignOrThrow(campaignId: string): Promise<CampaignRow> {
    const campaign = await reviews.findCampaign(this.#db, campaignId);
    if (!campaign) throw new AppError('not_found');
    return campaign;
  }

  async #findPopulation(db: DbOrTrx, population: Population): Promise<StaffMember[]> {
    switch (population.kind) {
      case 'all':
        return reviews.findActiveStaff(db, {});
      case 'role':
        return reviews.findActiveStaff(db, { role: population.role });
      case 'department': {
        const departments = await reviews.findDepartments(db);
        if (!departments.some((department) => department.id === population.departmentId)) throw new AppError('not_found');
        return reviews.findActiveStaff(db, { departmentIds: [...departmentSubtree(departments, population.departmentId)] });
      }
    }
  }

  /** One item per role, client assignment and unended grant of each member, and one for the department. */
  async #snapshotItems(db: DbOrTrx, campaign: CampaignRow, members: readonly StaffMember[]): Promise<ItemRow[]> {
    const pool = await this.#loadReviewerPool(db);
    const holdings = await reviews.findHoldings(db, members.map((member) => member.id), campaign.created_at);
    const items: ItemRow[] = [];

    for (const member of members) {
      const reviewer = pickReviewer(pool, member);
      const item = (kind: ItemRow['kind'], subject: Partial<Pick<ItemRow, 'role_key' | 'client_id' | 'grant_id' | 'department_id'>>): ItemRow => ({
        id: randomUUID(),
        campaign_id: campaign.id,
        member_id: member.id,
        kind,
        role_key: subject.role_key ?? null,
        client_id: subject.client_id ?? null,
        grant_id: subject.grant_id ?? null,
        department_id: subject.department_id ?? null,
        reviewer_id: reviewer.reviewerId,
        reviewer_role: reviewer.reviewerRole,
        due_at: campaign.deadline_at,
        escalated_at: null,
        decision: null,
        decision_source: null,
        decided_by: null,
        decided_at: null,
        note: null,
        created_at: campaign.created_at,
      });
      items.push(...holdings.roles.filter((row) => row.user_id === member.id).map((row) => item('role', { role_key: row.role_key })));
      items.push(...holdings.assignments.filter((row) => row.user_id === member.id).map((row) => item('assignment', { client_id: row.client_id })));
      items.push(...holdings.grants.filter((row) => row.user_id === member.id).map((row) => item('grant', { grant_id: row.id })));
      if (member.departmentId) items.push(item('scope', { department_id: member.departmentId }));
    }
    return items;
  }

  async #loadReviewerPool(db: DbOrTrx): Promise<ReviewerPool> {
    const [departments, managers, partners] = await Promise.all([reviews.findDepartments(db), reviews.findActiveStaff(db, { role: 'department_manager' }), reviews.findActiveStaff(db, { role: 'partner' })]);
    const managersByDepartment = new Map<string, StaffMember[]>();
    for (const manager of managers) {
      if (manager.departmentId) managersByDepartment.set(manager.departmentId, [...(managersByDepartment.get(manager.departmentId) ?? []), manager]);
    }
    return { parentOf: new Map(departments.map((department) => [department.id, department.parent_id])), managersByDepartment, partnerIds: partners.map((partner) => partner.id) };
  }

  /** Closes one campaign under its rule. Returns `undefined` when the campaign was already closed. */
  async #close(campaignId: string, actor: Actor | null, origin: Origin, now: Date) {
    return this.#db.transaction().execute(async (trx) => {
      const campaign = await reviews.findCampaign(trx, campaignId);
      // The conditional update also serializes two closers: the second finds the campaign closed.
      if (!campaign || !(await reviews.markCampaignClosed(trx, { id: campaignId, closedBy: actor?.id ?? null, closedAt: now.toISOString() }))) return undefined;

      let revoked = 0;
      let escalated = 0;
      if (campaign.deadline_rule === 'revoke') {
        revoked = await this.#revokeAtDeadline(trx, await reviews.findUndecidedItems(trx, { campaignId }), actor, origin, now.toISOString());
      } else {
        // Extended from the deadline, or from now when the campaign closes late.
        const dueAt = new Date(Math.max(Date.parse(campaign.deadline_at), now.getTime()) + ESCALATION_DAYS * DAY_MS).toISOString();
        escalated = await reviews.escalateUndecidedItems(trx, { campaignId, reviewerRole: ESCALATION_ROLE, dueAt, escalatedAt: now.toISOString() });
      }

      await this.#audit.append(trx, { action: 'review.campaign_closed', outcome: 'success', actor, targetType: 'access_review', targetId: campaignId, ip: origin.ip, userAgent: origin.userAgent, details: { deadlineRule: campaign.deadline_rule, revoked, escalated } });
      return { id: campaignId, status: 'closed' as const, deadlineRule: campaign.deadline_rule, revoked, escalated };
    });
  }

  /** Revokes undecided items under a deadline rule and audits each. Returns how many it decided. */
  async #revokeAtDeadline(trx: DbOrTrx, items: readonly ItemRow[], actor: Actor | null, origin: Origin, now: string): Promise<number> {
    // TODO: an administrator role of its last active holder is revoked like any other role; a guard like the dormant-account one may be wanted.
    const events: AuditEventInput[] = [];
    for (const item of items) {
      if (!(await reviews.recordDecision(trx, { id: item.id, decision: 'revoke', source: 'deadline', decidedBy: null, decidedAt: now, note: null }))) continue;
      const changed = await reviews.revokeItemAccess(trx, item, now);
      events.push(decisionEvent(item, { decision: 'revoke', source: 'deadline', changed, actor, origin, note: null }));
    }
    if (events.length > 0) await this.#audit.append(trx, ...events);
    return events.length;
  }

  /** Adds to each item the client it concerns, named only where the viewer's own scope lists that client. */
  async #withClients(views: readonly ItemView[], viewer: SubjectSnapshot): Promise<ReviewItem[]> {
    const clientIds = views.flatMap((view) => [view.client_id, view.grant_client_id]).filter((id): id is string => id !== null);
    const clients = new Map((await reviews.findClients(this.#db, clientIds)).map((client) => [client.id, client]));
    const clientOf = (id: string | null) => {
      if (!id) return null;
      const client = clients.get(id);
      const visible = client !== undefined && decide(viewer, 'client:list', { type: 'client', id, departmentId: client.department_id }).allow;
      return { id, name: visible ? client.name : null };
    };
    return views.map((view) => ({ ...view, client: clientOf(view.client_id ?? view.grant_client_id) }));
  }
}

const ITEM_KINDS: readonly ItemRow['kind'][] = ['role', 'assignment', 'grant', 'scope'];

function isReviewerOf(item: ItemRow, reviewer: SubjectSnapshot): boolean {
  if (item.reviewer_id !== null) return item.reviewer_id === reviewer.userId;
  return item.reviewer_role !== null && (reviewer.roles as readonly string[]).includes(item.reviewer_role);
}

function decisionEvent(item: ItemRow, { decision, source, changed, actor, origin, note }: { decision: ReviewDecision; source: 'reviewer' | 'deadline'; changed: boolean; actor: AuditActor | null; origin: Origin; note: string | null }): AuditEventInput {
  return {
    action: 'review.item_decided',
    outcome: 'success',
    actor,
    targetType: 'user',
    targetId: item.member_id,
    clientId: item.client_id ?? undefined,
    reason: note ?? undefined,
    ip: origin.ip,
    userAgent: origin.userAgent,
    details: { campaignId: item.campaign_id, itemId: item.id, kind: item.kind, roleKey: item.role_key, grantId: item.grant_id, departmentId: item.department_id, decision, source, changed },
  };
}

function populationRef(population: Population): string | null {
  switch (population.kind) {
    case 'department':
      return population.departmentId;
    case 'role':
      return population.role;
    case 'all':
      return null;
  }
}

function departmentSubtree(departments: readonly { id: string; parent_id: string | null }[], rootId: string): Set<string> {
  const tree = new Set<string>([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const department of departments) {
      if (department.parent_id && tree.has(department.parent_id) && !tree.has(department.id)) {
        tree.add(department.id);
        grew = true;
      }
    }
  }
  return tree;
}
