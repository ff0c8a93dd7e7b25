import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmtp } from './fake-smtp.js';
import { ApiSession } from './fakes/api-session.js';
import { type FakeRobot, startFakeDingTalk, startFakeFeishu, startFakeWebhookReceiver, startFakeWeCom } from './fakes/robot-servers.js';
import { TEST_PASSWORD, type TestApp, createMember, createTestApp } from './test-app.js';

const DINGTALK_TOKEN = 'dtchan0123456789abcdef0123456789abcd';
const DINGTALK_SECRET = 'SECchannel-dingtalk-secret-0123456789';
const WECOM_KEY = '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5';
const FEISHU_TOKEN = '9f8e7d6c-5b4a-4392-8187-a6b5c4d3e2f1';
const FEISHU_SECRET = 'feishu-channel-secret-abcdef';
const WEBHOOK_SECRET = 'webhook-channel-secret-0123456789';
const WEBHOOK_PATH = '/siem/ingest/tok-7a6b5c4d3e2f1a0b9c8d';
const SECRETS = [DINGTALK_TOKEN, DINGTALK_SECRET, WECOM_KEY, FEISHU_TOKEN, FEISHU_SECRET, WEBHOOK_SECRET, 'tok-7a6b5c4d3e2f1a0b9c8d'];

interface Channel {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  minSeverity: string;
  target: string;
  hasSecret: boolean;
  recipients: string[];
  lastDelivery: { status: string; at: string; error: string | null } | null;
}

interface Delivery {
  id: string;
  channelId: string;
  channelName: string;
  alertId: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

let app: TestApp;
let admin: ApiSession;
let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
let dingtalk: FakeRobot;
let wecom: FakeRobot;
let feishu: FakeRobot;
let webhook: FakeRobot;
/** Every response body the API returned, searched for secrets at the end. */
const responses: string[] = [];

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  const response = await admin.send(method, url, payload);
  responses.push(response.body);
  return response;
}

async function createChannel(input: Record<string, unknown>): Promise<Channel> {
  const response = await call('POST', '/api/security/channels', input);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Channel;
}

async function listChannels(): Promise<Channel[]> {
  return ((await call('GET', '/api/security/channels')).json() as { items: Channel[] }).items;
}

async function channelEvents() {
  return app.db.selectFrom('audit_events').select(['action', 'outcome', 'target_id', 'details']).where('action', 'in', ['security.channel_changed', 'security.channel_tested']).orderBy('seq').execute();
}

beforeAll(async () => {
  smtp = await startFakeSmtp();
  dingtalk = await startFakeDingTalk({ accessToken: DINGTALK_TOKEN, secret: DINGTALK_SECRET });
  wecom = await startFakeWeCom({ key: WECOM_KEY });
  feishu = await startFakeFeishu({ hookToken: FEISHU_TOKEN, secret: FEISHU_SECRET });
  webhook = await startFakeWebhookReceiver({ path: WEBHOOK_PATH, secret: WEBHOOK_SECRET });
  app = await createTestApp({ mail: { smtpUrl: smtp.url, from: 'LedgerGuard <no-reply@localhost>' } });
  await createMember(app, { username: 'secadmin', roles: ['security_admin'] });
  await createMember(app, { username: 'bk1', roles: ['bookkeeper'] });
  admin = await ApiSession.signIn(app.app, 'secadmin', TEST_PASSWORD);
});

afterAll(async () => {
  await app.dispose();
  await Promise.all([smtp.close(), dingtalk.close(), wecom.close(), feishu.close(), webhook.close()]);
});

describe('channel settings', () => {
  it('creates each kind with a masked target', async () => {
    const created = [
      await createChannel({ kind: 'dingtalk', name: '安全值班群', enabled: true, minSeverity: 'medium', url: dingtalk.webhookUrl, secret: DINGTALK_SECRET }),
      await createChannel({ kind: 'wecom', name: '企业微信告警群', enabled: true, minSeverity: 'high', url: wecom.webhookUrl }),
      await createChannel({ kind: 'feishu', name: '飞书告警群', enabled: true, minSeverity: 'low', url: feishu.webhookUrl, secret: FEISHU_SECRET }),
      await createChannel({ kind: 'webhook', name: 'SIEM', enabled: false, minSeverity: 'critical', url: webhook.webhookUrl, secret: WEBHOOK_SECRET }),
      await createChannel({ kind: 'email', name: '安全邮件组', enabled: true, minSeverity: 'high', recipients: ['sec@firm.test', ' SEC@firm.test ', 'ciso@firm.test'] }),
    ];

    expect(created.map((channel) => channel.target)).toEqual([
      `${dingtalk.origin}/robot/send?access_token=****abcd`,
      `${wecom.origin}/cgi-bin/webhook/send?key=****c4d5`,
      `${feishu.origin}/open-apis/bot/v2/hook/****e2f1`,
      `${webhook.origin}/****9c8d`,
      'sec@firm.test, ciso@firm.test',
    ]);
    expect(created.map((channel) => channel.hasSecret)).toEqual([true, false, true, true, false]);
    expect(created[4]!.recipients).toEqual(['sec@firm.test', 'ciso@firm.test']);
    expect(created[3]).toMatchObject({ enabled: false, minSeverity: 'critical', lastDelivery: null });
    expect((await listChannels()).map((channel) => channel.name)).toEqual(['安全值班群', '企业微信告警群', '飞书告警群', 'SIEM', '安全邮件组']);
  });

  it('stores URL and secret encrypted', async () => {
    const rows = await app.db.selectFrom('notification_channels').select(['url_enc', 'secret_enc']).execute();
    const stored = JSON.stringify(rows);

    for (const secret of SECRETS) expect(stored).not.toContain(secret);
    expect(rows.every((row) => row.url_enc === null || row.url_enc.startsWith('lg1.'))).toBe(true);
  });

  it('rejects invalid settings with field issues', async () => {
    const before = (await listChannels()).length;
    const cases: [Record<string, unknown>, { path: string; message: string }[]][] = [
      [{ kind: 'dingtalk', name: '钉钉', enabled: true, minSeverity: 'low', url: `http://10.0.0.8/robot/send?access_token=${DINGTALK_TOKEN}` }, [{ path: 'url', message: '地址必须以 https:// 开头（只有本机地址可以用 http://）。' }]],
      [{ kind: 'dingtalk', name: '钉钉', enabled: true, minSeverity: 'low', url: `https://evil.example.com/robot/send?access_token=${DINGTALK_TOKEN}` }, [{ path: 'url', message: expect.stringContaining('https://oapi.dingtalk.com/robot/send') as string }]],
      [{ kind: 'feishu', name: '飞书', enabled: true, minSeverity: 'low', url: 'https://open.feishu.cn/open-apis/im/v1/messages' }, [{ path: 'url', message: expect.stringContaining('open.feishu.cn/open-apis/bot/v2/hook') as string }]],
      [{ kind: 'wecom', name: '', enabled: true, minSeverity: 'low', url: wecom.webhookUrl, secret: 'a-secret-wecom-ignores' }, [{ path: 'name', message: '名称须为 1 至 60 个字符。' }, { path: 'secret', message: '此类渠道不使用签名密钥，请留空。' }]],
      [{ kind: 'webhook', name: 'Hook', enabled: true, minSeverity: 'low', url: 'https://user:pass@siem.firm.test/hook' }, [{ path: 'url', message: '地址中不能包含用户名或密码。' }, { path: 'secret', message: '通用 Webhook 必须设置签名密钥。' }]],
      [{ kind: 'webhook', name: 'Hook', enabled: true, minSeverity: 'low', url: 'https://169.254.169.254/latest', secret: 'short' }, [{ path: 'url', message: expect.stringContaining('169.254') as string }, { path: 'secret', message: '签名密钥至少需要 16 个字符。' }]],
      [{ kind: 'email', name: '邮件', enabled: true, minSeverity: 'low', url: 'https://siem.firm.test/', recipients: ['ok@firm.test', 'not an address'] }, [{ path: 'url', message: '邮件渠道不填写地址，请填写收件人。' }, { path: 'recipients.1', message: '邮箱地址无效。' }]],
      [{ kind: 'email', name: '邮件', enabled: true, minSeverity: 'low' }, [{ path: 'recipients', message: '请至少填写一个收件人邮箱。' }]],
      [{ kind: 'wecom', name: '企业微信', enabled: true, minSeverity: 'low' }, [{ path: 'url', message: '请填写 Webhook 地址。' }]],
    ];

    for (const [input, issues] of cases) {
      const response = await call('POST', '/api/security/channels', input);
      expect(response.statusCode, JSON.stringify(input)).toBe(400);
      expect(response.json()).toMatchObject({ code: 'channel_invalid', issues });
    }
    expect((await listChannels()).length).toBe(before);
  });

  it('answers field issues in English', async () => {
    const response = await admin.send('POST', '/api/security/channels', { kind: 'wecom', name: 'WeCom', enabled: true, minSeverity: 'low', url: 'ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x' }, 'en-US');

    expect(response.json()).toMatchObject({ code: 'channel_invalid', message: 'The notification channel settings are invalid: url', issues: [{ path: 'url', message: 'The URL must start with https:// (http:// only for a loopback address).' }] });
  });

  it('keeps the stored URL and secret on update', async () => {
    const channel = (await listChannels()).find((item) => item.kind === 'dingtalk')!;

    const response = await call('PUT', `/api/security/channels/${channel.id}`, { kind: 'dingtalk', name: '安全值班群（夜班）', enabled: true, minSeverity: 'high' });
    const tested = await call('POST', `/api/security/channels/${channel.id}/test`);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ name: '安全值班群（夜班）', minSeverity: 'high', hasSecret: true, target: channel.target });
    expect(tested.json()).toEqual({ delivered: true });
  });

  it('removes a secret given as empty', async () => {
    const channel = (await listChannels()).find((item) => item.kind === 'feishu')!;

    const response = await call('PUT', `/api/security/channels/${channel.id}`, { kind: 'feishu', name: channel.name, enabled: true, minSeverity: 'low', secret: '' });
    const tested = await call('POST', `/api/security/channels/${channel.id}/test`);
    const restored = await call('PUT', `/api/security/channels/${channel.id}`, { kind: 'feishu', name: channel.name, enabled: true, minSeverity: 'low', secret: FEISHU_SECRET });

    expect(response.json()).toMatchObject({ hasSecret: false });
    // The fake bot requires a signature, as a bot with signing turned on does.
    expect(tested.json()).toMatchObject({ delivered: false, error: expect.stringContaining('code 19021') as string });
    expect(restored.json()).toMatchObject({ hasSecret: true });
  });

  it('rejects a change of kind', async () => {
    const channel = (await listChannels()).find((item) => item.kind === 'wecom')!;

    const response = await call('PUT', `/api/security/channels/${channel.id}`, { kind: 'dingtalk', name: channel.name, enabled: true, minSeverity: 'low' });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'channel_invalid', issues: [{ path: 'kind' }] });
  });

  it('answers not found for an unknown channel', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';

    expect((await call('PUT', `/api/security/channels/${unknown}`, { kind: 'wecom', name: 'x', enabled: true, minSeverity: 'low' })).statusCode).toBe(404);
    expect((await call('DELETE', `/api/security/channels/${unknown}`)).statusCode).toBe(404);
    expect((await call('POST', `/api/security/channels/${unknown}/test`)).statusCode).toBe(404);
  });

  it('refuses members without security:manage', async () => {
    const bookkeeper = await ApiSession.signIn(app.app, 'bk1', TEST_PASSWORD);

    expect((await bookkeeper.get('/api/security/channels')).statusCode).toBe(403);
    expect((await bookkeeper.post('/api/security/channels', { kind: 'wecom', name: 'x', enabled: true, minSeverity: 'low', url: wecom.webhookUrl })).statusCode).toBe(403);
    expect((await bookkeeper.get('/api/security/deliveries')).statusCode).toBe(403);
  });
});

describe('test button', () => {
  it('reaches every kind of channel', async () => {
    const channels = await listChannels();

    const results = new Map<string, unknown>();
    for (const channel of channels) results.set(channel.kind, (await call('POST', `/api/security/channels/${channel.id}/test`)).json());

    expect(Object.fromEntries(results)).toEqual({ dingtalk: { delivered: true }, wecom: { delivered: true }, feishu: { delivered: true }, webhook: { delivered: true }, email: { delivered: true } });
    expect((wecom.accepted().at(-1) as { markdown: { content: string } }).markdown.content).toContain('通知渠道测试：企业微信告警群');
    expect(webhook.accepted().at(-1)).toMatchObject({ event: 'test', channel: { name: 'SIEM' } });
    expect(smtp.received.at(-1)!.to).toEqual(['sec@firm.test', 'ciso@firm.test']);
    expect(smtp.received.at(-1)!.data).toContain('Subject: ');
  });

  it('records tests as deliveries without an alert', async () => {
    const deliveries = (await call('GET', '/api/security/deliveries?status=sent&pageSize=200')).json() as { total: number; items: Delivery[] };
    const channels = await listChannels();

    expect(deliveries.total).toBeGreaterThanOrEqual(5);
    expect(deliveries.items.every((delivery) => delivery.alertId === null && delivery.attempts === 1 && delivery.sentAt !== null)).toBe(true);
    expect(channels.every((channel) => channel.lastDelivery?.status === 'sent')).toBe(true);
  });

  it('reports a rejected test and records it', async () => {
    const broken = await createChannel({ kind: 'wecom', name: '旧机器人', enabled: true, minSeverity: 'low', url: `${wecom.origin}/cgi-bin/webhook/send?key=ffffffff-0000-4000-8000-0123456789ab` });

    const response = await call('POST', `/api/security/channels/${broken.id}/test`);
    const failed = (await call('GET', `/api/security/deliveries?status=failed&channelId=${broken.id}`)).json() as { total: number; items: Delivery[] };
    const listed = (await listChannels()).find((channel) => channel.id === broken.id)!;

    expect(response.json()).toEqual({ delivered: false, error: 'WeCom rejected the message: errcode 93000 invalid webhook url' });
    expect(failed.total).toBe(1);
    expect(failed.items[0]).toMatchObject({ channelName: '旧机器人', status: 'failed', lastError: 'WeCom rejected the message: errcode 93000 invalid webhook url' });
    expect(listed.lastDelivery).toMatchObject({ status: 'failed', error: 'WeCom rejected the message: errcode 93000 invalid webhook url' });
  });

  it('audits each test with its outcome', async () => {
    const tested = (await channelEvents()).filter((event) => event.action === 'security.channel_tested');

    expect(tested.some((event) => event.outcome === 'failure')).toBe(true);
    expect(tested.filter((event) => event.outcome === 'success').length).toBeGreaterThanOrEqual(5);
  });
});

describe('channel deletion', () => {
  it('deletes the settings and keeps the deliveries', async () => {
    const channel = (await listChannels()).find((item) => item.name === '旧机器人')!;

    const response = await call('DELETE', `/api/security/channels/${channel.id}`);
    const deliveries = (await call('GET', `/api/security/deliveries?channelId=${channel.id}`)).json() as { total: number; items: Delivery[] };

    expect(response.statusCode).toBe(204);
    expect((await listChannels()).some((item) => item.id === channel.id)).toBe(false);
    expect(deliveries.items.map((delivery) => delivery.channelName)).toEqual(['旧机器人']);
  });

  it('audits every change without secrets', async () => {
    const changes = (await channelEvents()).filter((event) => event.action === 'security.channel_changed');
    const details = changes.map((event) => JSON.parse(event.details) as { change: string });

    expect(details.map((detail) => detail.change)).toEqual(['created', 'created', 'created', 'created', 'created', 'updated', 'updated', 'updated', 'created', 'deleted']);
    expect(details[5]).toMatchObject({ change: 'updated', name: '安全值班群（夜班）', urlChanged: false, secretChanged: false });
    expect(details[6]).toMatchObject({ change: 'updated', secretChanged: true });
  });
});

describe('secrets', () => {
  it('never appear in responses, audit details or logs', async () => {
    const audit = JSON.stringify(await app.db.selectFrom('audit_events').selectAll().execute());
    const deliveries = JSON.stringify(await app.db.selectFrom('notification_deliveries').select(['last_error', 'payload']).execute());
    const logs = app.logLines.join('\n');

    for (const secret of SECRETS) {
      expect(responses.join('\n'), 'API responses').not.toContain(secret);
      expect(audit, 'audit events').not.toContain(secret);
      expect(deliveries, 'deliveries').not.toContain(secret);
      expect(logs, 'server log').not.toContain(secret);
    }
    expect(responses.length).toBeGreaterThan(20);
  });
});
