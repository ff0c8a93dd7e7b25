import { hash } from '@node-rs/argon2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestApp, createMember, createTestApp } from '../../test/test-app.js';
import { hashPassword } from './password.js';
import { isInHistory, rememberPassword } from './password-history.js';

// Real argon2id hashes with tiny costs. Verification reads the parameters from each hash, so these
// behave like production hashes but take a millisecond or two in place of about 45 ms.
const cheapHash = (password: string) => hash(password, { algorithm: 2, memoryCost: 1024, timeCost: 1, parallelism: 1 });

const PASSWORDS = ['Oldest-Pass-2020!', 'Second-Pass-2021!', 'Third-Pass-2022!', 'Current-Pass-2023!'] as const;
let hashes: string[];
let app: TestApp;

beforeAll(async () => {
  app = await createTestApp();
  hashes = await Promise.all(PASSWORDS.map(cheapHash));
});

afterAll(async () => {
  await app.dispose();
});

afterEach(() => {
  vi.useRealTimers();
});

async function setCurrentHash(userId: string, passwordHash: string) {
  await app.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

/** Walks a member through every password in PASSWORDS, as a password change would. */
async function changeThroughAll(userId: string, historySize: number) {
  await setCurrentHash(userId, hashes[0]!);
  for (let index = 1; index < hashes.length; index += 1) {
    await rememberPassword(app.db, userId, hashes[index - 1]!, historySize);
    await setCurrentHash(userId, hashes[index]!);
  }
}

async function historyRows(userId: string) {
  return app.db.selectFrom('password_history').select(['password_hash', 'created_at']).where('user_id', '=', userId).orderBy('created_at').execute();
}

describe('password history', () => {
  it('rejects current and last two', async () => {
    const { id } = await createMember(app, { username: 'history-two', roles: ['bookkeeper'] });
    await changeThroughAll(id, 2);

    expect(await isInHistory(app.db, id, 'Current-Pass-2023!', 2)).toBe(true);
    expect(await isInHistory(app.db, id, 'Third-Pass-2022!', 2)).toBe(true);
    expect(await isInHistory(app.db, id, 'Second-Pass-2021!', 2)).toBe(true);
    expect(await isInHistory(app.db, id, 'Oldest-Pass-2020!', 2)).toBe(false);
    expect(await isInHistory(app.db, id, 'Never-Used-2024!', 2)).toBe(false);
  });

  it('prunes to the history size', async () => {
    const { id } = await createMember(app, { username: 'history-prune', roles: ['bookkeeper'] });
    await changeThroughAll(id, 2);

    const rows = await historyRows(id);
    expect(rows.map((row) => row.password_hash)).toEqual([hashes[1], hashes[2]]);
  });

  it('reads only the newest entries', async () => {
    const { id } = await createMember(app, { username: 'history-shrunk', roles: ['bookkeeper'] });
    await changeThroughAll(id, 3);

    // The policy's size dropped from 3 to 1 after these changes, and the oldest row is still stored.
    expect(await historyRows(id)).toHaveLength(3);
    expect(await isInHistory(app.db, id, 'Third-Pass-2022!', 1)).toBe(true);
    expect(await isInHistory(app.db, id, 'Second-Pass-2021!', 1)).toBe(false);
  });

  it('checks only the current password at size 0', async () => {
    const { id } = await createMember(app, { username: 'history-zero', roles: ['bookkeeper'] });
    await changeThroughAll(id, 2);

    expect(await isInHistory(app.db, id, 'Current-Pass-2023!', 0)).toBe(true);
    expect(await isInHistory(app.db, id, 'Third-Pass-2022!', 0)).toBe(false);

    await rememberPassword(app.db, id, hashes[3]!, 0);
    expect(await historyRows(id)).toEqual([]);
  });

  it('keeps other members apart', async () => {
    const first = await createMember(app, { username: 'history-first', roles: ['bookkeeper'] });
    const second = await createMember(app, { username: 'history-second', roles: ['bookkeeper'] });
    await changeThroughAll(first.id, 2);
    await rememberPassword(app.db, second.id, hashes[0]!, 2);

    await rememberPassword(app.db, first.id, hashes[3]!, 1);

    expect(await historyRows(second.id)).toHaveLength(1);
    expect(await isInHistory(app.db, second.id, 'Oldest-Pass-2020!', 2)).toBe(true);
    expect(await isInHistory(app.db, second.id, 'Third-Pass-2022!', 2)).toBe(false);
  });

  it('orders entries from the same millisecond', async () => {
    const { id } = await createMember(app, { username: 'history-clock', roles: ['bookkeeper'] });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T08:00:00.000Z'));

    await rememberPassword(app.db, id, hashes[0]!, 2);
    await rememberPassword(app.db, id, hashes[1]!, 2);
    vi.setSystemTime(new Date('2026-02-01T08:00:00.000Z'));
    await rememberPassword(app.db, id, hashes[2]!, 2);

    const rows = await historyRows(id);
    expect(rows.map((row) => row.password_hash)).toEqual([hashes[1], hashes[2]]);
    expect(rows.map((row) => row.created_at)).toEqual(['2026-03-01T08:00:00.001Z', '2026-03-01T08:00:00.002Z']);
  });

  it('verifies production-cost hashes', async () => {
    const { id } = await createMember(app, { username: 'history-real', roles: ['bookkeeper'] });
    await setCurrentHash(id, await hashPassword('Real-Cost-Pass-2026!'));

    expect(await isInHistory(app.db, id, 'Real-Cost-Pass-2026!', 5)).toBe(true);
    expect(await isInHistory(app.db, id, 'real-cost-pass-2026!', 5)).toBe(false);
  });

  it('returns false for unknown member', async () => {
    expect(await isInHistory(app.db, 'no-such-user', 'Current-Pass-2023!', 5)).toBe(false);
  });
});
