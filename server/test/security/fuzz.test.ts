import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors/index.js';
import { enrolTotp } from '../mfa-fixture.js';
import { TEST_PASSWORD, type TestApp, createMember, createTestApp } from '../test-app.js';
import { type JsonSchema, type QueryParameterSpec, type RawBody, bodyFor, pathSegmentFor, queryFor, stringsIn } from './fuzz-arbitraries.js';
import { type DatabaseDigest, type DatabaseDigester, changedTables, databaseDigester } from './fuzz-digest.js';
import { MEMBER_OF_ROLE, type MatrixFirm, createMatrixFirm } from './matrix-firm.js';
import { HttpCaller, type HttpMethod } from './matrix-http.js';
import { type DocumentedPermission, type DocumentedRole, holds } from './matrix-roles.js';
import { openApiOf } from './paths-list.js';

/**
 * Input fuzzing of every route with fast-check: bodies of every method that takes one, query
 * strings of GET routes and path segments, from a session that may use the route and from one
 * that may not. The properties: no 5xx, no stack trace, file path, SQL or internal error name in
 * a response, every error response is `{ code, message }` with a code from the closed list, and
 * a rejected request leaves the stored data as it was.
 *
 * The seed is fixed, so a run is repeatable. FUZZ_RUNS (runs per route, default 6) raises the
 * count for a long run, and FUZZ_SEED picks another seed.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_205);

/**
 * The alert stream never ends while its caller may read it, so a request to it cannot be
 * awaited. It takes no input, and the authorization matrix covers its gate.
 */
const NOT_FUZZED = new Set(['GET /api/security/alerts/stream']);

const LEAKS: readonly { what: string; pattern: RegExp }[] = [
  { what: 'stack trace', pattern: /\bat [\w$.<>]+ \(|\n\s+at\s+\S/ },
  { what: 'file path', pattern: /\/(?:work|home|root|usr|opt|srv|var)\/[\w.-]+|node_modules|\b[\w-]+\.(?:ts|js|mjs|cjs):\d+/ },
  { what: 'SQL', pattern: /\bselect\s[\s\S]{0,200}?\sfrom\s|\binsert\s+into\s|\bupdate\s+\w+\s+set\s|\bdelete\s+from\s|sqlite_|syntax error at or near|no such (?:table|column)|violates \w+ constraint|duplicate key value/i },
  { what: 'internal error name', pattern: /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|EvalError|SqliteError|DatabaseError|ZodError|PasskeyError|AggregateError|FST_[A-Z_]+|SQLITE_[A-Z]+|ERR_[A-Z_]{3,}|ECONN[A-Z]+)\b/ },
];

// Created while the file is collected, so each route becomes a test named after it.
const app: TestApp = await createTestApp();
let firm: MatrixFirm;
let openApi: Awaited<ReturnType<typeof openApiOf>>;
let prototypeKeys: string[];
let digester: DatabaseDigester;
const digestDatabase = (): Promise<DatabaseDigest> => digester.digest();
/** Every string a fuzz request carried. Stored input may come back in a later response, which is no leak. */
const sentStrings = new Set<string>();

beforeAll(async () => {
  firm = await createMatrixFirm(app);
  openApi = await openApiOf(app.app);
  prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  digester = await databaseDigester(app);
});

afterAll(async () => {
  await digester?.close();
  await app.dispose();
});

interface RouteInput {
  readonly strong: boolean;
  readonly segments: string[];
  readonly query: string;
  readonly body: RawBody | undefined;
}

/** Roles tried, in order, for the caller that may use a route: the first one with the route's permission is used. */
const STRONG_ROLES: readonly DocumentedRole[] = ['partner', 'security_admin', 'audit_admin', 'system_admin'];

function callerRoles(action: string | undefined): { strong: DocumentedRole; weak: DocumentedRole | 'anonymous' } {
  if (action === 'public') return { strong: 'partner', weak: 'anonymous' };
  if (action === 'authenticated') return { strong: 'partner', weak: 'client_contact' };
  const strong = STRONG_ROLES.find((role) => holds(role, action as DocumentedPermission));
  if (!strong) throw new Error(`No role of the fuzz firm holds ${action}`);
  return { strong, weak: 'client_contact' };
}

/** Session of each caller, signed in again when a fuzzed request ended it (a sign-out). */
const sessions = new Map<DocumentedRole | 'anonymous', HttpCaller>();

/** Returns the caller's session and whether it had to sign in again, which itself writes to the database. */
async function sessionOf(role: DocumentedRole | 'anonymous'): Promise<{ caller: HttpCaller; renewed: boolean }> {
  const existing = sessions.get(role) ?? (role === 'anonymous' ? firm.anonymous : firm.callers[role]);
  if (role === 'anonymous' || existing.hasSession) {
    sessions.set(role, existing);
    return { caller: existing, renewed: false };
  }
  const renewed = await HttpCaller.signIn(app.app, MEMBER_OF_ROLE[role], TEST_PASSWORD);
  sessions.set(role, renewed);
  return { caller: renewed, renewed: true };
}

/** Returns the fixture's value for a path parameter, so that most fuzzed requests reach the handler's own checks. */
function fixtureSegment(path: string, name: string): string {
  if (name === 'documentId') return firm.documents.own.basic;
  if (name === 'clientId') return firm.ownClientId;
  if (name === 'userId') return firm.userIds.bookkeeper;
  if (name === 'field') return 'legalRepIdNumber';
  if (name === 'kind') return 'role_revoke';
  if (name === 'key') return 'off_hours';
  if (name === 'seq') return '1';
  if (name === 'jobId') return firm.importJobId;
  if (path === '/api/clients/:id/archive') return firm.spareClient('deptOne');
  if (path.startsWith('/api/clients/')) return firm.ownClientId;
  if (path.startsWith('/api/access-requests/')) return firm.pendingRequestId;
  if (path.startsWith('/api/reviews/campaigns/')) return firm.readCampaignId;
  if (path.startsWith('/api/reviews/items/')) return firm.reviewItemId;
  if (path.startsWith('/api/security/alerts/')) return firm.alertId;
  if (path.startsWith('/api/admin/users/')) return firm.targetUserId;
  // A test message goes out at once, so a missing channel keeps every fuzzed call from sending one.
  if (path === '/api/security/channels/:id/test') return firm.missingId;
  if (path.startsWith('/api/security/channels/')) return firm.channelId;
  return firm.missingId;
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

function inputFor(method: HttpMethod, path: string): fc.Arbitrary<RouteInput> {
  const operation = openApi.paths[openApiPath(path)]?.[method.toLowerCase()];
  const names = [...path.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!);
  const queryParameters: QueryParameterSpec[] = (operation?.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => ({ name: parameter.name, schema: parameter.schema as JsonSchema }));
  const bodySchema = operation?.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
  const fixtures = names.map((name) => fixtureSegment(path, name));

  return fc.record({
    strong: fc.boolean(),
    segments: fixtures.length > 0 ? fc.tuple(...fixtures.map((fixture) => pathSegmentFor(fixture))) : fc.constant([] as string[]),
    query: method === 'GET' ? queryFor(queryParameters) : fc.constant(''),
    body: method === 'GET' ? fc.constant(undefined) : bodyFor(bodySchema),
  });
}

function urlOf(path: string, input: RouteInput): string {
  let index = 0;
  const filled = path.replace(/:[A-Za-z]+/g, () => input.segments[index++] ?? '');
  return input.query ? `${filled}?${input.query}` : filled;
}

/**
 * Finds what a response must not carry, ignoring text the fuzz sent itself because the server
 * may echo stored input. Binary bodies (documents, workbooks) are not searched.
 */
function leaksIn(response: LightMyRequestResponse): string[] {
  const contentType = String(response.headers['content-type'] ?? '');
  if (!/json|text|csv|ndjson/.test(contentType) && response.body !== '') return [];
  let body = response.body;
  for (const sent of sentStrings) body = body.split(sent).join('');
  return LEAKS.filter(({ pattern }) => pattern.test(body)).map(({ what }) => what);
}

/** Strings shorter than this could hide real leak text when cut out; longer ones never come back in an error. */
const REMEMBERED_LENGTH = { min: 4, max: 2000 };

function rememberSent(input: RouteInput): void {
  const remember = (text: string) => {
    if (text.length >= REMEMBERED_LENGTH.min && text.length <= REMEMBERED_LENGTH.max) sentStrings.add(text);
  };
  for (const part of [...input.segments, ...input.query.split(/[&=]/), input.body?.text ?? '']) {
    remember(part);
    remember(safeDecode(part));
  }
  if (input.body) {
    try {
      stringsIn(JSON.parse(input.body.text)).forEach(remember);
    } catch {
      // Not JSON: the whole text is remembered above.
    }
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Checks one response against every property except the stored-data one, and returns the problems found. */
function problemsOf(response: LightMyRequestResponse): string[] {
  const problems: string[] = [];
  if (response.statusCode >= 500) problems.push(`server error ${response.statusCode}`);
  for (const leak of leaksIn(response)) problems.push(`response shows a ${leak}`);

  if (response.statusCode >= 400) {
    let body: { code?: unknown; message?: unknown } = {};
    try {
      body = response.json();
    } catch {
      problems.push('error body is not JSON');
    }
    if (typeof body.code !== 'string' || !(ERROR_CODES as readonly string[]).includes(body.code)) problems.push(`error code ${String(body.code)} is not a known code`);
    if (typeof body.message !== 'string' || body.message.trim() === '') problems.push('error has no message');
  }

  const pollutedKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  if (JSON.stringify(pollutedKeys) !== JSON.stringify(prototypeKeys) || ({} as Record<string, unknown>).polluted !== undefined) problems.push('Object.prototype was changed');
  return problems;
}

const ROUTES = app.routeTable.filter((route) => route.method !== 'HEAD' && !NOT_FUZZED.has(`${route.method} ${route.url}`));

describe('input fuzzing', () => {
  it('covers every route but the alert stream', () => {
    const fuzzed = ROUTES.length;
    const all = app.routeTable.filter((route) => route.method !== 'HEAD').length;

    expect(fuzzed).toBe(all - NOT_FUZZED.size);
    expect(fuzzed).toBeGreaterThan(100);
  });

  it('leak patterns match real leaks', () => {
    const samples: Record<string, string> = {
      'stack trace': 'TypeError: boom\n    at handler (file:///srv/app/dist/main.js:10:5)',
      'file path': '{"detail":"/work/main/server/src/clients/client.repository.ts"}',
      SQL: '{"message":"select \\"id\\" from \\"clients\\" where \\"uscc\\" = $1"}',
      'internal error name': '{"message":"SqliteError: database is locked"}',
    };
    for (const { what, pattern } of LEAKS) expect(pattern.test(samples[what]!), what).toBe(true);
    expect(LEAKS.some(({ pattern }) => pattern.test('{"code":"not_found","message":"未找到该记录，或您无权访问。"}'))).toBe(false);
  });

  // One property per route, each with its own seed derived from the fixed one.
  it.each(ROUTES.map((route, index) => [`${route.method} ${route.url}`, index] as const))('%s', async (_name, index) => {
    const route = ROUTES[index]!;
    const method = route.method as HttpMethod;
    const { strong, weak } = callerRoles(route.action);
    // A read changes no stored data whatever it returns, so one digest after all its runs covers
    // it. Every other request is digested on its own, because only a rejected one must change nothing.
    const reads = method === 'GET';
    let baseline = await digestDatabase();

    await fc.assert(
      fc.asyncProperty(inputFor(method, route.url), async (input) => {
        rememberSent(input);
        const { caller, renewed } = await sessionOf(input.strong ? strong : weak);
        if (renewed) baseline = await digestDatabase();
        const url = urlOf(route.url, input);
        const response = await caller.send(method, url, input.body ? { raw: { body: input.body.text, contentType: input.body.contentType } } : {});
        // Wrong passwords and codes count towards a lock that would end the fuzzing sessions.
        await app.db.deleteFrom('sign_in_throttle').execute();

        const problems = problemsOf(response);
        if (!reads) {
          const after = await digestDatabase();
          const changed = response.statusCode >= 400 && response.statusCode < 500 ? changedTables(baseline, after) : [];
          if (changed.length > 0) problems.push(`rejected request changed ${changed.join(', ')}`);
          baseline = after;
        }
        expect(problems, `${route.method} ${url} as ${input.strong ? strong : weak} → ${response.statusCode} ${response.body.slice(0, 300)}`).toEqual([]);
      }),
      { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
    );

    if (reads) expect(changedTables(baseline, await digestDatabase()), `${route.method} ${route.url} changed stored data`).toEqual([]);
  });
});

describe('passkey options regressions', () => {
  it('step-up without a passkey', async () => {
    const before = await digestDatabase();
    const response = await firm.callers.bookkeeper.send('POST', '/api/auth/step-up/passkey/options');

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'mfa_method_unavailable' });
    expect(changedTables(before, await digestDatabase())).toEqual([]);
  });

  it('sign-in without a passkey', async () => {
    // A pending sign-in needs second factors switched on, as in production.
    const strict = await createTestApp({ mfa: { required: true, stepUpRequired: true, stepUpMinutes: 5, trustedDeviceDays: 30 } });
    try {
      const member = await createMember(strict, { username: 'fuzz-totp-only', roles: ['assistant'] });
      await enrolTotp(strict, member.id, member.username);
      const visitor = new HttpCaller(strict.app);
      const signIn = await visitor.send('POST', '/api/auth/login', { json: { username: member.username, password: TEST_PASSWORD } });
      expect(signIn.json()).toMatchObject({ mfaRequired: true });

      const response = await visitor.send('POST', '/api/auth/mfa/passkey/options');

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'mfa_method_unavailable' });
    } finally {
      await strict.dispose();
    }
  });
});
