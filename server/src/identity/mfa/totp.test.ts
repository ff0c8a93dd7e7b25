import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type TestApp, createMember, createTestApp } from '../../../test/test-app.js';
import { TotpService, totpCodeAt } from './totp.js';

const STEP_MS = 30_000;
// 08:00:10 UTC is 10 seconds into a time step, so a few seconds of drift stay in the same step.
const START = new Date('2026-12-04T08:00:10Z');

let app: TestApp;
let clock: Date;
let totp: TotpService;

beforeAll(async () => {
  app = await createTestApp();
});

afterAll(async () => {
  await app.dispose();
});

beforeEach(() => {
  clock = START;
  totp = new TotpService({ db: app.db, crypto: app.crypto, now: () => clock });
});

function stepsFrom(time: Date, steps: number): Date {
  return new Date(time.getTime() + steps * STEP_MS);
}

async function newMember(): Promise<string> {
  const { id } = await createMember(app, { username: `totp-${randomUUID().slice(0, 8)}`, roles: ['bookkeeper'] });
  return id;
}

/** Creates a member with a confirmed credential, confirmed with the code of START's step. */
async function enrolledMember(): Promise<{ userId: string; secret: string }> {
  const userId = await newMember();
  const { secret } = await totp.startEnrolment(userId, 'member');
  expect(await totp.confirmEnrolment(userId, totpCodeAt(secret, clock))).toBe(true);
  return { userId, secret };
}

/** Returns a 6-digit code that matches none of the steps inside the accepted window. */
function wrongCodeNear(secret: string, time: Date): string {
  const valid = new Set([-1, 0, 1].map((offset) => totpCodeAt(secret, stepsFrom(time, offset))));
  let candidate = Number(totpCodeAt(secret, time));
  do {
    candidate = (candidate + 1) % 1_000_000;
  } while (valid.has(String(candidate).padStart(6, '0')));
  return String(candidate).padStart(6, '0');
}

async function storedRow(userId: string) {
  return app.db.selectFrom('totp_credentials').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();
}

describe('RFC 6238 appendix B test vectors', () => {
  // SHA-1 rows of the appendix: the seed is the ASCII string "12345678901234567890".
  const seed = '12345678901234567890';
  const vectors: Array<[seconds: number, expected: string]> = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];

  it.each(vectors)('otpauth gives the 8-digit value at %i s', (seconds, expected) => {
    const code = TOTP.generate({ secret: Secret.fromLatin1(seed), algorithm: 'SHA1', digits: 8, period: 30, timestamp: seconds * 1000 });

    expect(code).toBe(expected);
  });

  it.each(vectors)('totpCodeAt gives the last 6 digits at %i s', (seconds, expected) => {
    // Truncation is modulo 10^digits, so the 6-digit code is the tail of the 8-digit one.
    const code = totpCodeAt(Secret.fromLatin1(seed).base32, new Date(seconds * 1000));

    expect(code).toBe(expected.slice(2));
  });
});

describe('TOTP enrolment', () => {
  it('round trip with an injected clock', async () => {
    const userId = await newMember();

    const enrolment = await totp.startEnrolment(userId, 'zhang.san');
    const pending = await totp.isEnrolled(userId);
    const confirmed = await totp.confirmEnrolment(userId, totpCodeAt(enrolment.secret, clock));

    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(enrolment.otpauthUri).toContain(`secret=${enrolment.secret}`);
    expect(enrolment.otpauthUri).toContain(`issuer=${encodeURIComponent('账安 LedgerGuard')}`);
    expect(enrolment.otpauthUri).toContain('algorithm=SHA1');
    expect(enrolment.otpauthUri).toContain('digits=6');
    expect(enrolment.otpauthUri).toContain('period=30');
    expect(enrolment.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(pending).toBe(false);
    expect(confirmed).toBe(true);
    expect(await totp.isEnrolled(userId)).toBe(true);
    expect((await storedRow(userId)).confirmed_at).toBe(START.toISOString());
  });

  it('confirmation code cannot verify again', async () => {
    const { userId, secret } = await enrolledMember();

    expect(await totp.verify(userId, totpCodeAt(secret, clock))).toBe(false);

    clock = stepsFrom(START, 1);
    expect(await totp.verify(userId, totpCodeAt(secret, clock))).toBe(true);
  });

  it('wrong code does not confirm', async () => {
    const userId = await newMember();
    const { secret } = await totp.startEnrolment(userId, 'member');

    expect(await totp.confirmEnrolment(userId, wrongCodeNear(secret, clock))).toBe(false);
    expect(await totp.confirmEnrolment(userId, '12345')).toBe(false);
    expect(await totp.isEnrolled(userId)).toBe(false);
  });

  it('restarting replaces the pending secret', async () => {
    const userId = await newMember();
    const first = await totp.startEnrolment(userId, 'member');
    const second = await totp.startEnrolment(userId, 'member');

    expect(second.secret).not.toBe(first.secret);
    if (totpCodeAt(first.secret, clock) !== totpCodeAt(second.secret, clock)) {
      expect(await totp.confirmEnrolment(userId, totpCodeAt(first.secret, clock))).toBe(false);
    }
    expect(await totp.confirmEnrolment(userId, totpCodeAt(second.secret, clock))).toBe(true);
  });

  it('confirmed credential blocks a new enrolment until removed', async () => {
    const { userId, secret } = await enrolledMember();

    await expect(totp.startEnrolment(userId, 'member')).rejects.toThrow('totp_already_enrolled');
    expect((await storedRow(userId)).confirmed_at).not.toBeNull();
    clock = stepsFrom(START, 1);
    expect(await totp.verify(userId, totpCodeAt(secret, clock))).toBe(true);

    await totp.remove(userId);
    expect(await totp.isEnrolled(userId)).toBe(false);
    const again = await totp.startEnrolment(userId, 'member');
    expect(again.secret).not.toBe(secret);
  });
});

describe('TOTP verification', () => {
  it('replayed code rejected', async () => {
    const { userId, secret } = await enrolledMember();
    clock = stepsFrom(START, 1);
    const code = totpCodeAt(secret, clock);

    expect(await totp.verify(userId, code)).toBe(true);
    expect(await totp.verify(userId, code)).toBe(false);

    // Still rejected a few seconds later, inside the same step.
    clock = new Date(clock.getTime() + 5_000);
    expect(await totp.verify(userId, code)).toBe(false);
  });

  it('accepts one step of skew, once', async () => {
    const { userId, secret } = await enrolledMember();
    clock = stepsFrom(START, 10);

    expect(await totp.verify(userId, totpCodeAt(secret, stepsFrom(clock, -2)))).toBe(false);
    expect(await totp.verify(userId, totpCodeAt(secret, stepsFrom(clock, -1)))).toBe(true);
    expect(await totp.verify(userId, totpCodeAt(secret, stepsFrom(clock, -1)))).toBe(false);
  });

  it('code older than the last accepted one rejected', async () => {
    const { userId, secret } = await enrolledMember();
    clock = stepsFrom(START, 10);

    expect(await totp.verify(userId, totpCodeAt(secret, stepsFrom(clock, 2)))).toBe(false);
    expect(await totp.verify(userId, totpCodeAt(secret, stepsFrom(clock, 1)))).toBe(true);
    expect(await totp.verify(userId, totpCodeAt(secret, clock))).toBe(false);
    expect((await storedRow(userId)).last_used_step).toBe(Math.floor(stepsFrom(clock, 1).getTime() / STEP_MS));
  });

  it('wrong code rejected', async () => {
    const { userId, secret } = await enrolledMember();
    clock = stepsFrom(START, 1);
    const before = await storedRow(userId);

    expect(await totp.verify(userId, wrongCodeNear(secret, clock))).toBe(false);
    expect(await storedRow(userId)).toEqual(before);
  });

  it('malformed input rejected', async () => {
    const { userId, secret } = await enrolledMember();
    clock = stepsFrom(START, 1);
    const code = totpCodeAt(secret, clock);

    for (const input of ['', '12345', `${code}0`, 'abcdef', `${code.slice(0, 5)}x`, '１'.repeat(40)]) {
      expect(await totp.verify(userId, input)).toBe(false);
    }
    expect(await totp.verify(userId, code)).toBe(true);
  });

  it('accepts full-width digits and spaces', async () => {
    const { userId, secret } = await enrolledMember();
    clock = stepsFrom(START, 1);
    const code = totpCodeAt(secret, clock);
    const fullWidth = [...code].map((digit) => String.fromCharCode(0xff10 + Number(digit))).join('');

    expect(await totp.verify(userId, ` ${fullWidth.slice(0, 3)} ${fullWidth.slice(3)} `)).toBe(true);
  });

  it('unconfirmed credential does not verify', async () => {
    const userId = await newMember();
    const { secret } = await totp.startEnrolment(userId, 'member');

    expect(await totp.verify(userId, totpCodeAt(secret, clock))).toBe(false);
    expect(await totp.verify(await newMember(), totpCodeAt(secret, clock))).toBe(false);
    expect(await totp.isEnrolled(userId)).toBe(false);
  });

  it('removed credential does not verify', async () => {
    const { userId, secret } = await enrolledMember();
    await totp.remove(userId);
    clock = stepsFrom(START, 1);

    expect(await totp.verify(userId, totpCodeAt(secret, clock))).toBe(false);
    expect(await app.db.selectFrom('totp_credentials').select('user_id').where('user_id', '=', userId).execute()).toEqual([]);
  });

  it('concurrent verify of one code: exactly one passes', async () => {
    const { userId, secret } = await enrolledMember();
    clock = stepsFrom(START, 1);
    const code = totpCodeAt(secret, clock);

    const results = await Promise.all(Array.from({ length: 8 }, () => totp.verify(userId, code)));

    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('TOTP secret storage', () => {
  it('stores no plaintext secret', async () => {
    const userId = await newMember();
    const { secret } = await totp.startEnrolment(userId, 'member');

    const row = await storedRow(userId);

    expect(row.secret_enc).toMatch(/^lg1\.a256gcm\./);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(row).toLowerCase()).not.toContain(secret.toLowerCase());
    expect(JSON.stringify(row)).not.toContain(Buffer.from(Secret.fromBase32(secret).bytes).toString('hex'));
    expect(await app.crypto.decrypt(app.db, { table: 'totp_credentials', column: 'secret', rowId: userId }, row.secret_enc)).toBe(secret);
  });

  it('secret copied to another user fails to decrypt', async () => {
    const victim = await enrolledMember();
    const attacker = await enrolledMember();
    const victimRow = await storedRow(victim.userId);
    await app.db.updateTable('totp_credentials').set({ secret_enc: victimRow.secret_enc }).where('user_id', '=', attacker.userId).execute();
    clock = stepsFrom(START, 1);

    await expect(totp.verify(attacker.userId, totpCodeAt(victim.secret, clock))).rejects.toThrow();
  });
});
