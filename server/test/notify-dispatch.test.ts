import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlertNotice, AlertSeverity } from '../src/notify/alert-notice.js';
import { AlertNotifications, CLAIM_LEASE_MS, NotificationChannels } from '../src/notify/index.js';
import { claimDelivery } from '../src/notify/delivery.repository.js';
import { createMailer } from '../src/notify/mailer.js';
import { startFakeSmtp } from './fake-smtp.js';
import { ApiSession } from './fakes/api-session.js';
import { type FakeRobot, startFakeDingTalk, startFakeFeishu, startFakeWebhookReceiver, startFakeWeCom } from './fakes/robot-servers.js';
import { TEST_PASSWORD, type TestApp, createMember, createTestApp } from './test-app.js';

const DINGTALK_TOKEN = 'dtdispatch0123456789abcdef01234567';
const DINGTALK_SECRET = 'SECdispatch-dingtalk-secret-0123456789';
const WECOM_KEY = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const FEISHU_TOKEN = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
const FEISHU_SECRET = 'feishu-dispatch-secret-xyz';
const WEBHOOK_SECRET = 'webhook-dispatch-secret-0123456789';
const SECRETS = [DINGTALK_TOKEN, DINGTALK_SECRET, WECOM_KEY, FEISHU_TOKEN, FEISHU_SECRET, WEBHOOK_SECRET];

/** A clock the test moves by hand, shared by the notifier and the fake services, so backoff needs no sleeping. */
let clockMs = Date.parse('2026-12-04T02:00:00.000Z');
const clock = () => new Date(clockMs);
const advance = (ms: number) => {
  clockMs += ms;
};

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
let dingtalk: FakeRobot;
let wecom: FakeRobot;
let feishu: FakeRobot;
let webhook: FakeRobot;
let notifier: AlertNotifications;
let channels: NotificationChannels;
let actor: { id: string; username: string };
const origin = { ip: '127.0.0.1', userAgent: 'vitest' };

function notice(severity: AlertSeverity, rule = 'bulk_export'): AlertNotice {
  return {
    alertId: randomUUID(),
    rule,
    severity,
    title: { 'zh-CN': '批量导出', 'en-US': 'Bulk export' },
    summary: { 'zh-CN': '成员 bk1 在 10 分钟内导出 5 次。', 'en-US': 'Member bk1 exported 5 times in 10 minutes.' },
    username: 'bk1',
    count: 1,
    raisedAt: clock().toISOString(),
  };
}

async function enqueue(item: AlertNotice, target = notifier): Promise<void> {
  await app.db.transaction().execute((trx) => target.enqueue(trx, item));
}

async function deliveriesOf(alertId: string) {
  return app.db.selectFrom('notification_deliveries').selectAll().where('alert_id', '=', alertId).orderBy('channel_name').execute();
}

async function removeAllChannels(): Promise<void> {
  for (const channel of await channels.list()) await channels.remove({ id: channel.id, actor, origin });
}

function channel(kind: 'dingtalk' | 'wecom' | 'feishu' | 'webhook' | 'email', minSeverity: AlertSeverity, overrides: Record<string, unknown> = {}) {
  const settings = {
    dingtalk: { url: dingtalk.webhookUrl, secret: DINGTALK_SECRET },
    wecom: { url: wecom.webhookUrl },
    feishu: { url: feishu.webhookUrl, secret: FEISHU_SECRET },
    webhook: { url: webhook.webhookUrl, secret: WEBHOOK_SECRET },
    email: { recipients: ['security@firm.test'] },
  }[kind];
  return channels.create({ input: { kind, name: `${kind}-${minSeverity}`, enabled: true, minSeverity, ...settings, ...overrides }, actor, origin });
}

beforeAll(async () => {
  smtp = await startFakeSmtp();
  dingtalk = await startFakeDingTalk({ accessToken: DINGTALK_TOKEN, secret: DINGTALK_SECRET, now: clock });
  wecom = await startFakeWeCom({ key: WECOM_KEY });
  feishu = await startFakeFeishu({ hookToken: FEISHU_TOKEN, secret: FEISHU_SECRET, now: clock });
  webhook = await startFakeWebhookReceiver({ path: '/alerts', secret: WEBHOOK_SECRET, now: clock });
  app = await createTestApp();
  actor = await createMember(app, { username: 'secadmin', roles: ['security_admin'] });

  // The notifier under test runs on the controllable clock; the application's own one is not started.
  const mailer = createMailer({ smtpUrl: smtp.url, from: 'LedgerGuard <no-reply@localhost>', logger: app.logger });
  notifier = new AlertNotifications({ db: app.db, crypto: app.crypto, mailer, logger: app.logger, timeZone: 'Asia/Shanghai', now: clock, random: () => 0.5 });
  channels = new NotificationChannels({ db: app.db, audit: app.audit, crypto: app.crypto, notifications: notifier, now: clock });
});

afterAll(async () => {
  await app.dispose();
  await Promise.all([smtp.close(), dingtalk.close(), wecom.close(), feishu.close(), webhook.close()]);
});

beforeEach(async () => {
  await removeAllChannels();
});

afterEach(() => {
  advance(3_600_000);
});

describe('alert delivery', () => {
  it('reaches every kind of channel', async () => {
    for (const kind of ['dingtalk', 'wecom', 'feishu', 'webhook', 'email'] as const) await channel(kind, 'low');
    const item = notice('high');
    const counts = { dingtalk: dingtalk.accepted().length, wecom: wecom.accepted().length, feishu: feishu.accepted().length, webhook: webhook.accepted().length, smtp: smtp.received.length };

    await enqueue(item);
    const result = await notifier.dispatchDue();

    expect(result).toEqual({ sent: 5, retrying: 0, failed: 0 });
    expect((await deliveriesOf(item.alertId)).map((row) => [row.channel_kind, row.status, Number(row.attempts)])).toEqual([
      ['dingtalk', 'sent', 1],
      ['email', 'sent', 1],
      ['feishu', 'sent', 1],
      ['webhook', 'sent', 1],
      ['wecom', 'sent', 1],
    ]);
    expect(dingtalk.accepted().length).toBe(counts.dingtalk + 1);
    expect(wecom.accepted().length).toBe(counts.wecom + 1);
    expect(feishu.accepted().length).toBe(counts.feishu + 1);
    expect(webhook.accepted().at(-1)).toMatchObject({ event: 'alert', alert: { id: item.alertId, rule: 'bulk_export', severity: 'high' } });
    expect(smtp.received.length).toBe(counts.smtp + 1);
    expect(smtp.received.at(-1)!.to).toEqual(['security@firm.test']);
  });

  it('routes by minimum severity', async () => {
    const low = await channel('webhook', 'low');
    const high = await channel('wecom', 'high');
    await channel('feishu', 'low', { enabled: false });
    const medium = notice('medium');
    const critical = notice('critical');

    await enqueue(medium);
    await enqueue(critical);

    expect((await deliveriesOf(medium.alertId)).map((row) => row.channel_id)).toEqual([low.id]);
    expect((await deliveriesOf(critical.alertId)).map((row) => row.channel_id).sort()).toEqual([low.id, high.id].sort());
  });

  it('rolls back with the alert transaction', async () => {
    await channel('webhook', 'low');
    const item = notice('high');

    await app.db
      .transaction()
      .execute(async (trx) => {
        await notifier.enqueue(trx, item);
        throw new Error('alert insert failed');
      })
      .catch(() => undefined);

    expect(await deliveriesOf(item.alertId)).toEqual([]);
  });
});

describe('retries', () => {
  it('retries with backoff after a server error', async () => {
    await channel('webhook', 'low');
    const item = notice('high');
    const before = webhook.accepted().length;
    webhook.failNext(1);

    await enqueue(item);
    const failedAt = clockMs;
    const first = await notifier.dispatchDue();
    const [afterFailure] = await deliveriesOf(item.alertId);
    const early = await notifier.dispatchDue();
    advance(10_000);
    const second = await notifier.dispatchDue();
    const [afterRetry] = await deliveriesOf(item.alertId);

    expect(first).toEqual({ sent: 0, retrying: 1, failed: 0 });
    expect(afterFailure).toMatchObject({ status: 'pending', last_error: 'Webhook returned HTTP 500', next_attempt_at: new Date(failedAt + 10_000).toISOString() });
    expect(early).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(second).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(afterRetry).toMatchObject({ status: 'sent', attempts: 2, last_error: null, next_attempt_at: null });
    expect(webhook.accepted().length).toBe(before + 1);
  });

  it('marks a delivery failed after the last retry', async () => {
    const target = await channel('dingtalk', 'low');
    const item = notice('critical');
    dingtalk.failNext(6);

    await enqueue(item);
    const delays: number[] = [];
    await notifier.dispatchDue();
    for (let attempt = 2; attempt <= 6; attempt += 1) {
      const [row] = await deliveriesOf(item.alertId);
      const wait = Date.parse(row!.next_attempt_at!) - clockMs;
      delays.push(wait);
      advance(wait);
      await notifier.dispatchDue();
    }
    const [row] = await deliveriesOf(item.alertId);
    const admin = await ApiSession.signIn(app.app, 'secadmin', TEST_PASSWORD);
    const listed = (await admin.get(`/api/security/deliveries?status=failed&channelId=${target.id}`)).json() as { total: number; items: { alertId: string; attempts: number; lastError: string; nextAttemptAt: string | null }[] };
    const listedChannel = ((await admin.get('/api/security/channels')).json() as { items: { id: string; lastDelivery: unknown }[] }).items.find((entry) => entry.id === target.id);

    expect(delays).toEqual([10_000, 30_000, 120_000, 600_000, 1_800_000]);
    expect(row).toMatchObject({ status: 'failed', attempts: 6, next_attempt_at: null, last_error: 'DingTalk returned HTTP 500' });
    expect(listed.items).toEqual([expect.objectContaining({ alertId: item.alertId, attempts: 6, lastError: 'DingTalk returned HTTP 500', nextAttemptAt: null })]);
    expect(listedChannel?.lastDelivery).toMatchObject({ status: 'failed', error: 'DingTalk returned HTTP 500' });
  });

  it('spreads retries with jitter', async () => {
    const jittery = new AlertNotifications({ db: app.db, crypto: app.crypto, mailer: createMailer({ smtpUrl: undefined, from: 'x', logger: app.logger }), logger: app.logger, timeZone: 'Asia/Shanghai', now: clock, random: () => 0 });
    await channel('webhook', 'low');
    const item = notice('high');
    webhook.failNext(1);

    await enqueue(item, jittery);
    await jittery.dispatchDue();
    const [row] = await deliveriesOf(item.alertId);

    // random() = 0 gives the lower bound of ±20 % around the 10 s first delay.
    expect(Date.parse(row!.next_attempt_at!) - clockMs).toBe(8_000);
  });

  it('resends after a dispatcher stopped mid-send', async () => {
    await channel('webhook', 'low');
    const item = notice('high');
    await enqueue(item);
    const [pending] = await deliveriesOf(item.alertId);
    // A dispatcher that claimed the row and then stopped leaves only its lease behind.
    await claimDelivery(app.db, { id: pending!.id, now: clock().toISOString(), leaseUntil: new Date(clockMs + CLAIM_LEASE_MS).toISOString(), claimToken: randomUUID() });

    const duringLease = await notifier.dispatchDue();
    advance(CLAIM_LEASE_MS);
    const afterLease = await notifier.dispatchDue();
    const [row] = await deliveriesOf(item.alertId);

    expect(duringLease).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(afterLease).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('fails deliveries of a deleted channel', async () => {
    const target = await channel('wecom', 'low');
    const item = notice('high');

    await enqueue(item);
    await channels.remove({ id: target.id, actor, origin });
    const result = await notifier.dispatchDue();

    expect(result.sent).toBe(0);
    expect(await deliveriesOf(item.alertId)).toEqual([expect.objectContaining({ status: 'failed', channel_name: 'wecom-low', last_error: 'channel was deleted' })]);
  });
});

describe('two dispatchers', () => {
  it('never send one delivery twice', async () => {
    await channel('webhook', 'low');
    const second = app.openAnotherDatabase();
    const other = new AlertNotifications({ db: second.db, crypto: app.crypto, mailer: createMailer({ smtpUrl: undefined, from: 'x', logger: app.logger }), logger: app.logger, timeZone: 'Asia/Shanghai', now: clock, random: () => 0.5 });
    const items = Array.from({ length: 30 }, () => notice('high'));
    const before = webhook.accepted().length;

    try {
      for (const item of items) await enqueue(item);
      let sent = 0;
      for (let round = 0; round < 5 && sent < items.length; round += 1) {
        const results = await Promise.all([notifier.dispatchDue(), other.dispatchDue(), notifier.dispatchDue(), other.dispatchDue()]);
        sent += results.reduce((sum, result) => sum + result.sent, 0);
      }

      const received = webhook.accepted().slice(before) as { deliveryId: string; alert: { id: string } }[];
      expect(sent).toBe(items.length);
      expect(received.length).toBe(items.length);
      expect(new Set(received.map((body) => body.deliveryId)).size).toBe(items.length);
      expect(new Set(received.map((body) => body.alert.id))).toEqual(new Set(items.map((item) => item.alertId)));
    } finally {
      await second.close();
    }
  });
});

describe('secrets in logs', () => {
  it('never appear after failures', async () => {
    const logs = app.logLines.join('\n');
    const deliveries = JSON.stringify(await app.db.selectFrom('notification_deliveries').select(['last_error']).execute());

    expect(logs).toContain('notification delivery failed');
    for (const secret of SECRETS) {
      expect(logs).not.toContain(secret);
      expect(deliveries).not.toContain(secret);
    }
  });
});
