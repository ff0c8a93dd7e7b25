import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../../db/index.js';

/** Digits and capitals without 0, O, 1, I and L, which people misread on paper. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const CODE_LENGTH = 10;
const CODES_PER_SET = 10;
const NORMALIZED_CODE = new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`);
/** Longer input is rejected before normalization. */
const MAX_INPUT_LENGTH = 64;

/** Normalizes input to upper case without separators; returns `undefined` when it cannot be a recovery code. */
function normalizeCode(code: string): string | undefined {
  if (code.length > MAX_INPUT_LENGTH) {
    return undefined;
  }

  // NFKC folds full-width letters, digits and hyphens from Chinese input methods to ASCII.
  const normalized = code.normalize('NFKC').toUpperCase().replace(/[\s\p{Pd}]/gu, '');
  return NORMALIZED_CODE.test(normalized) ? normalized : undefined;
}

/**
 * Hashes the user id and the normalized code with SHA-256. A code carries 10 * log2(31) ≈ 49.5
 * bits of entropy, far beyond online guessing, so a fast hash suffices. A salted slow hash would
 * cost one slow check per remaining code on every attempt. The user id prefix makes one offline
 * guess test one account's codes instead of every stored hash at once.
 * NOTE: a leaked table still yields to an offline GPU search, by estimate one GPU-day per account
 * for the whole code space. An HMAC under a server key would stop that.
 */
function hashCode(userId: string, normalizedCode: string): string {
  return createHash('sha256').update(`${userId}\n${normalizedCode}`, 'utf8').digest('base64url');
}

function randomCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i += 1) {
    // randomInt draws uniformly, so every symbol has the same probability.
    code += ALPHABET[randomInt(ALPHABET.length)];
  }
  return code;
}

/** Formats `ABCDEFGHJK` as `ABCDE-FGHJK`. */
function formatCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Single-use recovery codes, the fallback second factor when the authenticator is lost. */
export class RecoveryCodes {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor({ db, now = () => new Date() }: { db: Db; now?: () => Date }) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * Replaces the user's codes with a new set of ten and returns them formatted as `XXXXX-XXXXX`.
   * Only hashes are stored, so this is the one moment the codes can be shown.
   */
  async regenerate(userId: string): Promise<string[]> {
    const codes = new Set<string>();
    while (codes.size < CODES_PER_SET) {
      codes.add(randomCode());
    }
    const createdAt = this.#now().toISOString();
    const rows = [...codes].map((code) => ({ id: randomUUID(), user_id: userId, code_hash: hashCode(userId, code), created_at: createdAt, used_at: null }));

    // One transaction, so the old set stops working exactly when the new one starts.
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx.insertInto('recovery_codes').values(rows).execute();
    });

    return [...codes].map(formatCode);
  }

  /**
   * Marks a code used and returns true, or returns false for an unknown, used or malformed code.
   * Case, spaces, dashes and full-width characters in the input are ignored.
   */
  async consume(userId: string, code: string): Promise<boolean> {
    const normalized = normalizeCode(code);
    if (!normalized) {
      return false;
    }

    // The `used_at is null` condition makes the update the check: of two requests with the same
    // code, only the first changes a row.
    const result = await this.#db
      .updateTable('recovery_codes')
      .set({ used_at: this.#now().toISOString() })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hashCode(userId, normalized))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Counts the user's unused codes. */
  async remaining(userId: string): Promise<number> {
    const row = await this.#db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<string | number | bigint>().as('count'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
