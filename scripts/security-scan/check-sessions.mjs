// Checks after the scans that every scanner session is still signed in (GET /api/auth/me returns
// 200). A session that ended during the run turned the rest of it into unauthenticated requests.
// The gate rejects those before any handler or query runs, so their results would prove nothing.
//
// Usage: node check-sessions.mjs SESSIONS_JSON OUT_JSON
import { readFileSync, writeFileSync } from 'node:fs';

const [sessionsFile, outFile] = process.argv.slice(2);
if (!sessionsFile || !outFile) {
  console.error('usage: node check-sessions.mjs SESSIONS_JSON OUT_JSON');
  process.exit(2);
}

const { base, sessions } = JSON.parse(readFileSync(sessionsFile, 'utf8'));
const results = {};
for (const [username, session] of Object.entries(sessions)) {
  const response = await fetch(new URL('/api/auth/me', base), { headers: { accept: 'application/json', cookie: session.cookie } });
  results[username] = { status: response.status, signedIn: response.status === 200 };
  await response.arrayBuffer();
}

writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
const describe = ([username, result]) => (result.signedIn ? `${username}: signed in` : `${username}: signed out (HTTP ${result.status})`);
console.log(Object.entries(results).map(describe).join(', '));
