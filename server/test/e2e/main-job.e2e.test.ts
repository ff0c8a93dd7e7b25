import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdsAssignedTo, createSmallFirm } from '../firm-fixture.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from '../test-app.js';
import { SCREENSHOT_DIR, launchBrowser } from './browser.js';

const webRoot = path.resolve('dist', 'web');
let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  if (!existsSync(path.join(webRoot, 'index.html'))) {
    throw new Error('The web app is not built; run npm run build:web (npm test does it first)');
  }
  app = await createTestApp({ serveWeb: true }, { webRoot });
  firm = await createSmallFirm(app, { clientCount: 12 });
  await app.app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.dispose();
});

async function signIn(page: import('playwright-core').Page, username: string) {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(TEST_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

describe('main job in the browser', () => {
  it('bookkeeper reveals an ID number and the audit administrator finds the reveal', async () => {
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    const client = await app.db.selectFrom('clients').select(['name', 'uscc']).where('id', '=', clientId!).executeTakeFirstOrThrow();
    const idNumber = firm.generated.find((entry) => entry.client.uscc === client.uscc)!.client.legalRepIdNumber!;

    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'bk1');
    await page.getByTestId('client-table').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'client-list.png') });

    await page.getByTestId('client-search').fill(client.name);
    await page.getByTestId('client-search').press('Enter');
    await page.getByTestId('client-link').filter({ hasText: client.name }).first().click();

    const idField = page.getByTestId('field-legalRepIdNumber');
    await expect.poll(() => idField.textContent()).toMatch(/^\d{4}\*{10}\d{3}[\dX]$/);
    expect(await page.content()).not.toContain(idNumber);

    await page.getByTestId('reveal-legalRepIdNumber').click();
    await page.getByTestId('reveal-reason').fill('个税申报核对身份');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'reveal-dialog.png') });
    await page.getByTestId('reveal-submit').click();
    await expect.poll(() => idField.textContent()).toContain(idNumber);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'client-detail-revealed.png') });
    await context.close();

    const auditContext = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const auditPage = await auditContext.newPage();
    await signIn(auditPage, 'auditor');
    await auditPage.goto(`${baseUrl}/audit?action=client.reveal`);
    const table = auditPage.getByTestId('audit-table');
    await table.waitFor();
    await expect.poll(() => table.textContent()).toContain('bk1');
    expect(await table.textContent()).toContain(client.name);
    await auditPage.screenshot({ path: path.join(SCREENSHOT_DIR, 'audit-page.png') });
    await auditContext.close();
  });
});
