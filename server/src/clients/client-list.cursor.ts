import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors/index.js';
import type { SortKeyValue } from './client-list.repository.js';

/** The side of a row that a cursor continues on: the rows after it (next page) or before it (previous page). */
export type CursorSide = 'after' | 'before';

export interface OpenedCursor {
  readonly side: CursorSide;
  readonly key: SortKeyValue;
}

const PREFIX = 'c1.';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
// A 200-character name in 4-byte characters, an id and the JSON around them fit with room to spare.
export const MAX_CURSOR_LENGTH = 2048;
const MAX_VALUE_LENGTH = 1000;
const MAX_ID_LENGTH = 64;

/**
 * Seals and opens the client list's paging cursors. A cursor holds only the sort value and id of
 * a row the caller was shown, and which side of it the next request continues on. It is
 * encrypted with AES-256-GCM, so the client name inside stays out of URLs and logs. The user id
 * and the sort order are authenticated with it, so a cursor that was edited, made up, or issued
 * to another user or for another sort order fails to open and is rejected with `cursor_invalid`.
 */
export class ClientListCursors {
  readonly #key: Buffer;

  /** `key`: 32 bytes reserved for this purpose, derived from the keyring. */
  constructor(key: Buffer) {
    if (key.length !== 32) {
      throw new RangeError(`ClientListCursors needs a 32-byte key, received ${key.length} bytes`);
    }
    this.#key = key;
  }

  seal({ userId, sort, side, key }: { userId: string; sort: string; side: CursorSide; key: SortKeyValue }): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(associatedData(userId, sort));
    const body = Buffer.concat([cipher.update(JSON.stringify([side === 'after' ? 'a' : 'b', key.value, key.id]), 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * Opens a cursor issued to `userId` for `sort`, and throws `cursor_invalid` (400) for anything
   * else. Pass `nullableSort` true when the sort column may be empty, so a null sort value is genuine.
   */
  openOrThrow({ cursor, userId, sort, nullableSort }: { cursor: string; userId: string; sort: string; nullableSort: boolean }): OpenedCursor {
    const payload = this.#decrypt(cursor, userId, sort);

    // Authentic cursors always have this shape. The checks guard against a key shared by mistake
    // or a bug in `seal`, so a malformed payload never reaches the SQL.
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      throw invalidCursor();
    }
    if (!Array.isArray(parsed) || parsed.length !== 3) throw invalidCursor();
    const [side, value, id] = parsed as unknown[];
    if (side !== 'a' && side !== 'b') throw invalidCursor();
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) throw invalidCursor();
    const validValue = (typeof value === 'string' && value.length <= MAX_VALUE_LENGTH) || (value === null && nullableSort);
    if (!validValue) throw invalidCursor();

    return { side: side === 'a' ? 'after' : 'before', key: { value, id } };
  }

  #decrypt(cursor: string, userId: string, sort: string): string {
    if (cursor.length > MAX_CURSOR_LENGTH || !cursor.startsWith(PREFIX) || !/^[A-Za-z0-9_-]+$/.test(cursor.slice(PREFIX.length))) {
      throw invalidCursor();
    }
    const bytes = Buffer.from(cursor.slice(PREFIX.length), 'base64url');
    if (bytes.length <= NONCE_BYTES + TAG_BYTES) {
      throw invalidCursor();
    }

    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, NONCE_BYTES));
      decipher.setAAD(associatedData(userId, sort));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      // Authentication failed: the cursor was changed, made up, or belongs to another user or sort.
      throw invalidCursor();
    }
  }
}

function associatedData(userId: string, sort: string): Buffer {
  return Buffer.from(JSON.stringify(['client-list-cursor', 1, userId, sort]), 'utf8');
}

function invalidCursor(): AppError {
  return new AppError('cursor_invalid', {}, [{ path: 'cursor', message: 'cursor_invalid' }]);
}
