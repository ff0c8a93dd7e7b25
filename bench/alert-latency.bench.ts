/**
 * Alert latency: from the audit event that triggers an alert to the alert's row appearing on the
 * security dashboard in headless Chromium, while 1,000 ordinary audit events per second are
 * appended in the background.
 *
 * The server runs in this process as in production: the detector and the alert feed on their
 * own timers, the dashboard fed by server-sent events. Each sample signs in five times with a
 * wrong password for one member (the failed_sign_ins rule's default threshold), through HTTP,
 * from an address of its own. The latency is the page's `Date.now()` when a MutationObserver
 * first finds the alert's row, minus the triggering event's `occurred_at`. Both clocks are this
 * machine's wall clock. The event's time is taken inside its transaction, before the commit, so
 * the figure includes the commit. A first phase without background events is the reference.
 *
 * Budget: p95 at most 1 s under the background load.
 */
import type { Page } from 'playwright-core';
import { launchBrowser } from '../server/test/e2e/browser.js';
import type { AuditEventInput } from '../server/src/audit/index.js';
import type { Application } from '../server/src/main/compose.js';
import { BENCH_PASSWORD, ensureWebAppBuilt, createBenchFirm, startBenchServer } from './lib/bench-server.js';
import { type Measurement, percentile, saveReport } from './lib/report.js';

const BACKGROUND_EVENTS_PER_SECOND = 1000;
const IDLE_SAMPLES = 8;
const LOADED_SAMPLES = 32;
const MAX_P95_MS = 1000;
// The failed_sign_ins rule's default: five failures of one account within 15 minutes.
const FAILURES_TO_ALERT = 5;
// The background appender's timer period.
const TICK_MS = 10;
// Background load runs this long before the first loaded sample, so the detector is in its steady state.
const WARM_UP_MS = 3000;
// A sample that shows no row within this time counts as missed.
const SAMPLE_TIMEOUT_MS = 15_000;

const TRIGGER_MEMBERS = Array.from({ length: IDLE_SAMPLES + LOADED_SAMPLES }, (_, index) => `target${String(index + 1).padStart(2, '0')}`);
const BACKGROUND_MEMBERS = ['staff01', 'staff02', 'staff03', 'staff04', 'staff05', 'staff06', 'staff07', 'staff08'];

/**
 * Appends ordinary audit events at a fixed rate, the events due in each 10 ms tick in one
 * transaction (about ten), as the audit log groups appends into one commit for throughput.
 * Half are client views by staff, which the volume, department and off-hours rules evaluate and
 * the activity counters record. The rest are client lists, document uploads, sign-outs and
 * step-ups. None of them raises an alert: the staff have no baseline history yet
 * and the firm's working hours are set to the whole day.
 */
class BackgroundLoad {
  readonly #app: Application;
  readonly #actors: readonly { id: string; username: string }[];
  readonly #clientIds: readonly string[];
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #appending = false;
  appended = 0;
  failed = 0;

  constructor(app: Application, actors: readonly { id: string; username: string }[], clientIds: readonly string[]) {
    this.#app = app;
    this.#actors = actors;
    this.#clientIds = clientIds;
  }

  start(): void {
    this.#startedAt = performance.now();
    this.appended = 0;
    this.#timer = setInterval(() => void this.#appendDue(), TICK_MS);
  }

  /** Stops appending; returns the achieved rate in events per second over the whole run. */
  async stop(): Promise<number> {
    clearInterval(this.#timer);
    while (this.#appending) await new Promise((resolve) => setTimeout(resolve, 5));
    return this.appended / ((performance.now() - this.#startedAt) / 1000);
  }

  async #appendDue(): Promise<void> {
    if (this.#appending) return;
    this.#appending = true;
    try {
      const due = Math.floor(((performance.now() - this.#startedAt) / 1000) * BACKGROUND_EVENTS_PER_SECOND);
      // A late tick catches up, but by at most ten ticks' worth, so a machine that cannot keep up
      // shows a lower achieved rate instead of starving the server it shares the process with.
      const count = Math.min(due - this.appended, Math.ceil((10 * TICK_MS * BACKGROUND_EVENTS_PER_SECOND) / 1000));
      if (count <= 0) return;
      const events = Array.from({ length: count }, (_, offset) => this.#event(this.appended + offset));
      await this.#app.audit.record(...events);
      this.appended += count;
    } catch (error) {
      this.failed += 1;
      console.error('background append failed', error);
    } finally {
      this.#appending = false;
    }
  }

  #event(index: number): AuditEventInput {
    const actor = this.#actors[index % this.#actors.length]!;
    const origin = { ip: `10.0.${index % 8}.${(index % 200) + 10}`, userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) benchmark' };
    switch (index % 10) {
      case 0:
      case 2:
      case 4:
      case 6:
      case 8: {
        const clientId = this.#clientIds[index % this.#clientIds.length]!;
        return { action: 'client.view', outcome: 'success', actor, targetType: 'client', targetId: clientId, clientId, ...origin, details: { fields: ['name', 'uscc', 'contact_phone'] } };
      }
      case 1:
      case 5:
        return { action: 'client.list', outcome: 'success', actor, ...origin, details: { rows: 50, page: 1 } };
      case 3:
        return { action: 'document.uploaded', outcome: 'success', actor, targetType: 'document', targetId: `doc-${index}`, clientId: this.#clientIds[index % this.#clientIds.length]!, ...origin, details: { bytes: 120_000 } };
      case 7:
        return { action: 'auth.logout', outcome: 'success', actor, ...origin };
      default:
        return { action: 'auth.step_up', outcome: 'success', actor, ...origin, details: { method: 'totp' } };
    }
  }
}

/**
 * Records in the page, by alert id, the wall-clock time each alert row first appears. React may
 * reuse a row element for a new alert and only change its `data-alert-id`, so attribute changes
 * count as well as inserted rows. It is a string because the benchmarks compile without the DOM
 * library; the browser runs it as is.
 */
const WATCH_ALERT_ROWS = `(() => {
  window.alertRowsSeenAt = {};
  const record = () => {
    const now = Date.now();
    for (const row of document.querySelectorAll('[data-testid="alert-row"][data-alert-id]')) {
      window.alertRowsSeenAt[row.dataset.alertId] ??= now;
    }
  };
  record();
  new MutationObserver(record).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-alert-id'] });
})()`;

async function signInToDashboard(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('login-username').fill('secadmin');
  await page.getByTestId('login-password').fill(BENCH_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  await page.goto(`${baseUrl}/security`);
  await page.locator('[data-testid="alert-stream-state"][data-state="live"]').waitFor({ timeout: 30_000 });
}

/**
 * Signs in with a wrong password until the rule's threshold, from an address of this sample's
 * own, as a browser would: a CSRF token bound to the pre-session cookie first.
 */
async function failSignIns(baseUrl: string, username: string, address: string): Promise<void> {
  const headers = { 'x-forwarded-for': address, 'user-agent': 'benchmark' };
  const csrfResponse = await fetch(`${baseUrl}/api/auth/csrf`, { headers });
  const { token } = (await csrfResponse.json()) as { token: string };
  const cookie = csrfResponse.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');

  for (let attempt = 0; attempt < FAILURES_TO_ALERT; attempt += 1) {
    const response = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'x-csrf-token': token, cookie },
      body: JSON.stringify({ username, password: 'Wrong-Password-1!' }),
    });
    await response.arrayBuffer();
    if (response.status !== 401) throw new Error(`A wrong password for ${username} returned HTTP ${response.status}, expected 401`);
  }
}

/** Waits for the member's failed_sign_ins alert and returns its id and the time of its triggering event. */
async function findAlert(app: Application, userId: string): Promise<{ id: string; triggeredAt: number }> {
  const deadline = Date.now() + SAMPLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const alert = await app.db.selectFrom('alerts').select(['id', 'evidence']).where('rule', '=', 'failed_sign_ins').where('user_id', '=', userId).executeTakeFirst();
    if (alert) {
      const triggerSeq = Math.max(...(JSON.parse(alert.evidence) as number[]));
      const event = await app.db.selectFrom('audit_events').select('occurred_at').where('seq', '=', triggerSeq).executeTakeFirstOrThrow();
      return { id: alert.id, triggeredAt: Date.parse(event.occurred_at) };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`No failed_sign_ins alert for member ${userId} within ${SAMPLE_TIMEOUT_MS} ms`);
}

/** Runs one sample; returns the latency in ms, or `undefined` when the row never appeared. */
async function sample({ app, page, baseUrl, username, userId, address }: { app: Application; page: Page; baseUrl: string; username: string; userId: string; address: string }): Promise<number | undefined> {
  await failSignIns(baseUrl, username, address);
  const alert = await findAlert(app, userId);
  try {
    const seenAt = await page.waitForFunction(`window.alertRowsSeenAt[${JSON.stringify(alert.id)}]`, undefined, { timeout: SAMPLE_TIMEOUT_MS, polling: 50 });
    return ((await seenAt.jsonValue()) as number) - alert.triggeredAt;
  } catch (error) {
    // The observer may have recorded the row even when the wait itself failed, and then its recorded time is used.
    const recorded = await page.evaluate(`window.alertRowsSeenAt?.[${JSON.stringify(alert.id)}] ?? null`);
    if (typeof recorded === 'number') {
      console.error(`The wait for alert ${alert.id} failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}), but the page recorded its row`);
      return recorded - alert.triggeredAt;
    }

    // What the page showed, so that a missing row can be distinguished from a slow one.
    const shown = await page.evaluate(`({ state: document.querySelector('[data-testid="alert-stream-state"]')?.dataset.state, rows: [...document.querySelectorAll('[data-testid="alert-row"]')].map((row) => row.dataset.alertId), observed: Object.keys(window.alertRowsSeenAt ?? {}).length })`);
    console.error(`No row for alert ${alert.id} within ${SAMPLE_TIMEOUT_MS} ms; the page showed ${JSON.stringify(shown)}`);
    return undefined;
  }
}

/** Waits a random 0.3-0.9 s, so triggers do not fall into step with the detector's poll timer. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 600));

function summary(name: string, latencies: readonly number[]): Measurement[] {
  return [
    { name: `${name}: p50`, value: percentile(latencies, 50), unit: 'ms' },
    { name: `${name}: p95`, value: percentile(latencies, 95), unit: 'ms' },
    { name: `${name}: max`, value: Math.max(...latencies), unit: 'ms' },
  ];
}

ensureWebAppBuilt();
// Proxy headers are trusted so that each sample's sign-ins come from an address of their own,
// as attacks on different members would. From one address they would also raise credential stuffing.
const server = await startBenchServer({ trustProxy: true });
const { app, baseUrl } = server;
const browser = await launchBrowser();
let finished = false;
browser.on('disconnected', () => {
  if (finished) return;
  // Without the browser no sample can finish; stop instead of waiting for every timeout.
  console.error('Chromium exited during the benchmark');
  process.exit(1);
});
try {
  const firm = await createBenchFirm(app, { clientCount: 200, bookkeepers: [...BACKGROUND_MEMBERS, ...TRIGGER_MEMBERS] });
  const secadmin = { id: firm.members.get('secadmin')!, username: 'secadmin' };
  // A firm working around the clock, so the background views never fall outside working hours.
  await app.detection.settings.updateRule({ key: 'off_hours', input: { enabled: true, severity: 'low', params: { workStart: '00:00', workEnd: '23:59', workDays: [1, 2, 3, 4, 5, 6, 7], groupMinutes: 240 }, responses: [] }, actor: secadmin, origin: { ip: undefined, userAgent: 'benchmark' } });
  app.background.start();

  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await signInToDashboard(page, baseUrl);
  await page.evaluate(WATCH_ALERT_ROWS);

  const takeSamples = async (members: readonly string[], offset: number) => {
    const latencies: number[] = [];
    let missed = 0;
    for (const [index, username] of members.entries()) {
      await pause();
      const latency = await sample({ app, page, baseUrl, username, userId: firm.members.get(username)!, address: `203.0.113.${offset + index + 1}` });
      if (latency === undefined) missed += 1;
      else latencies.push(latency);
      console.log(`${username}: ${latency === undefined ? 'missed' : `${Math.round(latency)} ms`}`);
    }
    return { latencies, missed };
  };

  const idle = await takeSamples(TRIGGER_MEMBERS.slice(0, IDLE_SAMPLES), 0);

  const actors = BACKGROUND_MEMBERS.map((username) => ({ id: firm.members.get(username)!, username }));
  const load = new BackgroundLoad(app, actors, firm.clientIds);
  const cursorBefore = await app.db.selectFrom('detector_cursors').select('last_seq').where('name', '=', 'main').executeTakeFirstOrThrow();
  load.start();
  await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
  const loaded = await takeSamples(TRIGGER_MEMBERS.slice(IDLE_SAMPLES), IDLE_SAMPLES);
  const achievedRate = await load.stop();

  const head = await app.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow();
  const cursor = await app.db.selectFrom('detector_cursors').select('last_seq').where('name', '=', 'main').executeTakeFirstOrThrow();
  const otherAlerts = await app.db.selectFrom('alerts').select(['rule']).where('rule', '!=', 'failed_sign_ins').execute();
  await context.close();

  const loadedP95 = percentile(loaded.latencies, 95);
  saveReport({
    id: 'alert-latency',
    title: 'Alert latency, event to browser',
    method: `Five wrong-password sign-ins over HTTP raise a failed_sign_ins alert; the latency runs from the triggering event's occurred_at to the moment the row appears on the security dashboard in headless Chromium (MutationObserver, Date.now()). ${IDLE_SAMPLES} samples without background events, then ${LOADED_SAMPLES} samples with ${BACKGROUND_EVENTS_PER_SECOND.toLocaleString('en-US')} ordinary audit events per second appended in the same server process; embedded SQLite.`,
    measurements: [
      ...summary(`with ${BACKGROUND_EVENTS_PER_SECOND.toLocaleString('en-US')} background events/s (${loaded.latencies.length} samples)`, loaded.latencies),
      ...summary(`reference, no background events (${idle.latencies.length} samples)`, idle.latencies),
      { name: 'background append rate achieved', value: achievedRate, unit: 'events/s', note: `${load.appended.toLocaleString('en-US')} events, ${load.failed} failed appends` },
      { name: 'samples whose row never appeared', value: idle.missed + loaded.missed, unit: 'samples', note: `timeout ${SAMPLE_TIMEOUT_MS / 1000} s` },
      { name: 'events the detector had not read when the load stopped', value: Number(head.seq) - Number(cursor.last_seq), unit: 'events', note: `it read ${Number(cursor.last_seq) - Number(cursorBefore.last_seq)} during the loaded phase` },
    ],
    budgets: [
      { name: 'p95 with background load', measured: loaded.missed > 0 ? Number.POSITIVE_INFINITY : loadedP95, limit: MAX_P95_MS, comparison: '<=', unit: 'ms' },
      // The latency figure counts only at the stated load, so a machine that could not append it
      // shows here. A run ends up to one timer tick behind its schedule, hence 99 % and not 100 %.
      { name: 'background events appended, share of the 1,000/s schedule', measured: (100 * achievedRate) / BACKGROUND_EVENTS_PER_SECOND, limit: 99, comparison: '>=', unit: '%' },
    ],
    notes: [
      'Half of the background events are client views by eight staff members, which the volume, department and off-hours rules evaluate and the activity tables count. The rest are client lists, document uploads, sign-outs and step-ups. The events due in each 10 ms tick are appended in one transaction (about ten). The firm\'s working hours are set to 00:00-23:59 every day, so that the views raise no off-hours alert.',
      `Alerts other than the sampled failed_sign_ins raised during the run: ${otherAlerts.length === 0 ? 'none' : otherAlerts.map((alert) => alert.rule).join(', ')}.`,
      'The server, the background appender and the Playwright client share one Node.js process; Chromium runs in its own processes on the same machine. When other work slows the machine, the appender falls behind its schedule, and the second budget line shows it.',
    ],
  });
} finally {
  finished = true;
  await browser.close();
  await server.close();
}
