import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/index.js';
import type { Db, DbOrTrx } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { isStrongEnough, hashPassword, MIN_PASSWORD_LENGTH, verifyAgainstDummy, verifyPassword } from './password.js';
import { hashSecretToken, newSecretToken } from './secret-token.js';
import { deleteSession, findSession, insertSession, touchSession } from './session.repository.js';
import { SignInThrottle } from './sign-in-throttle.js';
import { countUsers, findUserById, findUserByUsernameKey, insertUser, recordSuccessfulLogin } from './user.repository.js';
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

export interface SignedIn {
  readonly sessionToken: string;
  readonly userId: string;
}

export interface ActiveSession {
  readonly idHash: string;
  readonly userId: string;
}

/**
 * Password sign-in, sessions and the first-run set-up. Second factors plug in between the
 * password check and `#openSession`.
 */
export class AuthService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #policy: SessionPolicy;
  readonly #now: () => Date;
  readonly #throttle: SignInThrottle;
  readonly #logger: Logger | undefined;

  constructor({ db, audit, policy, now = () => new Date(), logger }: { db: Db; audit: AuditLog; policy: SessionPolicy; now?: () => Date; logger?: Logger }) {
    this.#db = db;
    this.#audit = audit;
    this.#policy = policy;
    this.#now = now;
    this.#throttle = new SignInThrottle(db);
    this.#logger = logger;
  }

  async login({ username, password, origin }: { username: string; password: string; origin: RequestOrigin }): Promise<SignedIn> {
    const key = usernameKey(username).slice(0, 64);
    const now = this.#now();
    const failure = async (reason: string, userId: string | null) => {
      await this.#audit.record({ action: 'auth.login', outcome: 'failure', actor: { id: userId, username: key }, ip: origin.ip, userAgent: origin.userAgent, details: { method: 'password', failure: reason } });
    };

    try {
      await this.#throttle.assertNotLockedOrThrow(key, now);
    } catch (error) {
      // The same argon2 work as a real attempt, so a locked name cannot be told apart by timing.
      await verifyAgainstDummy(password);
      await failure('locked', null);
      throw error;
    }

    const user = await findUserByUsernameKey(this.#db, key);
    const valid = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
    if (!user || !valid) {
      const lockedUntil = await this.#throttle.recordFailure(key, now);
      await failure(user ? 'bad_password' : 'unknown_user', user?.id ?? null);
      if (lockedUntil) {
        this.#logger?.warn({ userId: user?.id ?? null, lockedUntil }, 'sign-in locked after repeated failures');
      }
      throw new AppError('invalid_credentials');
    }
    if (user.status !== 'active') {
      await failure('disabled', user.id);
      throw new AppError('invalid_credentials');
    }

    await this.#throttle.reset(key);
    return this.#db.transaction().execute(async (trx) => {
      await recordSuccessfulLogin(trx, user.id, now.toISOString());
      const token = await this.#openSession(trx, user.id, origin, now);
      await this.#audit.append(trx, { action: 'auth.login', outcome: 'success', actor: { id: user.id, username: user.username }, ip: origin.ip, userAgent: origin.userAgent, details: { method: 'password' } });
      return { sessionToken: token, userId: user.id };
    });
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

    const user = await findUserById(this.#db, session.userId);
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
    return { idHash, userId: session.userId };
  }

  async logout(session: ActiveSession, actor: { id: string; username: string }, origin: RequestOrigin): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await deleteSession(trx, session.idHash);
      await this.#audit.append(trx, { action: 'auth.logout', outcome: 'success', actor, ip: origin.ip, userAgent: origin.userAgent });
    });
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
    if (!isStrongEnough(password)) {
      throw new AppError('password_too_weak', { min: MIN_PASSWORD_LENGTH });
    }
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
      const sessionToken = await this.#openSession(trx, id, origin, now);
      await this.#audit.append(trx, { action: 'auth.setup', outcome: 'success', actor: { id, username: usernameKey(username) }, targetType: 'user', targetId: id, ip: origin.ip, userAgent: origin.userAgent, details: { roles: ['system_admin'] } });
      return { sessionToken, userId: id };
    });
  }

  async #openSession(trx: DbOrTrx, userId: string, origin: RequestOrigin, now: Date): Promise<string> {
    const { token, hash } = newSecretToken();
    await insertSession(trx, {
      idHash: hash,
      userId,
      createdAt: now.toISOString(),
      idleExpiresAt: new Date(now.getTime() + this.#policy.idleMinutes * 60_000).toISOString(),
      absoluteExpiresAt: new Date(now.getTime() + this.#policy.absoluteHours * 3_600_000).toISOString(),
      ip: origin.ip ?? null,
      userAgent: origin.userAgent?.slice(0, 512) ?? null,
    });
    return token;
  }
}
