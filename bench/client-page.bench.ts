/**
 * Client page read over HTTP. GET /api/clients/:id does all its security work: the session check
 * on every request, the subject snapshot, the decision, presentation from the stored masked forms,
 * and the audit event committed before the response. It is compared with a bare route that reads
 * the same rows and returns the same shape with none of that work.
 *
 * Both routes are registered on one Fastify app built by `buildHttpApp`, so they share the HTTP
 * stack (helmet, cookies, request hooks, serializer). autocannon 9.0.0 loads them in turns from
 * a child process over loopback with the same connection count; the ratio of their request rates
 * is the figure. Runs on the embedded SQLite database. Budget: the secured route serves at
 * least 50 % of the bare route's requests per second.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { clientRoutes } from '../server/src/clients/client.routes.js';
import { deriveServiceKey } from '../server/src/crypto/index.js';
import { buildHttpApp } from '../server/src/http/app.js';
import { CsrfTokens, hashPassword, insertUser, usernameKey } from '../server/src/identity/index.js';
import { BARE_CLIENT_PATH, bareClientRoute } from './lib/bare-client-route.js';
import { openClientBenchApp } from './lib/client-bench-app.js';
import { seedClientListFirm } from './lib/client-list-firm.js';
import { type LoadResult, runLoad } from './lib/client-page-load.js';
import { type Measurement, saveReport } from './lib/report.js';

const CONNECTIONS = 10;
const WARM_UP_SECONDS = 3;
const RUN_SECONDS = 8;
// Turns alternate between the routes, so load from other processes on the machine falls on both.
const ROUNDS = 3;
const MIN_RATIO_PERCENT = 50;
const USERNAME = 'page-reader';
const PASSWORD = 'Bench-Page-Reader-2026!';

/** Signs in over HTTP as the web app does and returns the Cookie header of the session. */
async function signIn(baseUrl: string): Promise<string> {
  const csrfResponse = await fetch(`${baseUrl}/api/auth/csrf`);
  const preSession = csrfResponse.headers.getSetCookie().map((cookie) => cookie.split(';')[0]!);
  const { token } = (await csrfResponse.json()) as { token: string };
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie: preSession.join('; ') },
    body: JSON.stringify({ username: USERNAME, password: PASSWORD }),
  });
  if (login.status !== 200) {
    throw new Error(`Sign-in of ${USERNAME} failed with status ${login.status}`);
  }
  const session = login.headers.getSetCookie().map((cookie) => cookie.split(';')[0]!).find((cookie) => cookie.startsWith('lg_session='));
  if (!session) {
    throw new Error('Sign-in returned no session cookie');
  }
  return session;
}

/** Replaces every leaf of a JSON value with its type, so two responses can be compared by shape. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shapeOf(inner)]));
  return typeof value;
}

function listenUrl(app: FastifyInstance): string {
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

const loadAtStart = os.loadavg()[0]!;
const bench = await openClientBenchApp(undefined);
const { application } = bench;
const { db } = application;
let measured: FastifyInstance | undefined;
try {
  // A firm of 2,000 clients and a bookkeeper who signs in with a password and is assigned one of
  // them. That client gets a legal representative and a contact, as imported clients have.
  const firm = await seedClientListFirm(db, { clientCount: 2_000, assignedCount: 50, managedCount: 200, seed: 20261206 });
  const readerId = randomUUID();
  const departmentId = (await db.selectFrom('users').select('department_id').where('id', '=', firm.memberId).executeTakeFirstOrThrow()).department_id;
  await insertUser(db, { id: readerId, username: USERNAME, usernameKey: usernameKey(USERNAME), displayName: '页面读取 测试', departmentId, clientId: null, passwordHash: await hashPassword(PASSWORD), roles: ['bookkeeper'] });
  const client = await db.selectFrom('clients').select('id').where('status', '=', 'active').orderBy('id').executeTakeFirstOrThrow();
  await db.insertInto('client_assignments').values({ client_id: client.id, user_id: readerId, created_at: new Date().toISOString() }).execute();
  const now = new Date().toISOString();
  await db
    .insertInto('client_people')
    .values([
      { id: randomUUID(), client_id: client.id, role: 'legal_rep', name: '张伟', id_number_enc: 'lg1.a256gcm.00000000-0000-4000-8000-000000000000.1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', id_number_masked: '3101**********1234', id_number_bidx: 'AAAAAAAAAAAAAAAAAAAAAA', phone_enc: null, phone_masked: null, phone_bidx: null, created_at: now },
      { id: randomUUID(), client_id: client.id, role: 'contact', name: '李娜', id_number_enc: null, id_number_masked: null, id_number_bidx: null, phone_enc: 'lg1.a256gcm.00000000-0000-4000-8000-000000000000.1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', phone_masked: '138****5678', phone_bidx: 'BBBBBBBBBBBBBBBBBBBBBB', created_at: now },
    ])
    .execute();

  // The composed server signs the member in; the measured app checks that session like any other.
  await application.app.listen({ host: '127.0.0.1', port: 0 });
  const cookie = await signIn(listenUrl(application.app));

  const built = await buildHttpApp({
    logger: application.logger,
    db,
    audit: application.audit,
    auth: application.auth,
    csrf: new CsrfTokens(deriveServiceKey(bench.keyring, 'csrf')),
    trustProxy: false,
    webRoot: undefined,
    routes: [
      clientRoutes({ clients: application.clients, searchesPerMinute: 1_000_000, stepUp: (session) => application.auth.assertRecentSecondFactorOrThrow(session) }),
      bareClientRoute(db),
    ],
  });
  measured = built.app;
  await measured.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = listenUrl(measured);
  const targets = {
    secured: { url: `${baseUrl}/api/clients/${client.id}`, headers: { cookie } },
    bare: { url: `${baseUrl}${BARE_CLIENT_PATH}/${client.id}`, headers: {} },
  };

  // Both must return 200 with the same shape, or the comparison means nothing.
  const [securedBody, bareBody] = await Promise.all([targets.secured, targets.bare].map(async ({ url, headers }) => {
    const response = await fetch(url, { headers });
    if (response.status !== 200) throw new Error(`${new URL(url).pathname} returned status ${response.status}, expected 200`);
    return response.json();
  }));
  if (JSON.stringify(shapeOf(securedBody)) !== JSON.stringify(shapeOf(bareBody))) {
    throw new Error('The bare route does not return the shape of GET /api/clients/:id');
  }

  const auditBefore = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('count')).where('action', '=', 'client.view').executeTakeFirstOrThrow();
  for (const target of [targets.bare, targets.secured]) {
    await runLoad({ ...target, connections: CONNECTIONS, duration: WARM_UP_SECONDS });
  }
  const runs: { bare: LoadResult; secured: LoadResult }[] = [];
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round += 1) {
    const bare = await runLoad({ ...targets.bare, connections: CONNECTIONS, duration: RUN_SECONDS });
    const secured = await runLoad({ ...targets.secured, connections: CONNECTIONS, duration: RUN_SECONDS });
    console.log(`round ${round + 1}: bare ${bare.requests.average.toFixed(0)} req/s, secured ${secured.requests.average.toFixed(0)} req/s`);
    runs.push({ bare, secured });
  }
  const auditAfter = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('count')).where('action', '=', 'client.view').executeTakeFirstOrThrow();

  // Every secured request that got a response wrote its view event first.
  const securedRequests = runs.reduce((sum, run) => sum + run.secured.requests.total, 0);
  const warmUpAndCheck = Number(auditAfter.count) - Number(auditBefore.count) - securedRequests;

  const sum = (pick: (run: { bare: LoadResult; secured: LoadResult }) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const bareRate = sum((run) => run.bare.requests.average) / ROUNDS;
  const securedRate = sum((run) => run.secured.requests.average) / ROUNDS;
  const ratioPercent = (securedRate / bareRate) * 100;
  const measurements: Measurement[] = [
    { name: 'bare route (same rows, no security work)', value: bareRate, unit: 'req/s', note: `mean of ${ROUNDS} runs: ${runs.map((run) => run.bare.requests.average.toFixed(0)).join(', ')}` },
    { name: 'GET /api/clients/:id', value: securedRate, unit: 'req/s', note: `mean of ${ROUNDS} runs: ${runs.map((run) => run.secured.requests.average.toFixed(0)).join(', ')}` },
    { name: 'secured route, share of the bare rate', value: ratioPercent, unit: '%' },
    { name: 'bare route latency p50', value: sum((run) => run.bare.latency.p50) / ROUNDS, unit: 'ms' },
    { name: 'GET /api/clients/:id latency p50', value: sum((run) => run.secured.latency.p50) / ROUNDS, unit: 'ms' },
    { name: 'GET /api/clients/:id latency p99', value: sum((run) => run.secured.latency.p99) / ROUNDS, unit: 'ms' },
    { name: 'client.view audit events written during the measured runs', value: securedRequests, unit: 'events', note: `plus ${warmUpAndCheck} from the warm-up and the shape check` },
  ];
  console.log(`measured for ${((performance.now() - started) / 1000).toFixed(0)} s`);

  saveReport({
    id: 'client-page',
    title: 'Client page read over HTTP',
    method:
      `autocannon 9.0.0, ${CONNECTIONS} connections, ${ROUNDS} alternating runs of ${RUN_SECONDS} s per route after a ${WARM_UP_SECONDS} s warm-up each, ` +
      'against GET /api/clients/:id (session, decision, masking from stored forms, audit append) and a bare route on the same Fastify app that reads the same rows without them. Embedded SQLite.',
    measurements,
    budgets: [{ name: 'secured route, share of the bare route', measured: ratioPercent, limit: MIN_RATIO_PERCENT, comparison: '>=', unit: '%' }],
    notes: [
      'The client page shows masked forms stored beside the ciphertexts, so neither route decrypts; only a reveal decrypts.',
      `The 1-minute load average was ${loadAtStart.toFixed(1)} at the start and ${os.loadavg()[0]!.toFixed(1)} at the end, on ${os.cpus().length} cores: other processes shared the machine.`,
    ],
  });
} finally {
  await measured?.close();
  await bench.dispose();
}
