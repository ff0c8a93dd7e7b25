import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { normalizeMobile } from '../../clients/identifiers.js';
import type { Db, DbOrTrx, DialectName } from '../../db/index.js';
import { SmsSendError, type SmsProvider } from './sms-provider.js';

export type SmsPurpose = 'sign_in' | 'step_up';

export interface SmsLimits {
  codeTtlSeconds: number;
  /** Verifications a code allows, right or wrong. The code is dead once this many were tried. */
  maxAttempts: number;
  phoneIntervalSeconds: number;
  phonePerDay: number;
  ipPerHour: number;
  userPerDay: number;
}

/** Defaults against SMS flooding. "Day" and "hour" are rolling windows, not calendar days. */
export const DEFAULT_SMS_LIMITS: Readonly<SmsLimits> = Object.freeze({
  codeTtlSeconds: 300,
  maxAttempts: 5,
  phoneIntervalSeconds: 60,
  phonePerDay: 10,
  ipPerHour: 20,
  userPerDay: 10,
});

export type SmsLimitName = 'phone_interval' | 'phone_daily' | 'ip_hourly' | 'user_daily';

/** A send rejected by a flooding limit. After `retryAfterSeconds` every exceeded limit allows a send again. */
export class SmsLimitError extends Error {
  readonly code = 'sms_rate_limited' as const;
  readonly retryAfterSeconds: number;
  readonly limits: readonly SmsLimitName[];

  constructor(retryAfterSeconds: number, limits: readonly SmsLimitName[]) {
    super(`SMS sending is rate-limited (${limits.join(', ')}); retry after ${retryAfterSeconds} s`);
    this.name = 'SmsLimitError';
    this.retryAfterSeconds = retryAfterSeconds;
    this.limits = limits;
  }
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface SmsCodeServiceOptions {
  db: Db;
  /** PostgreSQL sends lock the member's row so two parallel sends cannot both pass the limits. */
  dialect: DialectName;
  provider: SmsProvider;
  /** Key for the HMACs that stand in for codes and phone numbers in `sms_codes`. */
  hashKey: Buffer;
  now?: () => Date;
  limits?: Partial<SmsLimits>;
}

/**
 * One-time SMS codes for sign-in and step-up. The table holds only keyed hashes: a code as
 * HMAC-SHA256(hashKey, userId|purpose|code) and the phone as HMAC-SHA256(hashKey, 11 digits).
 */
export class SmsCodeService {
  readonly #db: Db;
  readonly #dialect: DialectName;
  readonly #provider: SmsProvider;
  readonly #hashKey: Buffer;
  readonly #now: () => Date;
  readonly #limits: Readonly<SmsLimits>;

  constructor({ db, dialect, provider, hashKey, now = () => new Date(), limits = {} }: SmsCodeServiceOptions) {
    if (hashKey.length < 32) {
      throw new RangeError('SMS code hash key must be at least 32 bytes');
    }
    const merged = { ...DEFAULT_SMS_LIMITS, ...limits };
    for (const [name, value] of Object.entries(merged)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`SMS limit ${name} must be a positive integer, got ${value}`);
      }
    }
    this.#db = db;
    this.#dialect = dialect;
    this.#provider = provider;
    this.#hashKey = hashKey;
    this.#now = now;
    this.#limits = Object.freeze(merged);
  }

  /**
   * Sends a new code, which replaces the member's unused codes for the same purpose. Throws
   * `SmsLimitError` when a flooding limit is reached and `SmsSendError` when the phone is not a
   * mainland mobile or the provider fails.
   */
  async send({ userId, phone, purpose, ip }: { userId: string; phone: string; purpose: SmsPurpose; ip: string | null }): Promise<{ expiresAt: string }> {
    const normalizedPhone = normalizeMobile(phone);
    if (!normalizedPhone) {
      throw new SmsSendError('sms_invalid_request', 'SMS phone must be a mainland China mobile number');
    }

    const now = this.#now();
    const phoneIndex = this.#hmac(normalizedPhone);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const id = randomUUID();
    const expiresAt = new Date(now.getTime() + this.#limits.codeTtlSeconds * 1000).toISOString();

    await this.#db.transaction().execute(async (trx) => {
      if (this.#dialect === 'postgres') {
        await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirst();
      }

      await this.#assertWithinLimitsOrThrow(trx, { userId, phoneIndex, ip, now });

      await expireOpenCodes(trx, { userId, purpose, now: now.toISOString() });
      await trx
        .insertInto('sms_codes')
        .values({ id, user_id: userId, phone_index: phoneIndex, purpose, code_hash: this.#codeHash(userId, purpose, code), ip, created_at: now.toISOString(), expires_at: expiresAt, attempts: 0, used_at: null })
        .execute();
    });

    // The provider is called after the commit so no database lock is held across the network.
    try {
      await this.#provider.send({ phone: normalizedPhone, template: 'sign_in_code', params: { code, minutes: Math.ceil(this.#limits.codeTtlSeconds / 60) } });
    } catch (error) {
      // The row stays and still counts towards the limits: a timed-out request may have
      // delivered the SMS, and each attempt may have cost a message.
      await this.#db.updateTable('sms_codes').set({ expires_at: now.toISOString() }).where('id', '=', id).execute();
      throw error;
    }

    return { expiresAt };
  }

  /**
   * Returns whether `code` is the member's live code for the purpose, and consumes it if so.
   * Every call, right or wrong, uses one of the code's attempts before the comparison, so
   * parallel guesses cannot exceed `maxAttempts`.
   */
  async verify({ userId, purpose, code }: { userId: string; purpose: SmsPurpose; code: string }): Promise<boolean> {
    const now = this.#now().toISOString();
    const live = await this.#db
      .selectFrom('sms_codes')
      .select(['id', 'code_hash'])
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .where('attempts', '<', this.#limits.maxAttempts)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (!live) {
      return false;
    }

    const claimed = await this.#db
      .updateTable('sms_codes')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', live.id)
      .where('used_at', 'is', null)
      .where('attempts', '<', this.#limits.maxAttempts)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) {
      return false;
    }

    const expected = Buffer.from(live.code_hash, 'base64url');
    const submitted = Buffer.from(this.#codeHash(userId, purpose, code), 'base64url');
    if (expected.length !== submitted.length || !timingSafeEqual(expected, submitted)) {
      return false;
    }

    // Single use: of two parallel correct submissions, only one finds used_at still empty.
    const consumed = await this.#db.updateTable('sms_codes').set({ used_at: now }).where('id', '=', live.id).where('used_at', 'is', null).executeTakeFirst();
    return Number(consumed.numUpdatedRows) === 1;
  }

  async #assertWithinLimitsOrThrow(trx: DbOrTrx, { userId, phoneIndex, ip, now }: { userId: string; phoneIndex: string; ip: string | null; now: Date }): Promise<void> {
    const limits = this.#limits;
    const checks: [SmsLimitName, () => Promise<number | undefined>][] = [
      ['phone_interval', () => secondsUntilBelowLimit(trx, { column: 'phone_index', value: phoneIndex, windowMs: limits.phoneIntervalSeconds * 1000, limit: 1, now })],
      ['phone_daily', () => secondsUntilBelowLimit(trx, { column: 'phone_index', value: phoneIndex, windowMs: DAY_MS, limit: limits.phonePerDay, now })],
      ['user_daily', () => secondsUntilBelowLimit(trx, { column: 'user_id', value: userId, windowMs: DAY_MS, limit: limits.userPerDay, now })],
    ];
    if (ip) {
      checks.push(['ip_hourly', () => secondsUntilBelowLimit(trx, { column: 'ip', value: ip, windowMs: HOUR_MS, limit: limits.ipPerHour, now })]);
    }

    // Every limit is checked, so the caller learns the wait after which all of them allow a send.
    const exceeded: SmsLimitName[] = [];
    let retryAfterSeconds = 0;
    for (const [name, check] of checks) {
      const seconds = await check();
      if (seconds !== undefined) {
        exceeded.push(name);
        retryAfterSeconds = Math.max(retryAfterSeconds, seconds);
      }
    }
    if (exceeded.length > 0) {
      throw new SmsLimitError(retryAfterSeconds, exceeded);
    }
  }

  #codeHash(userId: string, purpose: SmsPurpose, code: string): string {
    return this.#hmac(`${userId}|${purpose}|${code}`);
  }

  #hmac(text: string): string {
    return createHmac('sha256', this.#hashKey).update(text, 'utf8').digest('base64url');
  }
}

/** Ends the member's open codes for a purpose at `now`, so only the newest code can be used. */
async function expireOpenCodes(trx: DbOrTrx, { userId, purpose, now }: { userId: string; purpose: SmsPurpose; now: string }): Promise<void> {
  await trx.updateTable('sms_codes').set({ expires_at: now }).where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).where('expires_at', '>', now).execute();
}

/**
 * Returns how many seconds remain until fewer than `limit` sends with this value fall inside the
 * rolling window, or `undefined` when another send is allowed now. Only the newest `limit` rows
 * are read: once the oldest of them leaves the window, the count drops below the limit.
 */
async function secondsUntilBelowLimit(trx: DbOrTrx, { column, value, windowMs, limit, now }: { column: 'phone_index' | 'user_id' | 'ip'; value: string; windowMs: number; limit: number; now: Date }): Promise<number | undefined> {
  const rows = await trx
    .selectFrom('sms_codes')
    .select('created_at')
    .where(column, '=', value)
    .where('created_at', '>', new Date(now.getTime() - windowMs).toISOString())
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  const oldestCounted = rows[limit - 1];
  if (!oldestCounted) {
    return undefined;
  }
  return Math.max(1, Math.ceil((Date.parse(oldestCounted.created_at) + windowMs - now.getTime()) / 1000));
}
