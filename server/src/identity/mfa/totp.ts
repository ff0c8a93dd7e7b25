import { HOTP, Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { FieldCrypto, FieldContext } from '../../crypto/index.js';
import type { Db } from '../../db/index.js';

/**
 * HMAC-SHA-1 is the hash of HOTP, which TOTP builds on, and RFC 6238 section 4.2 permits SHA-256
 * or SHA-512 as alternatives. Common authenticator apps read SHA-1, 6 digits and 30 seconds, and
 * some of them ignore the URI's algorithm, digits and period parameters.
 */
const ALGORITHM = 'SHA1';
/** RFC 4226 section 4 (R4) requires at least six digits. */
const DIGITS = 6;
/** Time step X in seconds; RFC 6238 section 5.2 recommends 30 seconds. */
const PERIOD_SECONDS = 30;
/** RFC 4226 section 4 (R6) recommends a 160-bit shared secret. */
const SECRET_BYTES = 20;
/**
 * Steps accepted on either side of the current one. RFC 6238 section 5.2 recommends at most one
 * step of network delay, and the step ahead covers a phone whose clock runs fast.
 */
const WINDOW = 1;
/** Longer input is rejected before any normalization or HMAC work. */
const MAX_INPUT_LENGTH = 32;

export interface TotpEnrolment {
  /** Base32 secret, for typing into an app by hand. Show it once and never log it. */
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

/** Computes the 6-digit code of a base32 secret at `time`, for tests, scripts and the demo. */
export function totpCodeAt(secretBase32: string, time: Date): string {
  return TOTP.generate({ secret: Secret.fromBase32(secretBase32), algorithm: ALGORITHM, digits: DIGITS, period: PERIOD_SECONDS, timestamp: time.getTime() });
}

/** Computes the RFC 6238 time step T = floor((Unix time - T0) / X), with T0 = 0 (section 4.2). */
function timeStepAt(time: Date): number {
  return Math.floor(time.getTime() / 1000 / PERIOD_SECONDS);
}

/** Normalizes input to six ASCII digits, folding full-width digits by NFKC; returns `undefined` otherwise. */
function normalizeCode(code: string): string | undefined {
  if (code.length > MAX_INPUT_LENGTH) {
    return undefined;
  }

  const digits = code.normalize('NFKC').replace(/\s/g, '');
  return /^[0-9]{6}$/.test(digits) ? digits : undefined;
}

function secretContext(userId: string): FieldContext {
  return { table: 'totp_credentials', column: 'secret', rowId: userId };
}

/**
 * TOTP second factor (RFC 6238). The secret is stored encrypted under the firm's data key, with
 * the user id bound as context. RFC 6238 section 5.2 forbids accepting an OTP a second time, so
 * `last_used_step` records the newest accepted step and no step at or before it passes again.
 */
export class TotpService {
  readonly #db: Db;
  readonly #crypto: FieldCrypto;
  readonly #issuer: string;
  readonly #now: () => Date;

  constructor({ db, crypto, issuer = '账安 LedgerGuard', now = () => new Date() }: { db: Db; crypto: FieldCrypto; issuer?: string; now?: () => Date }) {
    this.#db = db;
    this.#crypto = crypto;
    this.#issuer = issuer;
    this.#now = now;
  }

  /**
   * Creates a pending credential, or replaces an earlier pending one. Throws
   * `Error('totp_already_enrolled')` when the user has a confirmed credential: call `remove` first.
   */
  async startEnrolment(userId: string, accountName: string): Promise<TotpEnrolment> {
    const secret = new Secret({ size: SECRET_BYTES });
    const secretEnc = await this.#crypto.encryptFirmSecret(this.#db, secretContext(userId), secret.base32);
    const createdAt = this.#now().toISOString();

    // The conflict branch updates only a pending row, so a confirmed credential is never
    // overwritten, even by a request that races with its confirmation.
    const result = await this.#db
      .insertInto('totp_credentials')
      .values({ user_id: userId, secret_enc: secretEnc, confirmed_at: null, last_used_step: 0, created_at: createdAt })
      .onConflict((conflict) => conflict.column('user_id').doUpdateSet({ secret_enc: secretEnc, last_used_step: 0, created_at: createdAt }).where('totp_credentials.confirmed_at', 'is', null))
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) {
      throw new Error('totp_already_enrolled');
    }

    const otpauthUri = new TOTP({ issuer: this.#issuer, label: accountName, secret, algorithm: ALGORITHM, digits: DIGITS, period: PERIOD_SECONDS }).toString();
    const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg' });
    return { secret: secret.base32, otpauthUri, qrSvg };
  }

  /**
   * Confirms the pending credential with a code from the app. The code's step is recorded as used,
   * so the same code cannot also pass `verify` right afterwards.
   */
  async confirmEnrolment(userId: string, code: string): Promise<boolean> {
    const token = normalizeCode(code);
    if (!token) {
      return false;
    }

    const row = await this.#db.selectFrom('totp_credentials').select('secret_enc').where('user_id', '=', userId).where('confirmed_at', 'is', null).executeTakeFirst();
    if (!row) {
      return false;
    }

    const step = await this.#matchingStep(userId, row.secret_enc, token);
    if (step === undefined) {
      return false;
    }

    // Matching `secret_enc` stops a code for one pending secret from confirming a newer one.
    const result = await this.#db
      .updateTable('totp_credentials')
      .set({ confirmed_at: this.#now().toISOString(), last_used_step: step })
      .where('user_id', '=', userId)
      .where('secret_enc', '=', row.secret_enc)
      .where('confirmed_at', 'is', null)
      .where('last_used_step', '<', step)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Checks a code against the confirmed credential, allowing one step of clock skew either way.
   * Returns false for a wrong, malformed or already used code. Throws when the stored secret
   * does not decrypt, which means the row was altered or moved.
   */
  async verify(userId: string, code: string): Promise<boolean> {
    const token = normalizeCode(code);
    if (!token) {
      return false;
    }

    const row = await this.#db.selectFrom('totp_credentials').select('secret_enc').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst();
    if (!row) {
      return false;
    }

    const step = await this.#matchingStep(userId, row.secret_enc, token);
    if (step === undefined) {
      return false;
    }

    // The conditional update claims the step: of two requests with the same code, the second
    // finds `last_used_step` already at `step` and changes no row. A code from a step older
    // than the last accepted one fails the same way.
    const result = await this.#db
      .updateTable('totp_credentials')
      .set({ last_used_step: step })
      .where('user_id', '=', userId)
      .where('secret_enc', '=', row.secret_enc)
      .where('confirmed_at', 'is not', null)
      .where('last_used_step', '<', step)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async isEnrolled(userId: string): Promise<boolean> {
    const row = await this.#db.selectFrom('totp_credentials').select('user_id').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes the credential, confirmed or pending. */
  async remove(userId: string): Promise<void> {
    await this.#db.deleteFrom('totp_credentials').where('user_id', '=', userId).execute();
  }

  /** Returns the time step whose code equals `token` within the window, or `undefined`. */
  async #matchingStep(userId: string, secretEnc: string, token: string): Promise<number | undefined> {
    const secretBase32 = await this.#crypto.decrypt(this.#db, secretContext(userId), secretEnc);
    const currentStep = timeStepAt(this.#now());

    // TOTP is HOTP with the time step as counter (RFC 6238 section 4.2). Validating as HOTP
    // returns the offset of the matching step, which the replay check needs.
    const delta = HOTP.validate({ token, secret: Secret.fromBase32(secretBase32), algorithm: ALGORITHM, digits: DIGITS, counter: currentStep, window: WINDOW });
    return delta === null ? undefined : currentStep + delta;
  }
}
