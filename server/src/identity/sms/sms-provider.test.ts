import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxSmsProvider, SmsSendError, type SmsMessage, readOutbox, renderSmsText } from './sms-provider.js';

const message: SmsMessage = { phone: '13800000000', template: 'sign_in_code', params: { code: '123456', minutes: 5 } };

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'ledgerguard-outbox-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('renderSmsText', () => {
  it('renders the sign-in text in Chinese', () => {
    expect(renderSmsText(message)).toBe('【账安】您的登录验证码为 123456，5 分钟内有效。请勿告诉他人。');
  });
});

describe('OutboxSmsProvider', () => {
  it('appends one JSON line per message and logs the text', async () => {
    const file = path.join(folder, 'sms', 'outbox.jsonl');
    const logged: string[] = [];
    const provider = new OutboxSmsProvider({ file, log: (text) => logged.push(text), now: () => new Date('2026-12-04T08:00:00.000Z') });

    await provider.send(message);
    await provider.send({ ...message, phone: '13900000001', params: { code: '000042', minutes: 5 } });

    const entries = await readOutbox(file);
    expect(entries).toEqual([
      { time: '2026-12-04T08:00:00.000Z', phone: '13800000000', text: '【账安】您的登录验证码为 123456，5 分钟内有效。请勿告诉他人。' },
      { time: '2026-12-04T08:00:00.000Z', phone: '13900000001', text: '【账安】您的登录验证码为 000042，5 分钟内有效。请勿告诉他人。' },
    ]);
    expect(logged).toEqual(entries.map((entry) => entry.text));
  });

  it('creates the outbox readable by its owner only', async () => {
    const file = path.join(folder, 'outbox.jsonl');

    await new OutboxSmsProvider({ file, log: () => {} }).send(message);

    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['a phone with a country prefix', { ...message, phone: '+8613800000000' }],
    ['a landline number', { ...message, phone: '01012345678' }],
    ['a code with letters', { ...message, params: { code: '12a456', minutes: 5 } }],
    ['zero minutes', { ...message, params: { code: '123456', minutes: 0 } }],
  ])('rejects %s without writing', async (_case, invalid) => {
    const file = path.join(folder, 'outbox.jsonl');
    const logged: string[] = [];

    const sending = new OutboxSmsProvider({ file, log: (text) => logged.push(text) }).send(invalid);

    await expect(sending).rejects.toBeInstanceOf(SmsSendError);
    await expect(sending).rejects.toMatchObject({ code: 'sms_invalid_request' });
    expect(await readOutbox(file)).toEqual([]);
    expect(logged).toEqual([]);
  });

  it('reports an unwritable outbox as SmsSendError', async () => {
    // A regular file where the outbox folder should be makes mkdir fail.
    const blocker = path.join(folder, 'blocker');
    await writeFile(blocker, '');

    const sending = new OutboxSmsProvider({ file: path.join(blocker, 'outbox.jsonl'), log: () => {} }).send(message);

    await expect(sending).rejects.toMatchObject({ name: 'SmsSendError', code: 'sms_outbox_failed' });
  });
});

describe('readOutbox', () => {
  it('returns no entries for a missing file', async () => {
    expect(await readOutbox(path.join(folder, 'missing.jsonl'))).toEqual([]);
  });
});
