/**
 * Web app first load in headless Chromium. It measures the compressed JavaScript a member
 * downloads to sign in and land on the client list. It also measures the time from navigation
 * start to an interactive client list on cold loads (fresh browser context, empty cache).
 *
 * JavaScript: every script response of the sign-in and list flow, recorded through Playwright's
 * network events. Each script's body is compressed here with gzip level 9 and Brotli quality
 * 11, and the bytes the server actually sent are recorded beside them. Budget: at most 600 KB
 * of gzip-compressed JavaScript.
 *
 * Interactive list: on each cold load of /clients with a session, the page records (through an
 * init script, on the page's own clock) when the first client row is in the DOM and painted,
 * and when the first click after that reaches the page. The benchmark clicks the search box as
 * soon as Playwright finds the row, so the second time includes Playwright's own reaction.
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Browser, Page, Response } from 'playwright-core';
import { launchBrowser } from '../server/test/e2e/browser.js';
import { BENCH_PASSWORD, ensureWebAppBuilt, createBenchFirm, startBenchServer } from './lib/bench-server.js';
import { type Measurement, saveReport } from './lib/report.js';

const MAX_FIRST_LOAD_KB = 600;
const COLD_LOADS = 7;
const CLIENT_COUNT = 300;
const MEMBER = 'partner';

interface ScriptLoad {
  readonly url: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly brotliBytes: number;
  /** Body bytes as sent, after the server's content encoding. */
  readonly sentBytes: number;
  readonly encoding: string;
}

// Records, on the page's own clock (ms since navigation start), when the first client row is
// painted and when the first click arrives. A string because the benchmarks compile without the
// DOM library; Chromium runs it before any script of the page.
const MEASURE_LIST = `(() => {
  window.benchTimes = {};
  document.addEventListener('click', () => { window.benchTimes.firstClick ??= performance.now(); }, { capture: true });
  const rowSelector = '[data-testid="client-table"] tbody tr.ant-table-row';
  const observer = new MutationObserver(() => {
    if (window.benchTimes.rowInDom !== undefined || document.querySelector(rowSelector) === null) return;
    window.benchTimes.rowInDom = performance.now();
    observer.disconnect();
    // The next animation frame runs once the row's frame is being produced.
    requestAnimationFrame(() => { window.benchTimes.rowPainted = performance.now(); });
  });
  document.addEventListener('DOMContentLoaded', () => observer.observe(document.body, { childList: true, subtree: true }));
})()`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const kb = (bytes: number) => bytes / 1024;

async function describeScript(response: Response): Promise<ScriptLoad> {
  const body = await response.body();
  const sizes = await response.request().sizes();
  return {
    url: new URL(response.url()).pathname,
    bytes: body.length,
    gzipBytes: gzipSync(body, { level: constants.Z_BEST_COMPRESSION }).length,
    brotliBytes: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } }).length,
    sentBytes: sizes.responseBodySize,
    encoding: (await response.headerValue('content-encoding')) ?? 'identity',
  };
}

async function waitForFirstRow(page: Page): Promise<void> {
  await page.getByTestId('client-table').locator('tbody tr.ant-table-row').first().waitFor({ timeout: 30_000 });
}

/** Signs in through the login form in a fresh context and lands on the list; returns every script loaded. */
async function firstLoadScripts(browser: Browser, baseUrl: string): Promise<ScriptLoad[]> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const responses: Response[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') responses.push(response);
  });

  await page.goto(`${baseUrl}/`);
  await page.getByTestId('login-username').fill(MEMBER);
  await page.getByTestId('login-password').fill(BENCH_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => url.pathname === '/clients');
  await waitForFirstRow(page);
  await page.waitForLoadState('networkidle');

  const scripts = await Promise.all(responses.map(describeScript));
  await context.close();
  return scripts;
}

/** Opens /clients cold with a session made through the API; returns the page's timings in ms since navigation start. */
async function coldLoad(browser: Browser, baseUrl: string): Promise<{ rowPainted: number; firstClick: number }> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
  const csrf = (await (await context.request.get(`${baseUrl}/api/auth/csrf`)).json()) as { token: string };
  const login = await context.request.post(`${baseUrl}/api/auth/login`, { data: { username: MEMBER, password: BENCH_PASSWORD }, headers: { 'x-csrf-token': csrf.token } });
  if (!login.ok()) throw new Error(`Sign-in of ${MEMBER} through the API returned HTTP ${login.status()}`);

  await context.addInitScript({ content: MEASURE_LIST });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/clients`, { waitUntil: 'commit' });
  await waitForFirstRow(page);
  await page.getByTestId('client-search').click();
  const times = (await page.evaluate('window.benchTimes')) as { rowPainted?: number; firstClick?: number };
  await context.close();

  if (times.rowPainted === undefined || times.firstClick === undefined) {
    throw new Error(`The page recorded no ${times.rowPainted === undefined ? 'painted row' : 'click'}; its observer did not run`);
  }
  return { rowPainted: times.rowPainted, firstClick: times.firstClick };
}

ensureWebAppBuilt();
const server = await startBenchServer();
const browser = await launchBrowser();
try {
  await createBenchFirm(server.app, { clientCount: CLIENT_COUNT, bookkeepers: ['bk01'] });

  const scripts = await firstLoadScripts(browser, server.baseUrl);
  const total = (pick: (script: ScriptLoad) => number) => scripts.reduce((sum, script) => sum + pick(script), 0);
  const encodings = [...new Set(scripts.map((script) => script.encoding))].join(', ');

  // One cold load first, unmeasured, so the server's first-request work is not in the median.
  await coldLoad(browser, server.baseUrl);
  const loads = [];
  for (let run = 0; run < COLD_LOADS; run += 1) loads.push(await coldLoad(browser, server.baseUrl));

  const largest = [...scripts].sort((a, b) => b.gzipBytes - a.gzipBytes).slice(0, 5);
  const measurements: Measurement[] = [
    { name: 'first-load JavaScript, gzip level 9', value: kb(total((script) => script.gzipBytes)), unit: 'KB', note: `${scripts.length} scripts` },
    { name: 'first-load JavaScript, Brotli quality 11', value: kb(total((script) => script.brotliBytes)), unit: 'KB' },
    { name: 'first-load JavaScript as sent by the server', value: kb(total((script) => script.sentBytes)), unit: 'KB', note: `content-encoding: ${encodings}` },
    { name: 'first-load JavaScript, uncompressed', value: kb(total((script) => script.bytes)), unit: 'KB' },
    { name: `first client row painted, median of ${COLD_LOADS} cold loads`, value: median(loads.map((load) => load.rowPainted)), unit: 'ms', note: `from navigation start; runs: ${loads.map((load) => Math.round(load.rowPainted)).join(', ')}` },
    { name: `first click handled after the row showed, median of ${COLD_LOADS} cold loads`, value: median(loads.map((load) => load.firstClick)), unit: 'ms', note: `runs: ${loads.map((load) => Math.round(load.firstClick)).join(', ')}` },
    ...largest.map((script) => ({ name: `chunk ${script.url}`, value: kb(script.gzipBytes), unit: 'KB gzip', note: `${kb(script.bytes).toFixed(0)} KB uncompressed, ${kb(script.brotliBytes).toFixed(0)} KB Brotli` })),
  ];

  saveReport({
    id: 'web',
    title: 'Web app first load',
    method: `Headless Chromium signs in as a partner through the login form and lands on the client list (${CLIENT_COUNT} clients); every script of that flow is counted. Then ${COLD_LOADS} cold loads of /clients, each in a fresh browser context with a session and an empty cache, served by the real server on 127.0.0.1.`,
    measurements,
    budgets: [{ name: 'first-load JavaScript, gzip level 9', measured: kb(total((script) => script.gzipBytes)), limit: MAX_FIRST_LOAD_KB, comparison: '<=', unit: 'KB' }],
    notes: [
      'Compressed sizes are computed here from each script body with Node.js zlib (gzip level 9, Brotli quality 11), so they do not depend on how the server encodes; the line "as sent by the server" shows the bytes on the wire with the encoding the server chose.',
      'Time to an interactive list is given as two figures on the page\'s own clock: when the first client row is painted, and when a click on the search box that Playwright sends as soon as it sees the row reaches the page. The second includes Playwright\'s reaction time.',
    ],
  });
} finally {
  await browser.close();
  await server.close();
}
