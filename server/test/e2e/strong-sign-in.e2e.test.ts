import { createServer } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdsAssignedTo, createSmallFirm } from '../firm-fixture.js';
import { enrolTotp, nextTotpCode } from '../mfa-fixture.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from '../test-app.js';
import { SCREENSHOT_DIR, launchBrowser } from './browser.js';

const webRoot = path.resolve('dist', 'web');
let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;
let browser: Browser;
let baseUrl: string;
let totpSecret: string;

/** A free loopback port, known before start-up because the WebAuthn origin names it. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  // http://localhost is a secure context, which WebAuthn requires.
  baseUrl = `http://localhost:${port}`;
  app = await createTestApp(
    { serveWeb: true, mfa: { required: true, stepUpRequired: true, stepUpMinutes: 5, trustedDeviceDays: 30 }, webauthn: { rpId: 'localhost', origins: [baseUrl] } },
    { webRoot },
  );
  firm = await createSmallFirm(app, { clientCount: 6 });
  totpSecret = await enrolTotp(app, firm.members.bk1.id, 'bk1');
  await app.app.listen({ host: '127.0.0.1', port });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.dispose();
});

/** Adds Chromium's virtual platform authenticator: resident keys, user verification that succeeds. */
async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

describe('strong sign-in in the browser', () => {
  it('registers a passkey, signs in with it, and steps up before a stale reveal', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await addVirtualAuthenticator(context, page);

    // Password, then the authenticator-app code.
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('login-username').fill('bk1');
    await page.getByTestId('login-password').fill(TEST_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('mfa-totp-code').fill(await nextTotpCode(totpSecret));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'second-factor.png') });
    await page.getByTestId('mfa-submit').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    // Register a passkey on the security page.
    await page.goto(`${baseUrl}/account/security`);
    await page.getByTestId('passkey-name').fill('办公室电脑指纹');
    await page.getByTestId('passkey-add').click();
    await expect.poll(async () => (await app.passkeys.list(firm.members.bk1.id)).length, { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'security-page.png'), fullPage: true });

    // Sign out, then sign in with the passkey alone.
    await page.getByTestId('logout').click();
    await page.getByTestId('login-passkey').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    const passkeySignIn = await app.db.selectFrom('sessions').select(['auth_method']).where('user_id', '=', firm.members.bk1.id).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(passkeySignIn.auth_method).toBe('passkey');

    // A stale second factor makes the reveal ask for step-up; the passkey answers it.
    await app.db.updateTable('sessions').set({ second_factor_at: new Date(Date.now() - 10 * 60_000).toISOString() }).where('user_id', '=', firm.members.bk1.id).execute();
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    const uscc = (await app.db.selectFrom('clients').select('uscc').where('id', '=', clientId!).executeTakeFirstOrThrow()).uscc;
    const idNumber = firm.generated.find((entry) => entry.client.uscc === uscc)!.client.legalRepIdNumber!;
    await page.goto(`${baseUrl}/clients/${clientId}`);
    await page.getByTestId('reveal-legalRepIdNumber').click();
    await page.getByTestId('reveal-reason').fill('个税申报核对身份');
    await page.getByTestId('reveal-submit').click();
    await page.getByTestId('stepup-passkey').click();
    const idField = page.getByTestId('field-legalRepIdNumber');
    await expect.poll(() => idField.textContent(), { timeout: 15_000 }).toContain(idNumber);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'step-up-revealed.png') });

    const stepUps = await app.db.selectFrom('audit_events').select(['outcome', 'details']).where('action', '=', 'auth.step_up').where('actor_id', '=', firm.members.bk1.id).execute();
    expect(stepUps.map((event) => event.outcome)).toContain('success');
    const rejected = await app.db.selectFrom('audit_events').select('details').where('action', '=', 'client.reveal').where('outcome', '=', 'failure').where('actor_id', '=', firm.members.bk1.id).execute();
    expect(rejected.map((event) => JSON.parse(event.details).code)).toContain('step_up_required');
    await context.close();
  }, 120_000);
});
