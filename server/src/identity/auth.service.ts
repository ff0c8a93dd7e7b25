import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/index.js';
import type { MfaSettings } from '../config/config.js';
import type { Db, DbOrTrx } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { isRoleKey } from '../access/index.js';
import { forgetTrustedDevices, isTrustedDevice, recordDevice } from './devices.js';
import { type ChallengePurpose, deleteLoginChallenges, findLoginChallenge, insertLoginChallenge } from './login-challenge.repository.js';
import { type AvailableFactors, type RequiredFactor, type SignInMethod, requiredFactor, signInOptions, stepUpMethods } from './mfa-policy.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password.js';
import type { PasswordRules } from './password-rules.js';
import type { SecondFactors } from './second-factors.js';
import { hashSecretToken, newSecretToken } from './secret-token.js';
import { deleteSession, deleteSessionsOfUser, findSession, insertSession, markSecondFactor, touchSession } from './session.repository.js';
import { SignInThrottle } from './sign-in-throttle.js';
import { countUsers, findRoleKeys, findUserById, findUserByUsernameKey, insertUser, recordSuccessfulLogin, type UserRecord } from './user.repository.js';
import { isValidUsername, usernameKey } from './username.js';

export interface RequestOrigin {
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

export interface SessionPolicy {
  readonly idleMinutes: number;
  readonly absoluteHours: number;
}

const SETUP_TOKEN_HOURS = 24;
/** How long a member has between the password and the second factor. */
const CHALLENGE_MINUTES = 10;

export interface SignedIn {
  readonly kind: 'signed_in';
  readonly sessionToken: string;
  readonly userId: string;
}

export interface SecondFactorDue {
  readonly kind: 'challenge';
  readonly challengeToken: string;
  readonly methods: SignInMethod[];
  readonly enrolmentRequired: boolean;
  readonly enrolmentMethods: ('totp' | 'passkey')[];
  readonly phoneMasked: string | null;
}

export interface ActiveSession {
  readonly idHash: string;
  readonly publicId: string;
  readonly userId: string;
  readonly secondFactorAt: string | null;
  /** The member must change the password before anything else (reset by an administrator, or expired). */
  readonly mustChangePassword: boolean;
}

/** The request facts a sign-in step carries besides its proof: origin, device cookie, remember choice. */
export interface SignInContext {
  readonly origin: RequestOrigin;
  readonly deviceToken: string;
  readonly rememberDevice?: boolean;
}

/**
 * Sign-in from password to session: the password, then a second factor when the member's
 * roles require one (or a guided enrolment when none is set up), then a fresh session. Every
 * failed step counts against the same per-username lock.
 */
export class AuthService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #policy: SessionPolicy;
  readonly #mfa: MfaSettings;
  readonly #factors: SecondFactors;
  readonly #passwords: PasswordRules;
  readonly #now: () => Date;
  readonly #throttle: SignInThrottle;
  readonly #logger: Logger | undefined;

  constructor(options: { db: Db; audit: AuditLog; policy: SessionPolicy; mfa: MfaSettings; factors: SecondFactors; passwords: PasswordRules; now?: () => Date; logger?: Logger }) {
    this.#db = options.db;
    this.#audit = options.audit;
    this.#policy = options.policy;
    this.#mfa = options.mfa;
    this.#factors = options.factors;
    this.#passwords = options.passwords;
    this.#now = options.now ?? (() => new Date());
    this.#throttle = new SignInThrottle(options.db);
    this.#logger = options.logger;
  }

  get factors(): SecondFactors {
    return this.#factors;
  }

  async login({ username, password, context }: { username: string; password: string; context: SignInContext }): Promise<SignedIn | SecondFactorDue> {
    const key = usernameKey(username).slice(0, 64);
    const now = this.#now();
    const { origin } = context;

    try {
      await this.#throttle.assertNotLockedOrThrow(key, now);
    } catch (error) {
      // The same argon2 work as a real attempt, so timing does not reveal that a name is locked.
      await verifyAgainstDummy(password);
      await this.#recordLoginFailure('password', 'locked', null, key, origin);
      throw error;
    }

    const user = await findUserByUsernameKey(this.#db, key);
    const valid = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
    if (!user || !valid) {
      await this.#countFailure(key, user?.id ?? null, now);
      await this.#recordLoginFailure('password', user ? 'bad_password' : 'unknown_user', user?.id ?? null, key, origin);
      throw new AppError('invalid_credentials');
    }
    if (user.status !== 'active') {
      await this.#recordLoginFailure('password', 'disabled', user.id, key, origin);
      throw new AppError('invalid_credentials');
    }

    const required = await this.#requiredFactorOf(user.id);
    if (required === 'none') {
      return this.#finishSignIn({ user, key, method: 'password', secondFactor: false, context, now });
    }

    const factors = await this.#factors.available(user.id);
    const { methods, enrolmentRequired } = signInOptions(required, factors);
    if (!enrolmentRequired && (await isTrustedDevice(this.#db, user.id, context.deviceToken, now.toISOString()))) {
      return this.#finishSignIn({ user, key, method: 'password+trusted_device', secondFactor: false, context, now });
    }

    const challengeToken = await this.#openChallenge(user.id, enrolmentRequired ? 'enrol' : 'second_factor', origin, now);
    await this.#audit.record({ action: 'auth.login', outcome: 'success', actor: { id: user.id, username: user.username }, ip: origin.ip, userAgent: origin.userAgent, details: { method: 'password', step: enrolmentRequired ? 'enrolment_required' : 'second_factor_required' } });
    return { kind: 'challenge', challengeToken, methods, enrolmentRequired, enrolmentMethods: ['totp', 'passkey'], phoneMasked: factors.phoneMasked };
  }

  /** Returns the member of a pending sign-in challenge, or throws `mfa_challenge_invalid`. */
  async challengeUserOrThrow(challengeToken: string | undefined, purpose: ChallengePurpose): Promise<UserRecord> {
    const challenge = challengeToken ? await findLoginChallenge(this.#db, hashSecretToken(challengeToken), this.#now().toISOString()) : undefined;
    const user = challenge && challenge.purpose === purpose ? await findUserById(this.#db, challenge.userId) : undefined;
    if (!user || user.status !== 'active') {
      throw new AppError('mfa_challenge_invalid');
    }
    return user;
  }

  /**
   * Completes a pending sign-in with a second factor. `prove` checks the factor for the
   * challenge's member (a code, a passkey assertion or, for an enrolment, the first code of the
   * new factor) and returns whether it holds.
   */
  async completeChallenge({ challengeToken, purpose, method, prove, context }: { challengeToken: string | undefined; purpose: ChallengePurpose; method: SignInMethod; prove: (user: UserRecord) => Promise<boolean>; context: SignInContext }): Promise<SignedIn> {
    const user = await this.challengeUserOrThrow(challengeToken, purpose);
    const key = usernameKey(user.username);
    const now = this.#now();
    await this.#throttle.assertNotLockedOrThrow(key, now);

    if (purpose === 'second_factor') {
      const { methods } = signInOptions(await this.#requiredFactorOf(user.id), await this.#factors.available(user.id));
      if (!methods.includes(method)) {
        throw new AppError('mfa_method_unavailable');
      }
    }

    if (!(await prove(user))) {
      await this.#countFailure(key, user.id, now);
      await this.#recordLoginFailure(method, 'bad_second_factor', user.id, key, context.origin);
      throw new AppError(method === 'passkey' ? 'passkey_failed' : 'mfa_code_invalid');
    }

    await deleteLoginChallenges(this.#db, { idHash: hashSecretToken(challengeToken!) });
    return this.#finishSignIn({ user, key, method: `password+${method}`, secondFactor: true, context, now });
  }

  /** Signs in with a verified passkey alone: user verification makes it two factors in one. */
  async signInWithPasskey({ userId, context }: { userId: string; context: SignInContext }): Promise<SignedIn> {
    const user = await findUserById(this.#db, userId);
    const now = this.#now();
    if (!user || user.status !== 'active') {
      await this.#recordLoginFailure('passkey', 'disabled', userId, null, context.origin);
      throw new AppError('passkey_failed');
    }
    const key = usernameKey(user.username);
    await this.#throttle.assertNotLockedOrThrow(key, now);
    return this.#finishSignIn({ user, key, method: 'passkey', secondFactor: true, context, now });
  }

  /** Records a failed passwordless passkey attempt; the member is unknown until a credential matches. */
  async recordPasskeyFailure(origin: RequestOrigin, reason: string): Promise<void> {
    await this.#recordLoginFailure('passkey', reason, null, null, origin);
  }

  /** Resolves a session cookie, enforcing idle and absolute timeouts and sliding the idle one. */
  async findActiveSession(token: string | undefined): Promise<ActiveSession | undefined> {
    if (!token || token.length > 128) {
      return undefined;
    }
    const idHash = hashSecretToken(token);
    const session = await findSession(this.#db, idHash);
    if (!session) {
      return undefined;
    }

    const now = this.#now();
    const nowText = now.toISOString();
    if (session.idleExpiresAt <= nowText || session.absoluteExpiresAt <= nowText) {
      await deleteSession(this.#db, idHash);
      return undefined;
    }

    const user = await this.#db.selectFrom('users').select(['status', 'must_change_password', 'password_changed_at']).where('id', '=', session.userId).executeTakeFirst();
    if (!user || user.status !== 'active') {
      await deleteSession(this.#db, idHash);
      return undefined;
    }

    // Writing on every request would serialize reads behind SQLite's single writer, so the idle
    // deadline only moves once a minute has passed.
    const idleExpiresAt = new Date(now.getTime() + this.#policy.idleMinutes * 60_000).toISOString();
    if (Date.parse(idleExpiresAt) - Date.parse(session.idleExpiresAt) > 60_000) {
      await touchSession(this.#db, idHash, nowText, idleExpiresAt);
    }
    return {
      idHash,
      publicId: session.publicId,
      userId: session.userId,
      secondFactorAt: session.secondFactorAt,
      mustChangePassword: Number(user.must_change_password) === 1 || this.#passwords.isExpired(user.password_changed_at, now),
    };
  }

  /**
   * Throws `step_up_required` (with the methods the member can use) unless a second factor was
   * confirmed in this session within the configured minutes. A security response can demand a
   * second factor newer than its own time; that demand applies even where step-up is switched off.
   */
  async assertRecentSecondFactorOrThrow(session: ActiveSession): Promise<void> {
    const member = await this.#db.selectFrom('users').select('step_up_required_after').where('id', '=', session.userId).executeTakeFirst();
    const demandedAfter = member?.step_up_required_after ?? null;
    const confirmedAfterDemand = demandedAfter === null || (session.secondFactorAt !== null && session.secondFactorAt > demandedAfter);
    if (!this.#mfa.stepUpRequired && confirmedAfterDemand) {
      return;
    }

    const recent = session.secondFactorAt !== null && this.#now().getTime() - Date.parse(session.secondFactorAt) <= this.#mfa.stepUpMinutes * 60_000;
    if (!recent || !confirmedAfterDemand) {
      const methods = stepUpMethods(await this.#factors.available(session.userId));
      throw new AppError('step_up_required', { minutes: this.#mfa.stepUpMinutes }, [], { methods });
    }
  }

  /** Confirms a second factor inside a session (step-up); failures count against the sign-in lock. */
  async stepUp({ session, method, prove, origin }: { session: ActiveSession; method: Exclude<SignInMethod, 'recovery'>; prove: (userId: string) => Promise<boolean>; origin: RequestOrigin }): Promise<string> {
    const user = await findUserById(this.#db, session.userId);
    if (!user) throw new AppError('unauthenticated');
    const key = usernameKey(user.username);
    const now = this.#now();
    await this.#throttle.assertNotLockedOrThrow(key, now);

    if (!stepUpMethods(await this.#factors.available(user.id)).includes(method) || !(await prove(user.id))) {
      await this.#countFailure(key, user.id, now);
      await this.#audit.record({ action: 'auth.step_up', outcome: 'failure', actor: { id: user.id, username: user.username }, ip: origin.ip, userAgent: origin.userAgent, details: { method } });
      throw new AppError(method === 'passkey' ? 'passkey_failed' : 'mfa_code_invalid');
    }

    const at = now.toISOString();
    await this.#db.transaction().execute(async (trx) => {
      await markSecondFactor(trx, session.idHash, at);
      await this.#audit.append(trx, { action: 'auth.step_up', outcome: 'success', actor: { id: user.id, username: user.username }, ip: origin.ip, userAgent: origin.userAgent, details: { method } });
    });
    return at;
  }

  async logout(session: ActiveSession, actor: { id: string; username: string }, origin: RequestOrigin): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await deleteSession(trx, session.idHash);
      await this.#audit.append(trx, { action: 'auth.logout', outcome: 'success', actor, ip: origin.ip, userAgent: origin.userAgent });
    });
  }

  /** Throws `account_locked` while the member's username is locked. */
  async assertMemberNotLockedOrThrow(userId: string): Promise<void> {
    const user = await findUserById(this.#db, userId);
    if (user) await this.#throttle.assertNotLockedOrThrow(usernameKey(user.username), this.#now());
  }

  /** Counts a wrong password given inside a session (a password change) against the sign-in lock. */
  async countPasswordFailure(userId: string): Promise<void> {
    const user = await findUserById(this.#db, userId);
    if (user) await this.#countFailure(usernameKey(user.username), userId, this.#now());
  }

  /** Records a factor set up during sign-in, and the recovery codes issued with it. */
  async recordEnrolment(userId: string, factor: 'totp' | 'passkey', origin: RequestOrigin): Promise<void> {
    const user = await findUserById(this.#db, userId);
    const actor = { id: userId, username: user?.username ?? null };
    await this.#audit.record(
      { action: 'auth.factor_enrolled', outcome: 'success', actor, ip: origin.ip, userAgent: origin.userAgent, details: { factor, during: 'sign_in' } },
      { action: 'auth.recovery_codes_generated', outcome: 'success', actor, ip: origin.ip, userAgent: origin.userAgent, details: { count: 10, during: 'sign_in' } },
    );
  }

  /** Lifts a lock on a member's username (an administrator's action). */
  async unlock(userId: string): Promise<boolean> {
    const user = await findUserById(this.#db, userId);
    if (!user) return false;
    await this.#throttle.reset(usernameKey(user.username));
    return true;
  }

  /** Opens a session for a member whose identity was just proven again (after a password change). */
  async reopenSession(trx: DbOrTrx, userId: string, previous: ActiveSession, origin: RequestOrigin): Promise<string> {
    return this.#openSession(trx, { userId, origin, now: this.#now(), method: 'password_change', secondFactorAt: previous.secondFactorAt, deviceToken: null });
  }

  async isSetupNeeded(): Promise<boolean> {
    return (await countUsers(this.#db)) === 0;
  }

  /**
   * Creates a one-time set-up token for the first system administrator, or `undefined` when
   * accounts exist already. Only the token's hash is stored, and earlier unused tokens stop working.
   */
  async createSetupToken(): Promise<string | undefined> {
    if (!(await this.isSetupNeeded())) {
      return undefined;
    }
    const { token, hash } = newSecretToken();
    const now = this.#now();
    // Only the newest link works: printing a new one retires those printed before.
    await this.#db.deleteFrom('setup_tokens').where('used_at', 'is', null).execute();
    await this.#db
      .insertInto('setup_tokens')
      .values({ token_hash: hash, purpose: 'first_admin', created_at: now.toISOString(), expires_at: new Date(now.getTime() + SETUP_TOKEN_HOURS * 3_600_000).toISOString(), used_at: null })
      .execute();
    return token;
  }

  async completeSetup({ token, username, displayName, password, origin }: { token: string; username: string; displayName: string; password: string; origin: RequestOrigin }): Promise<SignedIn> {
    if (!isValidUsername(username)) {
      throw new AppError('validation_failed', {}, [{ path: 'username', message: 'invalid_username' }]);
    }
    this.#passwords.assertAcceptableOrThrow(password, { username, displayName });
    const passwordHash = await hashPassword(password);
    const now = this.#now();

    return this.#db.transaction().execute(async (trx) => {
      if ((await countUsers(trx)) > 0) {
        throw new AppError('setup_not_needed');
      }
      // Marking the token used in the same statement that checks it makes a second use fail.
      const used = await trx
        .updateTable('setup_tokens')
        .set({ used_at: now.toISOString() })
        .where('token_hash', '=', hashSecretToken(token))
        .where('used_at', 'is', null)
        .where('expires_at', '>', now.toISOString())
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) {
        throw new AppError('setup_token_invalid');
      }

      const id = randomUUID();
      await insertUser(trx, { id, username: username.normalize('NFKC').trim(), usernameKey: usernameKey(username), displayName: displayName.trim(), departmentId: null, passwordHash, roles: ['system_admin'] });
      const sessionToken = await this.#openSession(trx, { userId: id, origin, now, method: 'setup_link', secondFactorAt: null, deviceToken: null });
      await this.#audit.append(trx, { action: 'auth.setup', outcome: 'success', actor: { id, username: usernameKey(username) }, targetType: 'user', targetId: id, ip: origin.ip, userAgent: origin.userAgent, details: { roles: ['system_admin'] } });
      return { kind: 'signed_in' as const, sessionToken, userId: id };
    });
  }

  async #requiredFactorOf(userId: string): Promise<RequiredFactor> {
    const roles = (await findRoleKeys(this.#db, userId)).filter(isRoleKey);
    return requiredFactor(roles, this.#mfa.required);
  }

  async #finishSignIn({ user, key, method, secondFactor, context, now }: { user: UserRecord; key: string; method: string; secondFactor: boolean; context: SignInContext; now: Date }): Promise<SignedIn> {
    await this.#throttle.reset(key);
    const nowText = now.toISOString();
    const trustUntil = secondFactor && context.rememberDevice && this.#mfa.trustedDeviceDays > 0 ? new Date(now.getTime() + this.#mfa.trustedDeviceDays * 86_400_000).toISOString() : null;

    return this.#db.transaction().execute(async (trx) => {
      await recordSuccessfulLogin(trx, user.id, nowText);
      const sessionToken = await this.#openSession(trx, { userId: user.id, origin: context.origin, now, method, secondFactorAt: secondFactor ? nowText : null, deviceToken: context.deviceToken });
      const newDevice = await recordDevice({ db: trx, audit: this.#audit, userId: user.id, username: user.username, deviceToken: context.deviceToken, ip: context.origin.ip, userAgent: context.origin.userAgent, now: nowText, trustUntil });
      await this.#audit.append(trx, {
        action: 'auth.login',
        outcome: 'success',
        actor: { id: user.id, username: user.username },
        ip: context.origin.ip,
        userAgent: context.origin.userAgent,
        details: { method, step: 'session_opened', device: hashSecretToken(context.deviceToken).slice(0, 12), newDevice, trustedDevice: method.endsWith('trusted_device'), rememberDevice: Boolean(trustUntil) },
      });
      return { kind: 'signed_in' as const, sessionToken, userId: user.id };
    });
  }

  async #openChallenge(userId: string, purpose: ChallengePurpose, origin: RequestOrigin, now: Date): Promise<string> {
    const { token, hash } = newSecretToken();
    await deleteLoginChallenges(this.#db, { userId });
    await insertLoginChallenge(this.#db, {
      idHash: hash,
      userId,
      purpose,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + CHALLENGE_MINUTES * 60_000).toISOString(),
      ip: origin.ip ?? null,
      userAgent: origin.userAgent?.slice(0, 512) ?? null,
    });
    return token;
  }

  /** Counts a failure; a lock that results also ends the account's sessions and pending challenges. */
  async #countFailure(key: string, userId: string | null, now: Date): Promise<void> {
    const lockedUntil = await this.#throttle.recordFailure(key, now);
    if (lockedUntil && userId) {
      const ended = await deleteSessionsOfUser(this.#db, userId);
      await deleteLoginChallenges(this.#db, { userId });
      await forgetTrustedDevices(this.#db, userId);
      await this.#audit.record({ action: 'auth.account_locked', outcome: 'success', actor: { id: userId, username: key }, targetType: 'user', targetId: userId, details: { lockedUntil, sessionsEnded: ended } });
      this.#logger?.warn({ userId, lockedUntil, sessionsEnded: ended }, 'account locked after repeated sign-in failures');
    } else if (lockedUntil) {
      this.#logger?.warn({ lockedUntil }, 'unknown username locked after repeated sign-in failures');
    }
  }

  async #recordLoginFailure(method: string, failure: string, userId: string | null, key: string | null, origin: RequestOrigin): Promise<void> {
    await this.#audit.record({ action: 'auth.login', outcome: 'failure', actor: { id: userId, username: key }, ip: origin.ip, userAgent: origin.userAgent, details: { method, failure } });
  }

  async #openSession(trx: DbOrTrx, { userId, origin, now, method, secondFactorAt, deviceToken }: { userId: string; origin: RequestOrigin; now: Date; method: string; secondFactorAt: string | null; deviceToken: string | null }): Promise<string> {
    const { token, hash } = newSecretToken();
    const nowText = now.toISOString();
    await insertSession(trx, {
      idHash: hash,
      publicId: randomBytes(12).toString('base64url'),
      userId,
      createdAt: nowText,
      lastSeenAt: nowText,
      idleExpiresAt: new Date(now.getTime() + this.#policy.idleMinutes * 60_000).toISOString(),
      absoluteExpiresAt: new Date(now.getTime() + this.#policy.absoluteHours * 3_600_000).toISOString(),
      secondFactorAt,
      authMethod: method,
      deviceId: deviceToken ? hashSecretToken(deviceToken).slice(0, 22) : null,
      ip: origin.ip ?? null,
      userAgent: origin.userAgent?.slice(0, 512) ?? null,
    });
    return token;
  }
}

export type { AvailableFactors };
