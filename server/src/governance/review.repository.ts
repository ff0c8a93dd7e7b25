import type { Selectable } from 'kysely';
import type { AccessReviewCampaignTable, AccessReviewItemTable, DbOrTrx } from '../db/index.js';

export type CampaignRow = Selectable<AccessReviewCampaignTable>;
export type ItemRow = Selectable<AccessReviewItemTable>;

/** An item with the names and grant details its presentation needs. */
export type ItemView = ItemRow & {
  campaign_name: string;
  member_username: string;
  member_display_name: string;
  department_name: string | null;
  grant_client_id: string | null;
  grant_department_id: string | null;
  grant_ends_at: string | null;
  grant_kind: string | null;
  decided_by_username: string | null;
};

export interface StaffMember {
  readonly id: string;
  readonly username: string;
  readonly departmentId: string | null;
}

/** Rows or ids per statement, well below the bound-parameter limits of SQLite and PostgreSQL. */
const CHUNK = 500;

function chunks<T>(values: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < values.length; start += CHUNK) result.push(values.slice(start, start + CHUNK));
  return result;
}

/** Active staff accounts: portal accounts (a client company, or the client_contact role) are not staff. */
function activeStaff(db: DbOrTrx) {
  return db
    .selectFrom('users')
    .where('users.status', '=', 'active')
    .where('users.client_id', 'is', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('user_roles as contact').select('contact.user_id').whereRef('contact.user_id', '=', 'users.id').where('contact.role_key', '=', 'client_contact'))));
}

export async function findActiveStaff(db: DbOrTrx, filter: { departmentIds?: readonly string[]; role?: string }): Promise<StaffMember[]> {
  let query = activeStaff(db).select(['users.id', 'users.username', 'users.department_id']);
  if (filter.departmentIds) {
    if (filter.departmentIds.length === 0) return [];
    query = query.where('users.department_id', 'in', [...filter.departmentIds]);
  }
  if (filter.role) {
    const role = filter.role;
    query = query.where((eb) => eb.exists(eb.selectFrom('user_roles as held').select('held.user_id').whereRef('held.user_id', '=', 'users.id').where('held.role_key', '=', role)));
  }
  const rows = await query.orderBy('users.username').execute();
  return rows.map((row) => ({ id: row.id, username: row.username, departmentId: row.department_id }));
}

export async function findDepartments(db: DbOrTrx): Promise<{ id: string; parent_id: string | null }[]> {
  return db.selectFrom('departments').select(['id', 'parent_id']).execute();
}

/** Active holders of each of the given roles. */
export async function findActiveRoleHolders<R extends string>(db: DbOrTrx, roles: readonly R[]): Promise<Map<R, Set<string>>> {
  const holders = new Map<R, Set<string>>(roles.map((role) => [role, new Set<string>()]));
  if (roles.length === 0) return holders;
  const rows = await db.selectFrom('user_roles').innerJoin('users', 'users.id', 'user_roles.user_id').select(['user_roles.user_id', 'user_roles.role_key']).where('users.status', '=', 'active').where('user_roles.role_key', 'in', [...roles]).execute();
  for (const row of rows) holders.get(row.role_key as R)?.add(row.user_id);
  return holders;
}

/** Finds the members' current roles, client assignments, and grants that are neither revoked nor ended. */
export async function findHoldings(db: DbOrTrx, memberIds: readonly string[], now: string) {
  const roles: { user_id: string; role_key: string }[] = [];
  const assignments: { user_id: string; client_id: string }[] = [];
  const grants: { id: string; user_id: string }[] = [];
  for (const ids of chunks(memberIds)) {
    roles.push(...(await db.selectFrom('user_roles').select(['user_id', 'role_key']).where('user_id', 'in', ids).orderBy('role_key').execute()));
    assignments.push(...(await db.selectFrom('client_assignments').select(['user_id', 'client_id']).where('user_id', 'in', ids).orderBy('client_id').execute()));
    grants.push(...(await db.selectFrom('access_grants').select(['id', 'user_id']).where('user_id', 'in', ids).where('revoked_at', 'is', null).where('ends_at', '>', now).orderBy('ends_at').execute()));
  }
  return { roles, assignments, grants };
}

export async function insertCampaign(db: DbOrTrx, campaign: CampaignRow): Promise<void> {
  await db.insertInto('access_review_campaigns').values(campaign).execute();
}

export async function insertItems(db: DbOrTrx, items: readonly ItemRow[]): Promise<void> {
  for (const batch of chunks(items)) {
    await db.insertInto('access_review_items').values(batch).execute();
  }
}

export async function findCampaign(db: DbOrTrx, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('access_review_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listCampaigns(db: DbOrTrx): Promise<(CampaignRow & { item_count: number; undecided_count: number })[]> {
  const campaigns = await db.selectFrom('access_review_campaigns').selectAll().orderBy('created_at', 'desc').limit(200).execute();
  if (campaigns.length === 0) return [];

  const counts = await db
    .selectFrom('access_review_items')
    .select((eb) => ['campaign_id', eb.fn.countAll<string | number>().as('items'), eb.fn.count<string | number>('decision').as('decided')])
    .where('campaign_id', 'in', campaigns.map((campaign) => campaign.id))
    .groupBy('campaign_id')
    .execute();
  const byCampaign = new Map(counts.map((row) => [row.campaign_id, row]));
  return campaigns.map((campaign) => {
    const count = byCampaign.get(campaign.id);
    const items = Number(count?.items ?? 0);
    return { ...campaign, item_count: items, undecided_count: items - Number(count?.decided ?? 0) };
  });
}

/** Marks an open campaign closed. Returns false when it was already closed. */
export async function markCampaignClosed(db: DbOrTrx, { id, closedBy, closedAt }: { id: string; closedBy: string | null; closedAt: string }): Promise<boolean> {
  const result = await db.updateTable('access_review_campaigns').set({ status: 'closed', closed_at: closedAt, closed_by: closedBy }).where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function findDueCampaignIds(db: DbOrTrx, now: string): Promise<string[]> {
  const rows = await db.selectFrom('access_review_campaigns').select('id').where('status', '=', 'open').where('deadline_at', '<=', now).orderBy('deadline_at').execute();
  return rows.map((row) => row.id);
}

export async function findItem(db: DbOrTrx, id: string): Promise<ItemRow | undefined> {
  return db.selectFrom('access_review_items').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUndecidedItems(db: DbOrTrx, filter: { campaignId: string } | { escalatedDueBy: string }): Promise<ItemRow[]> {
  let query = db.selectFrom('access_review_items').selectAll().where('decision', 'is', null);
  query = 'campaignId' in filter ? query.where('campaign_id', '=', filter.campaignId) : query.where('escalated_at', 'is not', null).where('due_at', '<=', filter.escalatedDueBy);
  return query.orderBy('created_at').orderBy('id').execute();
}

/**
 * Records a decision on an undecided item. Returns false when the item was decided meanwhile,
 * because the `decision is null` condition makes the second of two concurrent decisions change nothing.
 */
export async function recordDecision(db: DbOrTrx, decision: { id: string; decision: 'confirm' | 'revoke'; source: 'reviewer' | 'deadline'; decidedBy: string | null; decidedAt: string; note: string | null }): Promise<boolean> {
  const result = await db
    .updateTable('access_review_items')
    .set({ decision: decision.decision, decision_source: decision.source, decided_by: decision.decidedBy, decided_at: decision.decidedAt, note: decision.note })
    .where('id', '=', decision.id)
    .where('decision', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Hands a campaign's undecided items to the holders of `reviewerRole` with a later due time. */
export async function escalateUndecidedItems(db: DbOrTrx, { campaignId, reviewerRole, dueAt, escalatedAt }: { campaignId: string; reviewerRole: string; dueAt: string; escalatedAt: string }): Promise<number> {
  const result = await db.updateTable('access_review_items').set({ reviewer_id: null, reviewer_role: reviewerRole, due_at: dueAt, escalated_at: escalatedAt }).where('campaign_id', '=', campaignId).where('decision', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Revokes the access an item is about and returns whether anything changed. A scope item only
 * moves the member out of the department reviewed, not out of one joined since.
 */
export async function revokeItemAccess(db: DbOrTrx, item: ItemRow, now: string): Promise<boolean> {
  let changed: bigint;
  switch (item.kind) {
    case 'role':
      changed = (await db.deleteFrom('user_roles').where('user_id', '=', item.member_id).where('role_key', '=', item.role_key ?? '').executeTakeFirst()).numDeletedRows;
      break;
    case 'assignment':
      changed = (await db.deleteFrom('client_assignments').where('user_id', '=', item.member_id).where('client_id', '=', item.client_id ?? '').executeTakeFirst()).numDeletedRows;
      break;
    case 'grant':
      changed = (await db.updateTable('access_grants').set({ revoked_at: now }).where('id', '=', item.grant_id ?? '').where('user_id', '=', item.member_id).where('revoked_at', 'is', null).executeTakeFirst()).numUpdatedRows;
      break;
    case 'scope':
      changed = (await db.updateTable('users').set({ department_id: null }).where('id', '=', item.member_id).where('department_id', '=', item.department_id ?? '').executeTakeFirst()).numUpdatedRows;
      break;
  }
  return Number(changed) > 0;
}

export async function findItemViews(db: DbOrTrx, filter: { campaignId: string; decision?: 'revoke' } | { undecidedFor: { userId: string; roles: readonly string[] } }): Promise<ItemView[]> {
  let query = db
    .selectFrom('access_review_items as item')
    .innerJoin('access_review_campaigns as campaign', 'campaign.id', 'item.campaign_id')
    .innerJoin('users as member', 'member.id', 'item.member_id')
    .leftJoin('departments as department', 'department.id', 'item.department_id')
    .leftJoin('access_grants as granted', 'granted.id', 'item.grant_id')
    .leftJoin('users as decider', 'decider.id', 'item.decided_by')
    .selectAll('item')
    .select(['campaign.name as campaign_name', 'member.username as member_username', 'member.display_name as member_display_name', 'department.name as department_name', 'granted.client_id as grant_client_id', 'granted.department_id as grant_department_id', 'granted.ends_at as grant_ends_at', 'granted.kind as grant_kind', 'decider.username as decided_by_username']);

  if ('campaignId' in filter) {
    query = query.where('item.campaign_id', '=', filter.campaignId);
    if (filter.decision) query = query.where('item.decision', '=', filter.decision);
  } else {
    const { userId, roles } = filter.undecidedFor;
    // A role-held item is open to every holder of the role except the member it is about.
    query = query
      .where('item.decision', 'is', null)
      .where((eb) => eb.or([eb('item.reviewer_id', '=', userId), ...(roles.length > 0 ? [eb.and([eb('item.reviewer_role', 'in', [...roles]), eb('item.member_id', '!=', userId)])] : [])]));
  }
  return query.orderBy('item.due_at').orderBy('member.username').orderBy('item.kind').orderBy('item.id').limit(5000).execute();
}

/** Id, name and department of clients, for deciding which names a viewer may see. */
export async function findClients(db: DbOrTrx, ids: readonly string[]): Promise<{ id: string; name: string; department_id: string | null }[]> {
  const rows: { id: string; name: string; department_id: string | null }[] = [];
  for (const batch of chunks([...new Set(ids)])) {
    rows.push(...(await db.selectFrom('clients').select(['id', 'name', 'department_id']).where('id', 'in', batch).execute()));
  }
  return rows;
}

/** Active staff whose last sign-in, or creation when they never signed in, is before `cutoff`. */
export async function findDormantStaff(db: DbOrTrx, cutoff: string) {
  return activeStaff(db)
    .select((eb) => ['users.id', 'users.username', 'users.display_name', 'users.department_id', 'users.last_login_at', 'users.created_at', eb.fn.coalesce('users.last_login_at', 'users.created_at').as('last_activity_at')])
    .where((eb) => eb(eb.fn.coalesce('users.last_login_at', 'users.created_at'), '<', cutoff))
    .orderBy('users.username')
    .execute();
}

/** Disables an active account and ends its sessions. Returns the number of sessions ended, or `undefined` when the account was not active. */
export async function disableAccount(db: DbOrTrx, userId: string): Promise<number | undefined> {
  const updated = await db.updateTable('users').set({ status: 'disabled' }).where('id', '=', userId).where('status', '=', 'active').executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return undefined;
  const ended = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(ended.numDeletedRows);
}
