import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeRobot, startFakeWebhookReceiver } from '../fakes/robot-servers.js';
import { createSmallFirm } from '../firm-fixture.js';
import { TestSession } from '../http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from '../test-app.js';
import { SCREENSHOT_DIR, launchBrowser } from './browser.js';

const webRoot = path.resolve('dist', 'web');

// The failed_sign_ins rule's default threshold: five failures of one account within 15 minutes.
const FAILURES_TO_ALERT = 5;
const MAX_LATENCY_MS = 1000;
const TABS = ['alerts', 'rules', 'calendar', 'channels'] as const;

const WEBHOOK_PATH = '/hooks/ledgerguard';
const WEBHOOK_SECRET = 'webhook-secret-0123456789';

let app: TestApp;
let browser: Browser;
let baseUrl: string;
let receiver: FakeRobot;

declare global {
  interface Window {
    /** Set by the page observer when the failed sign-in alert's row first appears. */
    alertRowSeenAt?: number;
  }
}

beforeAll(async () => {
  if (!existsSync(path.join(webRoot, 'index.html'))) {
    throw new Error('The web app is not built; run npm run build:web (npm test does it first)');
  }
  app = await createTestApp({ serveWeb: true }, { webRoot });
  await createSmallFirm(app, { clientCount: 4 });
  await app.app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  // The detector and the alert feed run as in production: on their own timers, not driven by the test.
  app.background.start();
  receiver = await startFakeWebhookReceiver({ path: WEBHOOK_PATH, secret: WEBHOOK_SECRET });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await app?.dispose();
});

async function openDashboard(tab?: string) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await signIn(page, 'secadmin');
  await page.goto(`${baseUrl}/security${tab === undefined ? '' : `?tab=${tab}`}`);
  return { context, page };
}

async function signIn(page: Page, username: string) {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(TEST_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** Records in the page the time a row of the rule first shows, so the wait in the test adds nothing to the measurement. */
async function watchForAlertRow(page: Page, rule: string) {
  await page.evaluate((ruleKey) => {
    const selector = `[data-testid="alert-row"] [data-rule="${ruleKey}"]`;
    const observer = new MutationObserver(() => {
      if (document.querySelector(selector) === null) return;
      window.alertRowSeenAt = Date.now();
      observer.disconnect();
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }, rule);
}

async function failSignIns(username: string, times: number) {
  const attacker = new TestSession(app.app);
  for (let attempt = 0; attempt < times; attempt += 1) {
    const response = await attacker.post('/api/auth/login', { username, password: 'Wrong-Password-1!' });
    expect(response.statusCode).toBe(401);
  }
}

/** Returns the alert's evidence event that fired the rule: the newest one. */
async function triggeringEvent(alertId: string) {
  const admin = await TestSession.signIn(app.app, 'secadmin', TEST_PASSWORD);
  const detail = (await admin.get(`/api/security/alerts/${alertId}`)).json() as { evidence: { seq: number; occurredAt: string }[] };
  return detail.evidence.reduce((newest, event) => (event.seq > newest.seq ? event : newest));
}

async function screenshotTabs(page: Page, locale: string) {
  for (const tab of TABS) {
    await page.getByTestId(`security-tab-${tab}`).click();
    await page.locator('.ant-tabs-tab-active').getByTestId(`security-tab-${tab}`).waitFor();
    await page.waitForLoadState('networkidle');
    // Lets the tab bar's underline finish moving, so the picture shows the settled page.
    await page.waitForTimeout(400);
    // Each tab loads from the real routes; an error alert would mean a shape the page does not understand.
    await expect.poll(() => page.locator('.ant-alert-error').count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `security-${tab}-${locale}.png`), fullPage: true });
  }

  // The acknowledged alert, with its evidence and handling history.
  await page.getByTestId('security-tab-alerts').click();
  const acknowledged = page.getByTestId('alert-row').filter({ has: page.locator('[data-rule="failed_sign_ins"]') });
  await acknowledged.getByTestId('alert-open').click();
  await page.getByTestId('alert-detail').getByTestId('alert-note-entry').waitFor();
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `security-alert-detail-${locale}.png`) });
  await page.keyboard.press('Escape');
  await page.getByTestId('alert-detail').waitFor({ state: 'hidden' });
}

describe('security dashboard in the browser', () => {
  it('shows a failed sign-in alert live and acknowledges it', async () => {
    const { context, page } = await openDashboard();
    await expect.poll(() => page.getByTestId('alert-stream-state').getAttribute('data-state')).toBe('live');
    await watchForAlertRow(page, 'failed_sign_ins');

    await failSignIns('bk1', FAILURES_TO_ALERT);
    const row = page.getByTestId('alert-row').filter({ has: page.locator('[data-rule="failed_sign_ins"]') });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute('data-live')).toBe('true');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'security-alert-live.png') });

    // The event's time is taken inside its transaction, before the commit, so this overstates the latency a little.
    const alertId = (await row.getAttribute('data-alert-id'))!;
    const trigger = await triggeringEvent(alertId);
    const seenAt = await page.evaluate(() => window.alertRowSeenAt);
    expect(seenAt).toBeDefined();
    expect(seenAt! - Date.parse(trigger.occurredAt)).toBeLessThan(MAX_LATENCY_MS);

    await row.getByTestId('alert-open').click();
    const drawer = page.getByTestId('alert-detail');
    await drawer.waitFor();
    await expect.poll(() => drawer.getByTestId('alert-evidence').locator('tbody tr.ant-table-row').count()).toBe(FAILURES_TO_ALERT);
    expect(await drawer.getByTestId('alert-evidence').textContent()).toContain(String(trigger.seq));

    // Resolving needs a note of at least four characters, and the form shows that before any request.
    await drawer.getByTestId('alert-set-resolved').click();
    await expect.poll(() => drawer.locator('.ant-form-item-explain-error').count()).toBe(1);

    const note = '已电话联系 bk1 本人，确认是忘记密码';
    await drawer.getByTestId('alert-note').fill(note);
    await drawer.getByTestId('alert-set-acknowledged').click();
    await expect.poll(() => drawer.getByTestId('alert-status').first().getAttribute('data-value')).toBe('acknowledged');
    await expect.poll(() => drawer.getByTestId('alert-note-entry').count()).toBe(1);
    expect(await drawer.getByTestId('alert-note-entry').textContent()).toContain(note);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'security-alert-acknowledged.png') });

    const stored = await app.db.selectFrom('alerts').select(['status']).where('id', '=', alertId).executeTakeFirstOrThrow();
    expect(stored.status).toBe('acknowledged');
    const audited = await app.db.selectFrom('audit_events').select(['details']).where('action', '=', 'security.alert_updated').where('target_id', '=', alertId).execute();
    expect(audited).toHaveLength(1);

    // The list row follows the change without a reload.
    await page.keyboard.press('Escape');
    await expect.poll(() => row.getByTestId('alert-status').getAttribute('data-value')).toBe('acknowledged');
    await context.close();
  });

  it('adds a webhook channel and tests it', async () => {
    const { context, page } = await openDashboard('channels');
    await page.getByTestId('channel-new').click();
    const form = page.locator('.ant-modal');
    await form.getByTestId('channel-kind').click();
    await page.locator('.ant-select-item-option').filter({ hasText: 'Webhook' }).click();
    await form.getByTestId('channel-name').fill('SIEM 接收端');

    // The server allows plain http only on loopback, and its issue lands under the address field.
    await form.getByTestId('channel-url').fill('http://198.51.100.7/hooks');
    await form.getByTestId('channel-secret').fill(WEBHOOK_SECRET);
    await form.getByTestId('channel-submit').click();
    const urlError = form.locator('.ant-form-item').filter({ has: page.getByTestId('channel-url') }).locator('.ant-form-item-explain-error');
    await urlError.waitFor();
    expect(await urlError.textContent()).toContain('https://');

    await form.getByTestId('channel-url').fill(receiver.webhookUrl);
    await form.getByTestId('channel-submit').click();
    await form.waitFor({ state: 'hidden' });
    const channelRow = page.getByTestId('channels-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => channelRow.count()).toBe(1);
    expect(await channelRow.textContent()).toContain('SIEM 接收端');

    await channelRow.getByTestId('channel-test').click();
    await expect.poll(() => receiver.accepted().length).toBe(1);
    await expect.poll(() => page.getByTestId('deliveries-table').locator('[data-testid="delivery-status"][data-value="sent"]').count()).toBe(1);

    // Editing shows no stored secret; left empty, the secret stays and the next test is signed again.
    await channelRow.getByTestId('channel-edit').click();
    await expect.poll(() => form.getByTestId('channel-secret').inputValue()).toBe('');
    expect(await form.getByTestId('channel-secret').getAttribute('placeholder')).toBe('已保存，留空则不修改');
    await expect.poll(() => form.getByTestId('channel-name').inputValue()).toBe('SIEM 接收端');
    await form.getByTestId('channel-submit').click();
    await expect.poll(() => form.count(), { message: 'the edit dialog stays open' }).toBe(0);
    await channelRow.getByTestId('channel-test').click();
    await expect.poll(() => receiver.accepted().length).toBe(2);
    expect(receiver.received.every((request) => request.accepted)).toBe(true);
    expect(await page.content()).not.toContain(WEBHOOK_SECRET);
    await context.close();
  });

  it('saves rule settings and the work calendar', async () => {
    const { context, page } = await openDashboard('rules');

    await page.getByTestId('rule-edit-off_hours').click();
    const drawer = page.getByTestId('rule-edit');
    await drawer.waitFor();

    // A number out of range is shown at the field and not silently raised to the minimum.
    const groupMinutes = drawer.getByLabel('合并重复告警（分钟）');
    await groupMinutes.fill('0');
    await drawer.getByTestId('rule-save').click();
    await drawer.locator('.ant-form-item-explain-error', { hasText: '不能小于 1' }).waitFor();
    expect(await groupMinutes.inputValue()).toBe('0');
    await groupMinutes.fill('240');

    // Working hours must not cross midnight; the server's issue lands under the end time.
    const workEnd = drawer.getByLabel('下班时间');
    await workEnd.click();
    await workEnd.fill('07:00');
    await workEnd.press('Enter');
    await drawer.getByTestId('rule-save').click();
    const workEndError = drawer.locator('.ant-form-item').filter({ has: page.getByLabel('下班时间') }).locator('.ant-form-item-explain-error');
    await workEndError.waitFor();
    expect(await workEndError.textContent()).toContain('下班时间必须晚于上班时间');

    await workEnd.click();
    await workEnd.fill('21:00');
    await workEnd.press('Enter');
    await drawer.getByLabel('周六').check();
    await drawer.getByTestId('rule-save').click();
    await drawer.waitFor({ state: 'hidden' });

    const admin = await TestSession.signIn(app.app, 'secadmin', TEST_PASSWORD);
    const rules = (await admin.get('/api/security/rules')).json() as { items: { key: string; params: Record<string, unknown>; updatedBy: string | null }[] };
    const offHours = rules.items.find((rule) => rule.key === 'off_hours')!;
    expect(offHours.params.workEnd).toBe('21:00');
    expect(offHours.params.workDays).toEqual([1, 2, 3, 4, 5, 6]);
    expect(offHours.updatedBy).toBe('secadmin');

    // The break-glass rule cannot be switched off, and the list shows the reason.
    await page.getByTestId('rule-toggle-break_glass').click();
    await expect.poll(() => page.locator('.ant-alert-error').textContent()).toContain('紧急访问告警不能关闭');

    await page.getByTestId('security-tab-calendar').click();
    await page.getByTestId('calendar-date').click();
    await page.getByTestId('calendar-date').fill('2026-10-01');
    await page.getByTestId('calendar-date').press('Enter');
    await page.getByTestId('calendar-name').fill('国庆节');
    await page.getByTestId('calendar-add').click();
    await page.getByTestId('calendar-save').click();
    await expect.poll(async () => ((await admin.get('/api/security/calendar')).json() as { days: unknown[] }).days).toEqual([{ date: '2026-10-01', kind: 'holiday', name: '国庆节' }]);
    await context.close();
  });

  it('renders every tab in both languages', async () => {
    const { context, page } = await openDashboard();
    await screenshotTabs(page, 'zh-CN');
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('security-tab-alerts').click();
    await screenshotTabs(page, 'en-US');
    await context.close();
  });
});
