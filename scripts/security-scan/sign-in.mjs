// Signs demo accounts in through the HTTP API (password, then the TOTP code computed from the
// demo's accounts.json) and writes each session's cookies and CSRF token to a JSON file that only
// the owner can read. The scanners replay these sessions; nothing secret is printed.
//
// Usage: node sign-in.mjs BASE_URL ACCOUNTS_JSON OUT_JSON USERNAME...
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// otpauth is a dependency of the product, resolved from the repository's node_modules.
const require = createRequire(new URL('../../package.json', import.meta.url));
const OTPAuth = require('otpauth');

const [base, accountsFile, outFile, ...usernames] = process.argv.slice(2);
if (!base || !accountsFile || !outFile || usernames.length === 0) {
  console.error('usage: node sign-in.mjs BASE_URL ACCOUNTS_JSON OUT_JSON USERNAME...');
  process.exit(2);
}

/** A minimal cookie jar: name → value, updated from every response's Set-Cookie headers. */
class CookieJar {
  #cookies = new Map();

  update(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some((attribute) => /^\s*expires=Thu, 01 Jan 1970/i.test(attribute) || /^\s*max-age=0\s*$/i.test(attribute));
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  get(name) {
    return this.#cookies.get(name);
  }

  header() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

async function call(jar, method, path, { body, csrfToken } = {}) {
  const headers = { accept: 'application/json', 'accept-language': 'en-US', cookie: jar.header() };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
  jar.update(response);
  const text = await response.text();
  if (!response.ok) {
    // The error body is {code, message}; it never echoes the password or the code.
    throw new Error(`${method} ${path} failed with HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  return text ? JSON.parse(text) : undefined;
}

/** Signs one account in and returns its session cookie header and the CSRF token bound to it. */
async function signIn(account) {
  const jar = new CookieJar();

  const { token: preSessionToken } = await call(jar, 'GET', '/api/auth/csrf');
  const first = await call(jar, 'POST', '/api/auth/login', { body: { username: account.username, password: account.password }, csrfToken: preSessionToken });
  if (!first.mfaRequired) {
    throw new Error(`sign-in of ${account.username} did not ask for a second factor; the demo accounts all have TOTP`);
  }

  const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(account.totpSecret) }).generate();
  await call(jar, 'POST', '/api/auth/mfa/totp', { body: { code }, csrfToken: preSessionToken });
  if (!jar.get('lg_session')) {
    throw new Error(`sign-in of ${account.username} returned no session cookie`);
  }

  // The token before sign-in was bound to the pre-session cookie; the session needs its own.
  const { token } = await call(jar, 'GET', '/api/auth/csrf');
  const me = await call(jar, 'GET', '/api/auth/me');
  return { username: account.username, userId: me.user.id, cookie: jar.header(), sessionCookie: jar.get('lg_session'), csrfToken: token };
}

/** Waits for the next 30-second TOTP step (RFC 6238), up to 30 seconds. */
async function waitForNextTimeStep() {
  const stepMs = 30_000;
  await new Promise((resolve) => setTimeout(resolve, stepMs - (Date.now() % stepMs) + 500));
}

const { accounts } = JSON.parse(readFileSync(accountsFile, 'utf8'));
// The demo confirmed each account's TOTP enrolment with the code of the step it ran in, and the
// server accepts each step's code once, so the sign-ins use the codes of a later step.
await waitForNextTimeStep();
const sessions = {};
for (const username of usernames) {
  const account = accounts.find((candidate) => candidate.username === username);
  if (!account) throw new Error(`${username} is not in ${accountsFile}`);
  sessions[username] = await signIn(account);
  console.log(`signed in: ${username}`);
}

writeFileSync(outFile, `${JSON.stringify({ base, sessions }, null, 2)}\n`, { mode: 0o600 });
