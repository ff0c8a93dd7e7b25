import { randomInt } from 'node:crypto';
import type { AuditLog } from '../audit/index.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { maskValue } from '../clients/masking.js';
import { normalizeMobile } from '../clients/identifiers.js';
import type { ActiveSession, AuthService, RequestOrigin } from './auth.service.js';
import { forgetTrustedDevices } from './devices.js';
import { hashPassword, verifyPassword } from './password.js';
import type { PasswordRules } from './password-rules.js';
import { deleteSessionByPublicId, deleteSessionsOfUser, listSessions } from './session.repository.js';
import { findUserById } from './user.repository.js';

interface Actor {
  readonly id: string;
  readonly username: string;
}

/** Characters of temporary passwords: no 0/O, 1/l/I, so they can be read out over the phone. */
const TEMPORARY_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789';

/**
 * A member's own account (password, phone, sessions) and the administrator's actions on
 * accounts (disable, enable, reset, forced sign-out). Every change is audited, and every change
 * that could mean a stolen account ends the account's other sessions.
 */
export class AccountService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #crypto: FieldCrypto;
  readonly #auth: AuthService;
  readonly #passwords: PasswordRules;
  readonly #now: () => Date;

  constructor({ db, audit, crypto, auth, passwords, now = () => new Date() }: { db: Db; audit: AuditLog; crypto: FieldCrypto; auth: AuthService; passwords: PasswordRules; now?: () => Date }) {
    this.#db = db;
    this.#audit = audit;
    this.#crypto = crypto;
    this.#auth = auth;
    this.#passwords = passwords;
    this.#now = now;
  }

  /** Changes the member's password; ends every session of the account and returns a fresh one. */
  async changePassword({ session, actor, currentPassword, newPassword, origin }: { session: ActiveSession; actor: Actor; currentPassword: string; newPassword: string; origin: RequestOrigin }): Promise<string> {
    // A stolen session must not become a password-guessing oracle: wrong current passwords count
    // against the same lock as sign-in failures.
    await this.#auth.assertMemberNotLockedOrThrow(actor.id);
    const user = await findUserById(this.#db, actor.id);
    if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, currentPassword))) {
      await this.#auth.countPasswordFailure(actor.id);
      await this.#audit.record({ action: 'auth.password_changed', outcome: 'failure', actor, ip: origin.ip, userAgent: origin.userAgent, details: { failure: 'bad_current_password' } });
      throw new AppError('invalid_credentials', {}, [{ path: 'currentPassword', message: 'invalid_credentials' }]);
    }
    const phone = await this.#phoneOf(actor.id);
    this.#passwords.assertAcceptableOrThrow(newPassword, { username: user.username, displayName: user.displayName, phone }, 'newPassword');
    if (await this.#passwords.isReused(this.#db, actor.id, newPassword)) {
      throw new AppError('password_rejected', {}, [{ path: 'newPassword', message: 'password_reused' }]);
    }

    const passwordHash = await hashPassword(newPassword);
    return this.#db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash, password_changed_at: this.#now().toISOString(), must_change_password: 0 }).where('id', '=', actor.id).execute();
      // The history keeps the passwords before the current one.
      await this.#passwords.remember(trx, actor.id, user.passwordHash!);
      const ended = await deleteSessionsOfUser(trx, actor.id);
      await forgetTrustedDevices(trx, actor.id);
      const token = await this.#auth.reopenSession(trx, actor.id, session, origin);
      await this.#audit.append(trx, { action: 'auth.password_changed', outcome: 'success', actor, targetType: 'user', targetId: actor.id, ip: origin.ip, userAgent: origin.userAgent, details: { sessionsEnded: ended } });
      return token;
    });
  }

  async setPhone({ actor, phone, origin }: { actor: Actor; phone: string; origin: RequestOrigin }): Promise<string> {
    const normalized = normalizeMobile(phone);
    if (!normalized) {
      throw new AppError('phone_invalid', {}, [{ path: 'phone', message: 'phone_invalid' }]);
    }
    const masked = maskValue('mobile', normalized);
    const encrypted = await this.#crypto.encryptFirmSecret(this.#db, { table: 'users', column: 'phone', rowId: actor.id }, normalized);
    await this.#db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ phone_enc: encrypted, phone_masked: masked }).where('id', '=', actor.id).execute();
      await this.#audit.append(trx, { action: 'account.phone_changed', outcome: 'success', actor, targetType: 'user', targetId: actor.id, ip: origin.ip, userAgent: origin.userAgent });
    });
    return masked;
  }

  async listOwnSessions(session: ActiveSession) {
    const sessions = await listSessions(this.#db, { userId: session.userId, activeAt: this.#now().toISOString() });
    return sessions.map((entry) => ({ id: entry.publicId, current: entry.idHash === session.idHash, createdAt: entry.createdAt, lastSeenAt: entry.lastSeenAt, ip: entry.ip, userAgent: entry.userAgent, authMethod: entry.authMethod }));
  }

  async listAllSessions() {
    const sessions = await listSessions(this.#db, { activeAt: this.#now().toISOString() });
    return sessions.map((entry) => ({ id: entry.publicId, userId: entry.userId, username: entry.username, displayName: entry.displayName, createdAt: entry.createdAt, lastSeenAt: entry.lastSeenAt, ip: entry.ip, userAgent: entry.userAgent, authMethod: entry.authMethod }));
  }

  /** Ends one session: the member's own (`ownerId` given) or any, for an administrator. */
  async revokeSession({ publicId, ownerId, actor, origin }: { publicId: string; ownerId?: string; actor: Actor; origin: RequestOrigin }): Promise<void> {
    const userId = await deleteSessionByPublicId(this.#db, publicId, ownerId);
    if (!userId) {
      throw new AppError('not_found');
    }
    await this.#audit.record({ action: 'auth.session_revoked', outcome: 'success', actor, targetType: 'user', targetId: userId, ip: origin.ip, userAgent: origin.userAgent, details: { by: ownerId ? 'owner' : 'administrator' } });
  }

  async revokeOtherSessions({ session, actor, origin, deviceToken }: { session: ActiveSession; actor: Actor; origin: RequestOrigin; deviceToken: string | undefined }): Promise<number> {
    const revoked = await deleteSessionsOfUser(this.#db, session.userId, session.idHash);
    // Signing out everywhere else also ends the trust given to other remembered devices.
    await forgetTrustedDevices(this.#db, session.userId, deviceToken);
    await this.#audit.record({ action: 'auth.session_revoked', outcome: 'success', actor, targetType: 'user', targetId: session.userId, ip: origin.ip, userAgent: origin.userAgent, details: { by: 'owner', others: revoked } });
    return revoked;
  }

  async setUserStatus({ userId, status, actor, origin }: { userId: string; status: 'active' | 'disabled'; actor: Actor; origin: RequestOrigin }): Promise<void> {
    if (userId === actor.id) {
      throw new AppError('forbidden');
    }
    await this.#db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('users').set({ status }).where('id', '=', userId).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new AppError('not_found');
      const ended = status === 'disabled' ? await deleteSessionsOfUser(trx, userId) : 0;
      await this.#audit.append(trx, { action: status === 'disabled' ? 'admin.user_disabled' : 'admin.user_enabled', outcome: 'success', actor, targetType: 'user', targetId: userId, ip: origin.ip, userAgent: origin.userAgent, details: { sessionsEnded: ended } });
    });
  }

  /** Sets a random temporary password the member must change at the next sign-in; returns it once. */
  async resetPassword({ userId, actor, origin }: { userId: string; actor: Actor; origin: RequestOrigin }): Promise<string> {
    if (userId === actor.id) {
      throw new AppError('forbidden');
    }
    const temporary = temporaryPassword();
    const passwordHash = await hashPassword(temporary);
    const previous = await findUserById(this.#db, userId);
    await this.#db.transaction().execute(async (trx) => {
      // The password before the reset joins the history, so the forced change cannot restore it.
      if (previous?.passwordHash) await this.#passwords.remember(trx, userId, previous.passwordHash);
      const result = await trx.updateTable('users').set({ password_hash: passwordHash, must_change_password: 1, password_changed_at: this.#now().toISOString() }).where('id', '=', userId).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new AppError('not_found');
      const ended = await deleteSessionsOfUser(trx, userId);
      await forgetTrustedDevices(trx, userId);
      await this.#audit.append(trx, { action: 'admin.password_reset', outcome: 'success', actor, targetType: 'user', targetId: userId, ip: origin.ip, userAgent: origin.userAgent, details: { sessionsEnded: ended } });
    });
    return temporary;
  }

  async unlockUser({ userId, actor, origin }: { userId: string; actor: Actor; origin: RequestOrigin }): Promise<void> {
    if (!(await this.#auth.unlock(userId))) throw new AppError('not_found');
    await this.#audit.record({ action: 'admin.user_unlocked', outcome: 'success', actor, targetType: 'user', targetId: userId, ip: origin.ip, userAgent: origin.userAgent });
  }

  async listUsers() {
    const users = await this.#db
      .selectFrom('users')
      .leftJoin('departments', 'departments.id', 'users.department_id')
      .select(['users.id', 'users.username', 'users.username_key', 'users.display_name', 'users.status', 'users.last_login_at', 'departments.name as department_name'])
      .orderBy('users.username_key')
      .execute();
    const roles = await this.#db.selectFrom('user_roles').select(['user_id', 'role_key']).execute();
    const locks = await this.#db.selectFrom('sign_in_throttle').select(['username_key', 'locked_until']).where('locked_until', '>', this.#now().toISOString()).execute();
    const locked = new Set(locks.map((lock) => lock.username_key));
    return users.map((user) => ({
      id: user.id,
      username: user.username,
      displayName: user.display_name,
      roles: roles.filter((role) => role.user_id === user.id).map((role) => role.role_key),
      departmentName: user.department_name,
      status: user.status,
      lastLoginAt: user.last_login_at,
      locked: locked.has(user.username_key),
    }));
  }

  async #phoneOf(userId: string): Promise<string | null> {
    const row = await this.#db.selectFrom('users').select('phone_enc').where('id', '=', userId).executeTakeFirst();
    return row?.phone_enc ? this.#crypto.decrypt(this.#db, { table: 'users', column: 'phone', rowId: userId }, row.phone_enc) : null;
  }
}

/** Generates 16 characters from an unambiguous alphabet, with upper, lower and digit guaranteed. */
function temporaryPassword(): string {
  const pick = (alphabet: string) => alphabet[randomInt(alphabet.length)]!;
  const characters = [pick('ABCDEFGHJKMNPQRSTUVWXYZ'), pick('abcdefghjkmnpqrstuvwxyz'), pick('23456789')];
  while (characters.length < 16) characters.push(pick(TEMPORARY_ALPHABET));
  for (let index = characters.length - 1; index > 0; index -= 1) {
    const other = randomInt(index + 1);
    [characters[index], characters[other]] = [characters[other]!, characters[index]!];
  }
  return characters.join('');
}
