import type { DbOrTrx } from '../db/index.js';
import { forgetTrustedDevices } from '../identity/devices.js';
import { deleteLoginChallenges } from '../identity/login-challenge.repository.js';
import { deleteSessionsOfUser } from '../identity/session.repository.js';
import { lockUntilUnlocked } from '../identity/sign-in-throttle.js';
import { requireStepUpAfter } from '../identity/user.repository.js';
import type { ResponseKind } from './rule-catalog.js';

export interface ResponseResult {
  readonly outcome: 'done' | 'skipped';
  /** Short machine-readable detail for the response log, such as `sessions_ended=2`. */
  readonly detail: string | null;
}

/** Roles the firm cannot be left without: the one that handles alerts and the one that unlocks accounts. */
const PROTECTED_ROLES = ['security_admin', 'system_admin'] as const;

/**
 * Takes one automatic response against a member inside the detector's transaction, so the
 * response, its alert and its audit event commit together or not at all.
 */
export async function takeResponse(trx: DbOrTrx, { kind, userId, at }: { kind: ResponseKind; userId: string | null; at: Date }): Promise<ResponseResult> {
  if (userId === null) {
    return { outcome: 'skipped', detail: 'no_member' };
  }
  const member = await trx.selectFrom('users').select(['id', 'username_key', 'status']).where('id', '=', userId).executeTakeFirst();
  if (!member) {
    return { outcome: 'skipped', detail: 'no_member' };
  }

  switch (kind) {
    case 'lock_account':
      return lockAccount(trx, member, at);
    case 'end_sessions':
      return { outcome: 'done', detail: `sessions_ended=${await endSessions(trx, userId)}` };
    case 'require_step_up':
      await requireStepUpAfter(trx, userId, at.toISOString());
      return { outcome: 'done', detail: null };
    case 'suspend_grant':
      return suspendGrants(trx, userId, at);
  }
}

/**
 * Locks the account until an administrator unlocks it, and ends its sessions, as the sign-in
 * lock does. The last active, unlocked security or system administrator is never locked: an
 * attacker who can trip a rule (a few wrong passwords under that name) must not be able to
 * lock out the people who handle alerts and lift locks. That member's sessions still end.
 */
async function lockAccount(trx: DbOrTrx, member: { id: string; username_key: string }, at: Date): Promise<ResponseResult> {
  const lastOf = await lastAdministratorRole(trx, member.id, at);
  if (lastOf) {
    const ended = await endSessions(trx, member.id);
    return { outcome: 'skipped', detail: `last_administrator=${lastOf}, sessions_ended=${ended}` };
  }

  await lockUntilUnlocked(trx, member.username_key, at);
  return { outcome: 'done', detail: `sessions_ended=${await endSessions(trx, member.id)}` };
}

async function lastAdministratorRole(trx: DbOrTrx, userId: string, at: Date): Promise<string | undefined> {
  const roles = await trx.selectFrom('user_roles').select('role_key').where('user_id', '=', userId).where('role_key', 'in', [...PROTECTED_ROLES]).execute();
  for (const { role_key: role } of roles) {
    const others = await trx
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .leftJoin('sign_in_throttle', 'sign_in_throttle.username_key', 'users.username_key')
      .select('users.id')
      .where('user_roles.role_key', '=', role)
      .where('users.id', '!=', userId)
      .where('users.status', '=', 'active')
      .where((eb) => eb.or([eb('sign_in_throttle.locked_until', 'is', null), eb('sign_in_throttle.locked_until', '<=', at.toISOString())]))
      .limit(1)
      .execute();
    if (others.length === 0) return role;
  }
  return undefined;
}

/** Ends every session and pending sign-in of the member, and the trust of remembered devices. */
async function endSessions(trx: DbOrTrx, userId: string): Promise<number> {
  const ended = await deleteSessionsOfUser(trx, userId);
  await deleteLoginChallenges(trx, { userId });
  await forgetTrustedDevices(trx, userId);
  return ended;
}

/** Ends the member's temporary and break-glass grants that are open or not yet started. */
async function suspendGrants(trx: DbOrTrx, userId: string, at: Date): Promise<ResponseResult> {
  const result = await trx.updateTable('access_grants').set({ revoked_at: at.toISOString() }).where('user_id', '=', userId).where('revoked_at', 'is', null).where('ends_at', '>', at.toISOString()).executeTakeFirst();
  const suspended = Number(result.numUpdatedRows);
  return suspended > 0 ? { outcome: 'done', detail: `grants_suspended=${suspended}` } : { outcome: 'skipped', detail: 'no_active_grant' };
}
