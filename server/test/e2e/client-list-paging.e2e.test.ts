import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmallFirm } from '../firm-fixture.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from '../test-app.js';
import { SCREENSHOT_DIR, launchBrowser } from './browser.js';

const webRoot = path.resolve('dist', 'web');
const CLIENT_COUNT = 45;
const PAGE_SIZE = 20;
let app: TestApp;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  if (!existsSync(path.join(webRoot, 'index.html'))) {
    throw new Error('The web app is not built; run npm run build:web (npm test does it first)');
  }
  app = await createTestApp({ serveWeb: true }, { webRoot });
  await createSmallFirm(app, { clientCount: CLIENT_COUNT });
  await app.app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.dispose();
});

async function signIn(page: Page, username: string) {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(TEST_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** Client names in the order the database sorts them, as the list shows them by name. */
async function namesByName(): Promise<string[]> {
  const rows = await app.db.selectFrom('clients').select('name').where('status', '=', 'active').orderBy('name').orderBy('id').execute();
  return rows.map((row) => row.name);
}

/** Waits until the table shows `first` as its first name, then returns every name on screen. */
async function shownNames(page: Page, first: string): Promise<string[]> {
  await expect.poll(async () => (await page.getByTestId('client-link').first().textContent())?.trim()).toBe(first);
  return (await page.getByTestId('client-link').allTextContents()).map((name) => name.trim());
}

describe('client list paging in the browser', () => {
  it('pager moves through pages and sizes', async () => {
    const expected = await namesByName();
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'partner');
    await page.goto(`${baseUrl}/clients?sort=name`);

    const firstPage = await shownNames(page, expected[0]!);
    await expect.poll(async () => page.getByTestId('client-total').textContent()).toBe(`共 ${CLIENT_COUNT} 个客户`);
    expect(firstPage).toEqual(expected.slice(0, PAGE_SIZE));
    expect(await page.getByTestId('client-page-previous').isDisabled()).toBe(true);

    await page.getByTestId('client-page-next').click();
    expect(await shownNames(page, expected[PAGE_SIZE]!)).toEqual(expected.slice(PAGE_SIZE, PAGE_SIZE * 2));
    // The total counted on the first page stays while paging by cursor.
    expect(await page.getByTestId('client-total').textContent()).toBe(`共 ${CLIENT_COUNT} 个客户`);

    await page.getByTestId('client-page-last').click();
    expect(await shownNames(page, expected[CLIENT_COUNT - PAGE_SIZE]!)).toEqual(expected.slice(CLIENT_COUNT - PAGE_SIZE));
    expect(await page.getByTestId('client-page-next').isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'client-list-last-page.png'), fullPage: true });

    // Read backwards from the last page, the page before it is full and the first page contains the rest.
    await page.getByTestId('client-page-previous').click();
    expect(await shownNames(page, expected[CLIENT_COUNT - 2 * PAGE_SIZE]!)).toEqual(expected.slice(CLIENT_COUNT - 2 * PAGE_SIZE, CLIENT_COUNT - PAGE_SIZE));

    await page.getByTestId('client-page-size').click();
    await page.getByTitle('50 条/页').click();
    expect(await shownNames(page, expected[0]!)).toEqual(expected);
    expect(await page.getByTestId('client-page-next').isDisabled()).toBe(true);
    await context.close();
  });

  it('another user’s cursor link resets', async () => {
    const partnerContext = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const partnerPage = await partnerContext.newPage();
    await signIn(partnerPage, 'partner');
    await partnerPage.goto(`${baseUrl}/clients?sort=name`);
    await partnerPage.getByTestId('client-page-next').click();
    await partnerPage.waitForURL((url) => url.searchParams.has('cursor'));
    const link = partnerPage.url();
    await partnerContext.close();

    const managerContext = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const managerPage = await managerContext.newPage();
    await signIn(managerPage, 'manager1');
    await managerPage.goto(link);

    await managerPage.getByTestId('client-page-reset').waitFor();
    expect(await managerPage.getByRole('alert').textContent()).toContain('分页位置无效');
    await managerPage.screenshot({ path: path.join(SCREENSHOT_DIR, 'client-list-cursor-rejected.png') });
    await managerPage.getByTestId('client-page-reset').click();
    await managerPage.waitForURL((url) => !url.searchParams.has('cursor'));
    await managerPage.getByTestId('client-link').first().waitFor();
    await managerContext.close();
  });
});
