import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdsAssignedTo, createSmallFirm } from '../firm-fixture.js';
import { TestSession } from '../http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from '../test-app.js';
import { SCREENSHOT_DIR, launchBrowser } from './browser.js';

const webRoot = path.resolve('dist', 'web');

let app: TestApp;
let browser: Browser;
let baseUrl: string;
let clientId: string;
// A second client of the same bookkeeper, archived by its own test so the documents test keeps an active client.
let archivedClientId: string;

beforeAll(async () => {
  if (!existsSync(path.join(webRoot, 'index.html'))) {
    throw new Error('The web app is not built; run npm run build:web (npm test does it first)');
  }
  app = await createTestApp({ serveWeb: true }, { webRoot });
  const firm = await createSmallFirm(app, { clientCount: 4 });
  [clientId, archivedClientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
  await app.app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  // Two documents uploaded through the API, so the list has rows to show.
  const partner = await TestSession.signIn(app.app, 'partner', TEST_PASSWORD);
  const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#fff' } }).png().toBuffer();
  for (const [category, name] of [['business_licence', '营业执照副本.png'], ['id_card', '法人身份证正面.png']]) {
    const boundary = 'e2eboundary';
    const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\n${category}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`), png, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const response = await partner.post(`/api/clients/${clientId}/documents`, body, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(response.statusCode).toBe(201);
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.dispose();
});

describe('documents in the browser', () => {
  it('shows the documents list under the page watermark', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('login-username').fill('partner');
    await page.getByTestId('login-password').fill(TEST_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    await page.goto(`${baseUrl}/clients`);
    await page.getByTestId('client-search').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'documents-client-list-watermark.png'), fullPage: true });

    await page.goto(`${baseUrl}/clients/${clientId}`);
    await page.getByTestId('client-documents').getByText('营业执照副本.png').waitFor();
    await page.getByTestId('client-documents').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'documents-client-page.png'), fullPage: true });
    // The watermark overlay exists and lets clicks through.
    const overlayPointerEvents = await page.evaluate(() => [...document.querySelectorAll('div')].filter((element) => element.style.backgroundImage.startsWith('url("data:image')).map((element) => getComputedStyle(element).pointerEvents));
    expect(overlayPointerEvents.length).toBeGreaterThan(0);
    expect(overlayPointerEvents.every((value) => value === 'none')).toBe(true);

    await page.getByTestId('client-documents').getByRole('button', { name: '下载' }).first().click();
    await page.getByTestId('document-reason').waitFor();
    // The modal fades in; the screenshot waits for the end of the animation.
    await page.waitForTimeout(600);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'documents-download-dialog.png') });
    await context.close();
  });

  it('archives a client from its page', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('login-username').fill('partner');
    await page.getByTestId('login-password').fill(TEST_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    await page.goto(`${baseUrl}/clients/${archivedClientId}`);
    await page.getByTestId('document-upload-form').waitFor();
    await page.getByTestId('client-archive-open').click();

    // A reason under 4 characters is rejected in the form, before any request.
    await page.getByTestId('client-archive-reason').fill('不续');
    await page.getByTestId('client-archive-submit').click();
    await page.getByText('终止委托原因至少需要 4 个字').waitFor();
    await page.waitForTimeout(600);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'client-archive-dialog.png') });

    await page.getByTestId('client-archive-reason').fill('合同到期不再续签');
    await page.getByTestId('client-archive-submit').click();
    await page.getByTestId('client-archived-tag').waitFor();
    expect(await page.getByTestId('client-archive-open').count()).toBe(0);
    // The documents list refetches after archiving and no longer offers an upload.
    await page.getByTestId('document-upload-form').waitFor({ state: 'detached' });

    await page.goto(`${baseUrl}/clients?status=archived`);
    await page.getByText('共 1 个客户').waitFor();
    await context.close();
  });
});
