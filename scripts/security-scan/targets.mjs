// Writes the scan targets for a signed-in demo server: one raw HTTP request file per sqlmap run
// (sqlmap -r), one wapiti cookie file per account, and targets.json describing both. Every
// baseline value is a real one read from the server, so a true and a false injected condition
// return different pages and sqlmap's boolean and time tests have something to compare.
//
// Usage: node targets.mjs SESSIONS_JSON OUT_DIR
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [sessionsFile, outDir] = process.argv.slice(2);
if (!sessionsFile || !outDir) {
  console.error('usage: node targets.mjs SESSIONS_JSON OUT_DIR');
  process.exit(2);
}

const { base, sessions } = JSON.parse(readFileSync(sessionsFile, 'utf8'));
const { partner, auditor } = sessions;
if (!partner || !auditor) {
  throw new Error(`${sessionsFile} needs the sessions of partner and auditor`);
}
const host = new URL(base).host;

async function getJson(session, pathAndQuery) {
  const response = await fetch(new URL(pathAndQuery, base), { headers: { accept: 'application/json', cookie: session.cookie } });
  if (!response.ok) throw new Error(`GET ${pathAndQuery.split('?')[0]} failed with HTTP ${response.status}`);
  return response.json();
}

/** Builds a raw HTTP/1.1 request as sqlmap's -r option reads it. A `*` marks an injection point. */
function rawRequest({ method, target, session, body }) {
  const lines = [
    `${method} ${target} HTTP/1.1`,
    `Host: ${host}`,
    'Accept: application/json',
    // English error messages make sqlmap's page comparison and the report easier to read.
    'Accept-Language: en-US',
    `Cookie: ${session.cookie}`,
    `x-csrf-token: ${session.csrfToken}`,
  ];
  if (body !== undefined) lines.push('Content-Type: application/json');
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}

// Baseline values: a client in the partner's scope, its department and an assignee, and a name
// fragment that matches many clients.
const { items } = await getJson(partner, '/api/clients?pageSize=1');
const client = items[0];
if (!client) throw new Error('the demo firm has no client visible to partner');
const filters = await getJson(partner, '/api/clients/filters');
const department = filters.departments.find((candidate) => candidate.name === client.departmentName) ?? filters.departments[0];
const assignee = client.assignees[0] ?? filters.assignees[0];
const nameFragment = [...client.name].slice(0, 2).join('');

// Opening the client page writes an audit event that the audit search below then finds.
await getJson(partner, `/api/clients/${client.id}`);
const events = await getJson(auditor, `/api/audit/events?actor=partner&clientId=${client.id}&pageSize=1`);
const auditAction = events.items[0]?.action ?? 'client.view';

const listQuery = new URLSearchParams({ q: nameFragment, departmentId: department.id, assigneeId: assignee.id, sort: 'name', status: 'active', pageSize: '10' });
const auditQuery = new URLSearchParams({ actor: 'partner', action: auditAction, clientId: client.id, outcome: 'success', ip: '127.0.0.1', pageSize: '10' });

const targets = [
  {
    name: 'client-list',
    description: 'GET /api/clients: client list and search (partner)',
    file: 'client-list.req',
    parameters: ['q', 'departmentId', 'assigneeId', 'sort'],
    request: rawRequest({ method: 'GET', target: `/api/clients?${listQuery}`, session: partner }),
  },
  {
    name: 'audit-search',
    description: 'GET /api/audit/events: audit search (auditor)',
    file: 'audit-search.req',
    parameters: ['actor', 'action', 'clientId', 'outcome', 'ip'],
    request: rawRequest({ method: 'GET', target: `/api/audit/events?${auditQuery}`, session: auditor }),
  },
  {
    name: 'client-reveal',
    description: 'POST /api/clients/:id/reveal: client id in the path and the JSON body fields field and reason (partner)',
    file: 'client-reveal.req',
    // Marked with `*`: sqlmap then tests exactly these points and no others.
    parameters: ['path id', 'field', 'reason'],
    request: rawRequest({
      method: 'POST',
      target: `/api/clients/${client.id}*/reveal`,
      session: partner,
      body: JSON.stringify({ field: 'legalRepIdNumber*', reason: 'annual registration filing*' }),
    }),
  },
];

for (const target of targets) {
  writeFileSync(path.join(outDir, target.file), target.request, { mode: 0o600 });
}

// wapiti crawls GET routes and attacks their query parameters. It finds no links in JSON, so each
// run starts from the routes of one account's role. The alert stream (server-sent events) is left
// out because it never ends.
const queryOf = (values) => new URLSearchParams(values).toString();
const wapitiRuns = [
  {
    account: 'partner',
    paths: [
      '/',
      '/healthz',
      '/api/openapi.json',
      '/api/setup/status',
      '/api/auth/me',
      '/api/auth/csrf',
      `/api/clients?${listQuery}`,
      '/api/clients/filters',
      `/api/clients/${client.id}`,
      `/api/clients/${client.id}/documents?${queryOf({ page: '1', pageSize: '20', sort: '-uploadedAt' })}`,
      '/api/imports',
      '/api/departments',
      '/api/grants',
      '/api/access-requests',
      '/api/reviews/items?mine=1',
      '/api/account/security',
      '/api/account/sessions',
      `/api/account/sign-ins?${queryOf({ page: '1', pageSize: '20' })}`,
      '/api/account/notifications',
    ],
  },
  {
    account: 'auditor',
    paths: [
      `/api/audit/events?${auditQuery}`,
      '/api/audit/events/1',
      '/api/audit/actions',
      `/api/audit/checkpoints?${queryOf({ page: '1', pageSize: '20' })}`,
      '/api/audit/checkpoints/export',
      '/api/reviews/campaigns',
      `/api/reviews/dormant?${queryOf({ days: '90' })}`,
      `/api/access/explain?${queryOf({ userId: partner.userId, clientId: client.id, action: 'client:read', field: 'legalRepIdNumber' })}`,
      `/api/access/clients/${client.id}/fields/legalRepIdNumber/viewers`,
      `/api/access/members/${partner.userId}/reach`,
      '/api/access/roles',
      `/api/access/matrix?${queryOf({ departmentId: department.id })}`,
    ],
  },
  {
    account: 'secadmin',
    paths: [
      '/api/security/chain-status',
      `/api/security/alerts?${queryOf({ status: 'new', severity: 'high', page: '1' })}`,
      '/api/security/rules',
      '/api/security/calendar',
      '/api/security/channels',
      `/api/security/deliveries?${queryOf({ status: 'failed', page: '1', pageSize: '50' })}`,
      '/api/governance/flows',
      '/api/admin/sessions',
    ],
  },
];

for (const run of wapitiRuns) {
  const session = sessions[run.account];
  if (!session) throw new Error(`${sessionsFile} has no session of ${run.account}`);
  // wapiti's cookie file format (wapitiCore/net/jsoncookie.py): domain → path → name → attributes.
  const cookies = Object.fromEntries(
    session.cookie.split(';').map((pair) => {
      const [name, ...value] = pair.trim().split('=');
      return [name, { value: value.join('='), expires: null, secure: false, port: null, version: 0 }];
    }),
  );
  writeFileSync(path.join(outDir, `wapiti-cookies-${run.account}.json`), JSON.stringify({ '127.0.0.1': { '/': cookies } }), { mode: 0o600 });
}

const description = {
  base,
  wapiti: wapitiRuns.map((run) => ({ account: run.account, startUrls: run.paths.map((pathAndQuery) => new URL(pathAndQuery, base).href) })),
  sqlmap: targets.map(({ request: _request, ...target }) => target),
};
writeFileSync(path.join(outDir, 'targets.json'), `${JSON.stringify(description, null, 2)}\n`, { mode: 0o600 });
console.log(`targets written to ${outDir}`);
