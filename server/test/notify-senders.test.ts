import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertNotice } from '../src/notify/alert-notice.js';
import { DeliveryError } from '../src/notify/delivery-error.js';
import { type DeliveryPayload, renderMessageText } from '../src/notify/message-text.js';
import { type ChannelTarget, SENDERS, type SendContext } from '../src/notify/senders/index.js';
import { type FakeRobot, startFakeDingTalk, startFakeFeishu, startFakeWebhookReceiver, startFakeWeCom } from './fakes/robot-servers.js';

const DINGTALK_TOKEN = 'dt0123456789abcdef0123456789abcdef';
const DINGTALK_SECRET = 'SECdingtalk-secret-0123456789abcdef';
const WECOM_KEY = '693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa';
const FEISHU_TOKEN = 'f1e2d3c4-b5a6-4978-8899-aabbccddeeff';
const FEISHU_SECRET = 'feishu-secret-0123456789';
const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef';

const notice: AlertNotice = {
  alertId: '11111111-2222-4333-8444-555555555555',
  rule: 'failed_sign_ins',
  severity: 'high',
  title: { 'zh-CN': '多次登录失败', 'en-US': 'Repeated failed sign-ins' },
  summary: { 'zh-CN': '账号 bk1 在 10 分钟内登录失败 12 次。', 'en-US': 'Account bk1 failed to sign in 12 times in 10 minutes.' },
  username: 'bk1',
  count: 3,
  raisedAt: '2026-12-04T10:00:00.000Z',
};
const payload: DeliveryPayload = { type: 'alert', notice };
const text = renderMessageText(payload, 'Asia/Shanghai');
const message = { deliveryId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', payload };

function context(overrides: Partial<SendContext> = {}): SendContext {
  return { fetch: globalThis.fetch, timeoutMs: 2_000, now: () => new Date(), mailer: { enabled: false, send: async () => undefined }, ...overrides };
}

function target(kind: ChannelTarget['kind'], url: string, secret: string | null = null): ChannelTarget {
  return { kind, url, secret, recipients: [] };
}

async function sendError(send: Promise<void>): Promise<DeliveryError> {
  const error = await send.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

const TWO_HOURS_AGO = () => new Date(Date.now() - 2 * 3_600_000);

describe('message text', () => {
  it('puts Chinese first and English beside it', () => {
    expect(text['zh-CN'].heading).toBe('【账安】安全告警（高危）：多次登录失败');
    expect(text['en-US'].heading).toBe('[LedgerGuard] Security alert (high): Repeated failed sign-ins');
    expect(text['zh-CN'].lines).toContain('时间：2026-12-04 18:00:00 (Asia/Shanghai)');
    expect(text['en-US'].lines).toContain('Occurrences: 3');
  });
});

describe('DingTalk sender', () => {
  let robot: FakeRobot;
  beforeAll(async () => {
    robot = await startFakeDingTalk({ accessToken: DINGTALK_TOKEN, secret: DINGTALK_SECRET });
  });
  afterAll(() => robot.close());

  it('sends a signed Markdown message', async () => {
    await SENDERS.dingtalk(target('dingtalk', robot.webhookUrl, DINGTALK_SECRET), message, text, context());

    const request = robot.received.at(-1)!;
    expect(request.accepted).toBe(true);
    expect(request.path).toMatch(/[?&]timestamp=\d{13}&sign=[A-Za-z0-9%]+$/);
    const body = request.body as { msgtype: string; markdown: { title: string; text: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('【账安】安全告警（高危）：多次登录失败');
    expect(body.markdown.text).toContain('Repeated failed sign-ins');
  });

  it('fails on a wrong secret', async () => {
    const error = await sendError(SENDERS.dingtalk(target('dingtalk', robot.webhookUrl, 'SECwrong-secret-0000000000'), message, text, context()));

    expect(error.message).toBe('DingTalk rejected the message: errcode 310000 sign not match');
    expect(robot.received.at(-1)!.rejection).toBe('sign not match');
  });

  it('fails on a stale timestamp', async () => {
    const error = await sendError(SENDERS.dingtalk(target('dingtalk', robot.webhookUrl, DINGTALK_SECRET), message, text, context({ now: TWO_HOURS_AGO })));

    expect(error.message).toContain('errcode 310000 invalid timestamp');
  });

  it('fails on a missing signature', async () => {
    const error = await sendError(SENDERS.dingtalk(target('dingtalk', robot.webhookUrl, null), message, text, context()));

    expect(error.message).toContain('errcode 310000');
  });

  it('keeps the token out of the error', async () => {
    const error = await sendError(SENDERS.dingtalk(target('dingtalk', `${robot.origin}/robot/send?access_token=wrong-token-1234567890`, DINGTALK_SECRET), message, text, context()));

    expect(error.message).toBe('DingTalk rejected the message: errcode 300001 token is not exist');
  });
});

describe('WeCom sender', () => {
  let robot: FakeRobot;
  beforeAll(async () => {
    robot = await startFakeWeCom({ key: WECOM_KEY });
  });
  afterAll(() => robot.close());

  it('sends a Markdown message', async () => {
    await SENDERS.wecom(target('wecom', robot.webhookUrl), message, text, context());

    const body = robot.accepted().at(-1) as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toContain('多次登录失败');
    expect(body.markdown.content).toContain('Repeated failed sign-ins');
  });

  it('fails on a wrong key', async () => {
    const error = await sendError(SENDERS.wecom(target('wecom', `${robot.origin}/cgi-bin/webhook/send?key=00000000-0000-4000-8000-000000000000`), message, text, context()));

    expect(error.message).toBe('WeCom rejected the message: errcode 93000 invalid webhook url');
  });

  it('cuts an oversized message to the documented limit', async () => {
    const long = { ...notice, summary: { 'zh-CN': '超'.repeat(3000), 'en-US': 'x'.repeat(3000) } };
    const longPayload: DeliveryPayload = { type: 'alert', notice: long };

    await SENDERS.wecom(target('wecom', robot.webhookUrl), { deliveryId: message.deliveryId, payload: longPayload }, renderMessageText(longPayload, 'Asia/Shanghai'), context());

    expect(robot.received.at(-1)!.accepted).toBe(true);
  });
});

describe('Feishu sender', () => {
  let robot: FakeRobot;
  beforeAll(async () => {
    robot = await startFakeFeishu({ hookToken: FEISHU_TOKEN, secret: FEISHU_SECRET });
  });
  afterAll(() => robot.close());

  it('sends a signed text message', async () => {
    await SENDERS.feishu(target('feishu', robot.webhookUrl, FEISHU_SECRET), message, text, context());

    const body = robot.accepted().at(-1) as { timestamp: string; sign: string; msg_type: string; content: { text: string } };
    expect(body.timestamp).toMatch(/^\d{10}$/);
    expect(body.msg_type).toBe('text');
    expect(body.content.text.indexOf('多次登录失败')).toBeLessThan(body.content.text.indexOf('Repeated failed sign-ins'));
  });

  it('fails on a wrong secret', async () => {
    const error = await sendError(SENDERS.feishu(target('feishu', robot.webhookUrl, 'another-secret-000000'), message, text, context()));

    expect(error.message).toContain('code 19021');
    expect(error.message).not.toContain('another-secret');
  });

  it('fails on a stale timestamp', async () => {
    const error = await sendError(SENDERS.feishu(target('feishu', robot.webhookUrl, FEISHU_SECRET), message, text, context({ now: TWO_HOURS_AGO })));

    expect(error.message).toContain('code 19021');
  });
});

describe('generic webhook sender', () => {
  let receiver: FakeRobot;
  beforeAll(async () => {
    receiver = await startFakeWebhookReceiver({ path: '/hooks/ledgerguard?tenant=firm-0123456789', secret: WEBHOOK_SECRET });
  });
  afterAll(() => receiver.close());

  it('sends a signed JSON alert', async () => {
    await SENDERS.webhook(target('webhook', receiver.webhookUrl, WEBHOOK_SECRET), message, text, context());

    const request = receiver.received.at(-1)!;
    expect(request.accepted).toBe(true);
    expect(request.headers['x-ledgerguard-delivery']).toBe(message.deliveryId);
    expect(request.headers['x-ledgerguard-event']).toBe('alert');
    expect(request.body).toMatchObject({ event: 'alert', deliveryId: message.deliveryId, alert: { id: notice.alertId, rule: 'failed_sign_ins', severity: 'high', count: 3, username: 'bk1' } });
  });

  it('fails on a wrong secret', async () => {
    const error = await sendError(SENDERS.webhook(target('webhook', receiver.webhookUrl, 'not-the-receivers-secret'), message, text, context()));

    expect(error.message).toBe('Webhook returned HTTP 401');
    expect(receiver.received.at(-1)!.rejection).toBe('bad signature');
  });

  it('fails on a stale timestamp', async () => {
    await sendError(SENDERS.webhook(target('webhook', receiver.webhookUrl, WEBHOOK_SECRET), message, text, context({ now: TWO_HOURS_AGO })));

    expect(receiver.received.at(-1)!.rejection).toBe('stale timestamp');
  });
});

describe('network failures', () => {
  it('reports a timeout without the URL', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;

    const error = await sendError(SENDERS.wecom(target('wecom', `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=${WECOM_KEY}`), message, text, context({ timeoutMs: 300 })));
    silent.closeAllConnections();
    silent.close();

    expect(error.message).toBe('WeCom request timed out after 300 ms');
  });

  it('reports a refused connection without the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await sendError(SENDERS.dingtalk(target('dingtalk', `http://127.0.0.1:${port}/robot/send?access_token=${DINGTALK_TOKEN}`, DINGTALK_SECRET), message, text, context()));

    expect(error.message).toBe('DingTalk request failed (ECONNREFUSED)');
  });

  it('reports e-mail as not configured', async () => {
    const error = await sendError(SENDERS.email({ kind: 'email', url: null, secret: null, recipients: ['sec@firm.test'] }, message, text, context()));

    expect(error.message).toBe('e-mail is not configured: set SMTP_URL');
  });
});
