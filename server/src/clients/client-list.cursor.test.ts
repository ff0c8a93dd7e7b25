import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { ClientListCursors } from './client-list.cursor.js';

const USER = '6c1f0a52-1d4e-4d63-9a55-3b8b1f0f2a10';
const KEY = { value: '上海恒信贸易有限公司', id: 'b2a4c9e0-5f1e-4a51-8d2c-0e8f3c7a9b11' };

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
  return undefined;
}

describe('ClientListCursors', () => {
  const cursors = new ClientListCursors(randomBytes(32));

  it('opens what it sealed', () => {
    const cursor = cursors.seal({ userId: USER, sort: 'name', side: 'after', key: KEY });

    expect(cursors.openOrThrow({ cursor, userId: USER, sort: 'name', nullableSort: false })).toEqual({ side: 'after', key: KEY });
  });

  it('opens a null sort value only for a nullable sort', () => {
    const cursor = cursors.seal({ userId: USER, sort: 'serviceStart', side: 'before', key: { value: null, id: KEY.id } });

    expect(cursors.openOrThrow({ cursor, userId: USER, sort: 'serviceStart', nullableSort: true })).toEqual({ side: 'before', key: { value: null, id: KEY.id } });
    expect(codeOf(() => cursors.openOrThrow({ cursor, userId: USER, sort: 'serviceStart', nullableSort: false }))).toBe('cursor_invalid');
  });

  it('rejects a cursor sealed under another key', () => {
    const other = new ClientListCursors(randomBytes(32));
    const cursor = other.seal({ userId: USER, sort: 'name', side: 'after', key: KEY });

    expect(codeOf(() => cursors.openOrThrow({ cursor, userId: USER, sort: 'name', nullableSort: false }))).toBe('cursor_invalid');
  });

  it('rejects a cursor for another user or sort', () => {
    const cursor = cursors.seal({ userId: USER, sort: 'name', side: 'after', key: KEY });

    expect(codeOf(() => cursors.openOrThrow({ cursor, userId: 'someone-else', sort: 'name', nullableSort: false }))).toBe('cursor_invalid');
    expect(codeOf(() => cursors.openOrThrow({ cursor, userId: USER, sort: '-name', nullableSort: false }))).toBe('cursor_invalid');
  });

  it('rejects a truncated cursor', () => {
    const cursor = cursors.seal({ userId: USER, sort: 'name', side: 'after', key: KEY });

    expect(codeOf(() => cursors.openOrThrow({ cursor: cursor.slice(0, -4), userId: USER, sort: 'name', nullableSort: false }))).toBe('cursor_invalid');
  });

  it('never repeats a cursor for the same row', () => {
    const first = cursors.seal({ userId: USER, sort: 'name', side: 'after', key: KEY });
    const second = cursors.seal({ userId: USER, sort: 'name', side: 'after', key: KEY });

    expect(first).not.toBe(second);
  });

  it('requires a 32-byte key', () => {
    expect(() => new ClientListCursors(randomBytes(16))).toThrow(RangeError);
  });
});
