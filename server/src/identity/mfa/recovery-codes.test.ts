import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createMember, createTestApp } from '../../../test/test-app.js';
import { RecoveryCodes } from './recovery-codes.js';

const NOW = new Date('2026-12-04T08:00:00Z');
const CODE_FORMAT = /^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/;

let app: TestApp;
let recoveryCodes: RecoveryCodes;

beforeAll(async () => {
  app = await createTestApp();
  recoveryCodes = new RecoveryCodes({ db: app.db, now: () => NOW });
});

afterAll(async () => {
  await app.dispose();
});

async function newMember(): Promise<string> {
  const { id } = await createMember(app, { username: `recovery-${randomUUID().slice(0, 8)}`, roles: ['bookkeeper'] });
  return id;
}

async function storedRows(userId: string) {
  return app.db.selectFrom('recovery_codes').selectAll().where('user_id', '=', userId).execute();
}

function toFullWidth(text: string): string {
  return [...text].map((char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0)).join('');
}

describe('recovery codes', () => {
  it('regenerate gives ten distinct codes', async () => {
    const userId = await newMember();

    const codes = await recoveryCodes.regenerate(userId);

    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(CODE_FORMAT);
    }
    expect(await recoveryCodes.remaining(userId)).toBe(10);
  });

  it('each code works once', async () => {
    const userId = await newMember();
    const codes = await recoveryCodes.regenerate(userId);

    for (const [index, code] of codes.entries()) {
      expect(await recoveryCodes.consume(userId, code)).toBe(true);
      expect(await recoveryCodes.consume(userId, code)).toBe(false);
      expect(await recoveryCodes.remaining(userId)).toBe(codes.length - index - 1);
    }
    const rows = await storedRows(userId);
    expect(rows.map((row) => row.used_at)).toEqual(Array(10).fill(NOW.toISOString()));
  });

  it('input normalization', async () => {
    const userId = await newMember();
    const [lower, bare, spaced, fullWidth, emDash] = await recoveryCodes.regenerate(userId);

    expect(await recoveryCodes.consume(userId, lower!.toLowerCase())).toBe(true);
    expect(await recoveryCodes.consume(userId, bare!.replace('-', ''))).toBe(true);
    expect(await recoveryCodes.consume(userId, ` ${spaced!.slice(0, 3)} ${spaced!.slice(3).replace('-', ' ')} `)).toBe(true);
    expect(await recoveryCodes.consume(userId, toFullWidth(fullWidth!))).toBe(true);
    expect(await recoveryCodes.consume(userId, emDash!.replace('-', '—'))).toBe(true);
    expect(await recoveryCodes.remaining(userId)).toBe(5);
  });

  it('malformed input rejected', async () => {
    const userId = await newMember();
    const [code] = await recoveryCodes.regenerate(userId);

    for (const input of ['', code!.slice(0, 10), `${code}2`, code!.replace(/.$/, '0'), code!.replace(/.$/, 'O'), `${code}${' '.repeat(80)}`]) {
      expect(await recoveryCodes.consume(userId, input)).toBe(false);
    }
    expect(await recoveryCodes.remaining(userId)).toBe(10);
  });

  it("other user's code fails", async () => {
    const owner = await newMember();
    const other = await newMember();
    const [code] = await recoveryCodes.regenerate(owner);
    await recoveryCodes.regenerate(other);

    expect(await recoveryCodes.consume(other, code!)).toBe(false);
    expect(await recoveryCodes.remaining(other)).toBe(10);
    expect(await recoveryCodes.consume(owner, code!)).toBe(true);
  });

  it('regenerate invalidates old codes', async () => {
    const userId = await newMember();
    const old = await recoveryCodes.regenerate(userId);
    await recoveryCodes.consume(userId, old[0]!);

    const fresh = await recoveryCodes.regenerate(userId);

    for (const code of old) {
      expect(await recoveryCodes.consume(userId, code)).toBe(false);
    }
    expect(await recoveryCodes.remaining(userId)).toBe(10);
    expect(await storedRows(userId)).toHaveLength(10);
    expect(await recoveryCodes.consume(userId, fresh[0]!)).toBe(true);
  });

  it('stores only hashes', async () => {
    const userId = await newMember();
    const codes = await recoveryCodes.regenerate(userId);

    const stored = JSON.stringify(await storedRows(userId));

    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace('-', ''));
      expect(stored.toLowerCase()).not.toContain(code.replace('-', '').toLowerCase());
    }
    for (const row of await storedRows(userId)) {
      expect(row.code_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it('user without codes has none remaining', async () => {
    const userId = await newMember();

    expect(await recoveryCodes.remaining(userId)).toBe(0);
    expect(await recoveryCodes.consume(userId, 'ABCDE-FGHJK')).toBe(false);
  });

  it('concurrent consume of one code: exactly one passes', async () => {
    const userId = await newMember();
    const [code] = await recoveryCodes.regenerate(userId);

    const results = await Promise.all(Array.from({ length: 8 }, () => recoveryCodes.consume(userId, code!)));

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await recoveryCodes.remaining(userId)).toBe(9);
  });
});
