import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createMember, createTestApp } from '../../../test/test-app.js';
import { type SmsLimits, SmsCodeService, SmsLimitError } from './sms-code.service.js';
import { type SmsMessage, type SmsProvider, SmsSendError } from './sms-provider.js';

/** Keeps every message it is given; `failWith` makes it throw after recording, like a send that timed out. */
class RecordingProvider implements SmsProvider {
  readonly sent: SmsMessage[] = [];
  failWith: Error | undefined;

  async send(message: SmsMessage): Promise<void> {
    this.sent.push(message);
    if (this.failWith) {
      throw this.failWith;
    }
  }

  lastCode(): string {
    const last = this.sent.at(-1);
    if (!last) {
      throw new Error('No SMS was sent');
    }
    return last.params.code;
  }
}

let app: TestApp;
let memberCount = 0;
let phoneCount = 0;
let ipCount = 0;

beforeAll(async () => {
  app = await createTestApp();
});

afterAll(async () => {
  await app.dispose();
});

async function newMember(): Promise<string> {
  memberCount += 1;
  const member = await createMember(app, { username: `sms${memberCount}`, roles: ['bookkeeper'] });
  return member.id;
}

// Each test uses its own numbers and addresses, because the limits count rows of every test.
const newPhone = () => `1390000${String((phoneCount += 1)).padStart(4, '0')}`;
const newIp = () => `192.0.2.${(ipCount += 1)}`;

function setup(limits: Partial<SmsLimits> = {}) {
  const clock = { now: new Date('2026-12-04T08:00:00.000Z') };
  const provider = new RecordingProvider();
  const hashKey = randomBytes(32);
  const service = new SmsCodeService({ db: app.db, dialect: app.database.dialect, provider, hashKey, now: () => clock.now, limits });
  const advance = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000);
  };
  return { clock, provider, hashKey, service, advance };
}

async function rowsOf(userId: string) {
  return app.db.selectFrom('sms_codes').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

describe('SmsCodeService.send', () => {
  it('sends the code and stores only hashes', async () => {
    const { provider, hashKey, service } = setup();
    const userId = await newMember();
    const phone = newPhone();

    const { expiresAt } = await service.send({ userId, phone, purpose: 'sign_in', ip: newIp() });

    expect(expiresAt).toBe('2026-12-04T08:05:00.000Z');
    expect(provider.sent).toEqual([{ phone, template: 'sign_in_code', params: { code: expect.stringMatching(/^\d{6}$/), minutes: 5 } }]);
    const code = provider.lastCode();
    const rows = await rowsOf(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.phone_index).toBe(createHmac('sha256', hashKey).update(phone).digest('base64url'));
    expect(rows[0]?.code_hash).toBe(createHmac('sha256', hashKey).update(`${userId}|sign_in|${code}`).digest('base64url'));
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(code);
    expect(stored).not.toContain(phone);
  });

  it('normalizes a typed phone number', async () => {
    const { provider, service } = setup();
    const userId = await newMember();

    await service.send({ userId, phone: '+86 139-0000-9999', purpose: 'sign_in', ip: null });

    expect(provider.sent[0]?.phone).toBe('13900009999');
  });

  it('rejects a number that is not a mainland mobile', async () => {
    const { provider, service } = setup();
    const userId = await newMember();

    const sending = service.send({ userId, phone: '010-12345678', purpose: 'sign_in', ip: null });

    await expect(sending).rejects.toMatchObject({ name: 'SmsSendError', code: 'sms_invalid_request' });
    expect(provider.sent).toEqual([]);
    expect(await rowsOf(userId)).toEqual([]);
  });

  it('leaves no usable code after a provider failure', async () => {
    const { provider, service } = setup();
    const userId = await newMember();
    provider.failWith = new SmsSendError('sms_provider_unreachable', 'Aliyun SMS request timed out after 10000 ms');

    const sending = service.send({ userId, phone: newPhone(), purpose: 'sign_in', ip: null });

    await expect(sending).rejects.toMatchObject({ code: 'sms_provider_unreachable' });
    expect(await service.verify({ userId, purpose: 'sign_in', code: provider.lastCode() })).toBe(false);
    expect(await rowsOf(userId)).toHaveLength(1);
  });

  it('supersedes the older unused code', async () => {
    const { provider, service, advance } = setup();
    const userId = await newMember();
    const phone = newPhone();
    await service.send({ userId, phone, purpose: 'sign_in', ip: null });
    const first = provider.lastCode();
    advance(61);

    await service.send({ userId, phone, purpose: 'sign_in', ip: null });
    const second = provider.lastCode();

    // Once in a million sends the new code repeats the old one and this check fails spuriously.
    expect(second).not.toBe(first);
    expect(await service.verify({ userId, purpose: 'sign_in', code: first })).toBe(false);
    expect(await service.verify({ userId, purpose: 'sign_in', code: second })).toBe(true);
  });

  it('keeps codes of the other purpose apart', async () => {
    const { provider, service } = setup();
    const userId = await newMember();
    await service.send({ userId, phone: newPhone(), purpose: 'step_up', ip: null });
    const code = provider.lastCode();

    expect(await service.verify({ userId, purpose: 'sign_in', code })).toBe(false);
    expect(await service.verify({ userId, purpose: 'step_up', code })).toBe(true);
  });
});

describe('SmsCodeService.verify', () => {
  it('accepts a code only once', async () => {
    const { provider, service } = setup();
    const userId = await newMember();
    await service.send({ userId, phone: newPhone(), purpose: 'sign_in', ip: null });
    const code = provider.lastCode();

    expect(await service.verify({ userId, purpose: 'sign_in', code })).toBe(true);
    expect(await service.verify({ userId, purpose: 'sign_in', code })).toBe(false);
  });

  it('accepts one of two parallel correct submissions', async () => {
    const { provider, service } = setup();
    const userId = await newMember();
    await service.send({ userId, phone: newPhone(), purpose: 'sign_in', ip: null });
    const code = provider.lastCode();

    const results = await Promise.all([service.verify({ userId, purpose: 'sign_in', code }), service.verify({ userId, purpose: 'sign_in', code })]);

    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('rejects another member using the code', async () => {
    const { provider, service } = setup();
    const userId = await newMember();
    const otherId = await newMember();
    await service.send({ userId, phone: newPhone(), purpose: 'sign_in', ip: null });

    expect(await service.verify({ userId: otherId, purpose: 'sign_in', code: provider.lastCode() })).toBe(false);
  });

  it('accepts a code until it expires', async () => {
    const { provider, service, advance } = setup();
    const userId = await newMember();
    const phone = newPhone();
    await service.send({ userId, phone, purpose: 'sign_in', ip: null });
    advance(299);

    expect(await service.verify({ userId, purpose: 'sign_in', code: provider.lastCode() })).toBe(true);

    advance(61);
    await service.send({ userId, phone, purpose: 'sign_in', ip: null });
    advance(300);

    expect(await service.verify({ userId, purpose: 'sign_in', code: provider.lastCode() })).toBe(false);
  });

  it('applies a configured lifetime', async () => {
    const { provider, service, advance } = setup({ codeTtlSeconds: 120 });
    const userId = await newMember();
    const { expiresAt } = await service.send({ userId, phone: newPhone(), purpose: 'sign_in', ip: null });
    advance(120);

    expect(expiresAt).toBe('2026-12-04T08:02:00.000Z');
    expect(provider.sent[0]?.params.minutes).toBe(2);
    expect(await service.verify({ userId, purpose: 'sign_in', code: provider.lastCode() })).toBe(false);
  });

  it('accepts the right code after four wrong ones', async () => {
    const { provider, service } = setup();
    const userId = await newMember();
    await service.send({ userId, phone: newPhone(), purpose: 'sign_in', ip: null });
    const code = provider.lastCode();
    const wrong = code === '000000' ? '000001' : '000000';

    for (let attempt = 0; attempt < 4; attempt += 1) {
      expect(await service.verify({ userId, purpose: 'sign_in', code: wrong })).toBe(false);
    }

    expect(await service.verify({ userId, purpose: 'sign_in', code })).toBe(true);
  });

  it('kills the code after five wrong attempts', async () => {
    const { provider, service } = setup();
    const userId = await newMember();
    await service.send({ userId, phone: newPhone(), purpose: 'sign_in', ip: null });
    const code = provider.lastCode();
    const wrong = code === '000000' ? '000001' : '000000';

    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(await service.verify({ userId, purpose: 'sign_in', code: wrong })).toBe(false);
    }

    expect(await service.verify({ userId, purpose: 'sign_in', code })).toBe(false);
    expect((await rowsOf(userId))[0]?.attempts).toBe(5);
  });
});

describe('SmsCodeService flooding limits', () => {
  async function limitErrorOf(sending: Promise<unknown>): Promise<SmsLimitError> {
    const error = await sending.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SmsLimitError);
    return error as SmsLimitError;
  }

  it('allows one send per phone per minute', async () => {
    const { provider, service, advance } = setup();
    const userId = await newMember();
    const phone = newPhone();
    await service.send({ userId, phone, purpose: 'sign_in', ip: null });
    advance(30);

    const error = await limitErrorOf(service.send({ userId, phone, purpose: 'sign_in', ip: null }));

    expect(error).toMatchObject({ code: 'sms_rate_limited', retryAfterSeconds: 30, limits: ['phone_interval'] });
    expect(provider.sent).toHaveLength(1);
    expect(await rowsOf(userId)).toHaveLength(1);
    advance(30);
    await expect(service.send({ userId, phone, purpose: 'sign_in', ip: null })).resolves.toMatchObject({ expiresAt: '2026-12-04T08:06:00.000Z' });
  });

  it('allows ten sends per phone per day', async () => {
    const { service, advance } = setup();
    // Two members share the phone, so the per-member limit is not what stops the eleventh send.
    const members = [await newMember(), await newMember()];
    const phone = newPhone();
    for (let send = 0; send < 10; send += 1) {
      await service.send({ userId: members[send % 2] ?? '', phone, purpose: 'sign_in', ip: null });
      advance(120);
    }

    const error = await limitErrorOf(service.send({ userId: members[0] ?? '', phone, purpose: 'sign_in', ip: null }));

    expect(error.limits).toEqual(['phone_daily']);
    // The first send, 20 minutes ago, leaves the 24-hour window in 23 h 40 min.
    expect(error.retryAfterSeconds).toBe(86_400 - 1_200);
    advance(86_400 - 1_200);
    await expect(service.send({ userId: members[0] ?? '', phone, purpose: 'sign_in', ip: null })).resolves.toBeDefined();
  });

  it('allows ten sends per member per day', async () => {
    const { service, advance } = setup();
    const userId = await newMember();
    for (let send = 0; send < 10; send += 1) {
      await service.send({ userId, phone: newPhone(), purpose: send % 2 === 0 ? 'sign_in' : 'step_up', ip: null });
      advance(60);
    }

    const error = await limitErrorOf(service.send({ userId, phone: newPhone(), purpose: 'sign_in', ip: null }));

    expect(error.limits).toEqual(['user_daily']);
    expect(error.retryAfterSeconds).toBe(86_400 - 600);
  });

  it('allows twenty sends per address per hour', async () => {
    const { service, advance } = setup();
    const members = [await newMember(), await newMember(), await newMember()];
    const ip = newIp();
    for (let send = 0; send < 20; send += 1) {
      await service.send({ userId: members[send % 3] ?? '', phone: newPhone(), purpose: 'sign_in', ip });
      advance(10);
    }

    const error = await limitErrorOf(service.send({ userId: members[2] ?? '', phone: newPhone(), purpose: 'sign_in', ip }));
    const elsewhere = await service.send({ userId: members[2] ?? '', phone: newPhone(), purpose: 'sign_in', ip: newIp() });

    expect(error.limits).toEqual(['ip_hourly']);
    expect(error.retryAfterSeconds).toBe(3_600 - 200);
    expect(elsewhere.expiresAt).toBeDefined();
  });

  it('reports the longest wait when several limits apply', async () => {
    const { service, advance } = setup({ userPerDay: 2, phoneIntervalSeconds: 600 });
    const userId = await newMember();
    const phone = newPhone();
    await service.send({ userId, phone, purpose: 'sign_in', ip: null });
    advance(600);
    await service.send({ userId, phone, purpose: 'sign_in', ip: null });
    advance(60);

    const error = await limitErrorOf(service.send({ userId, phone, purpose: 'sign_in', ip: null }));

    expect(error.limits).toEqual(['phone_interval', 'user_daily']);
    expect(error.retryAfterSeconds).toBe(86_400 - 660);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => new SmsCodeService({ db: app.db, dialect: app.database.dialect, provider: new RecordingProvider(), hashKey: randomBytes(32), limits: { phonePerDay: 0 } })).toThrow(RangeError);
  });
});
