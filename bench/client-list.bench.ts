/**
 * Scoped client list over 100,000 generated clients: a bookkeeper with 300 assigned clients and
 * a department manager with about 5,000 in scope read the first page of 50, a middle page and the
 * last page. Middle and last pages are reached by their cursors, as a client paging forward does.
 * The last page is also read with `page=last`, as the web app's "last page" button does.
 *
 * Two calls are timed per case. The page reads are `listClientPage` (the keyset query) and
 * `countClientsInScope` on pages without a cursor. The whole `ClientService.list` call is
 * everything GET /api/clients does after the session check: the page reads, assignees and
 * departments, per-row decisions, masking from stored forms, cursor sealing and the audit
 * append, which commits a transaction. The reference is the OFFSET query the list used before,
 * with its count, on the same data in the same process. Runs on SQLite, and on PostgreSQL too
 * when BENCH_DATABASE_URL is set. Budget: p95 <= 5 ms on SQLite and <= 10 ms on PostgreSQL at
 * every page depth, checked on both calls.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { type SubjectSnapshot, loadSubjectSnapshot } from '../server/src/access/index.js';
import { type ClientPageRequest, type ListPosition, countClientsInScope, listClientPage } from '../server/src/clients/client-list.repository.js';
import type { ClientSort } from '../server/src/clients/client-list.service.js';
import type { RequestContext } from '../server/src/clients/client.service.js';
import { type ClientBenchApp, openClientBenchApp } from './lib/client-bench-app.js';
import { type ClientListFirm, seedClientListFirm } from './lib/client-list-firm.js';
import { listClientsByOffset } from './lib/offset-client-list.js';
import { type BudgetCheck, type Measurement, formatNumber, percentile, saveReport } from './lib/report.js';

const CLIENT_COUNT = 100_000;
const ASSIGNED_COUNT = 300;
const MANAGED_COUNT = 5_000;
const PAGE_SIZE = 50;
// Name is the default sort; service start has empty values, which take a second index range.
const SORTS: readonly ClientSort[] = ['name', '-serviceStart'];
// Cases are measured in interleaved rounds, so a burst of load from other processes on the
// machine spreads over all of them instead of landing on one.
const ROUNDS = 15;
const CALLS_PER_ROUND = 8;
const WARM_UP_CALLS = 5;
// The OFFSET reference takes up to a second per call on the manager's deep pages here.
const REFERENCE_CALLS = 8;
const BUDGET_MS = { sqlite: 5, postgres: 10 } as const;

type Depth = 'first page' | 'middle page' | 'last page (cursor)' | 'last page (page=last)';

interface ListCase {
  readonly who: string;
  readonly sort: ClientSort;
  readonly depth: Depth;
  /** The whole `ClientService.list` call. */
  readonly run: () => Promise<unknown>;
  /** Only its reads of the page: the keyset query, and the count on pages without a cursor. */
  readonly runQuery: () => Promise<unknown>;
  readonly samples: number[];
  readonly querySamples: number[];
}

async function timeOnce(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

function sortColumnOf(sort: ClientSort): 'name' | 'service_start' | 'created_at' {
  const key = sort.startsWith('-') ? sort.slice(1) : sort;
  return ({ name: 'name', serviceStart: 'service_start', createdAt: 'created_at' } as const)[key as 'name' | 'serviceStart' | 'createdAt'];
}

/**
 * Walks every page by `nextCursor`. Returns, for each page after the first, the cursor that
 * reaches it and the same position in repository terms (after the previous page's last row).
 */
async function cursorsOfEveryPage(bench: ClientBenchApp, context: RequestContext, sort: ClientSort, expectedRows: number): Promise<{ cursor: string; position: ListPosition }[]> {
  const cursors: { cursor: string; position: ListPosition }[] = [];
  let page = await bench.application.clients.list({ pageSize: PAGE_SIZE, sort, context });
  let rows = page.items.length;
  while (page.nextCursor !== null) {
    const lastRow = await bench.application.db.selectFrom('clients').selectAll().where('id', '=', page.items[page.items.length - 1]!.id).executeTakeFirstOrThrow();
    cursors.push({ cursor: page.nextCursor, position: { at: 'after', key: { value: lastRow[sortColumnOf(sort)], id: lastRow.id } } });
    page = await bench.application.clients.list({ pageSize: PAGE_SIZE, sort, cursor: page.nextCursor, context });
    rows += page.items.length;
  }
  if (rows !== expectedRows) {
    throw new Error(`Walking the ${sort} pages returned ${rows} clients, but ${expectedRows} are in scope`);
  }
  return cursors;
}

async function countActiveInScope(bench: ClientBenchApp, subject: SubjectSnapshot): Promise<number> {
  const page = await bench.application.clients.list({ pageSize: 1, sort: 'name', withTotal: true, context: contextOf(subject) });
  return page.total!;
}

/** The page reads of one `ClientService.list` call: the keyset query, and the count when no cursor is given. */
async function pageReads(bench: ClientBenchApp, subject: SubjectSnapshot, sort: ClientSort, position: ListPosition): Promise<unknown> {
  const request: ClientPageRequest = { status: 'active', sort: { column: sortColumnOf(sort), direction: sort.startsWith('-') ? 'desc' : 'asc' }, position, limit: PAGE_SIZE };
  const db = bench.application.db;
  return Promise.all([listClientPage(db, subject, request), 'key' in position ? null : countClientsInScope(db, subject, { status: 'active' })]);
}

/** A p95 with the p50 and the sample count beside it. */
function p95Measurement(name: string, samples: readonly number[]): Measurement {
  return { name: `${name}: p95`, value: percentile(samples, 95), unit: 'ms', note: `p50 ${formatNumber(percentile(samples, 50))} ms, ${samples.length} calls` };
}

function contextOf(subject: SubjectSnapshot): RequestContext {
  return { subject, locale: 'zh-CN', ip: '127.0.0.1', userAgent: 'client-list-bench' };
}

async function measureDatabase(databaseUrl: string | undefined): Promise<{ measurements: Measurement[]; budgets: BudgetCheck[]; notes: string[] }> {
  const bench = await openClientBenchApp(databaseUrl);
  const label = bench.database === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const measurements: Measurement[] = [];
  const budgets: BudgetCheck[] = [];
  const notes: string[] = [];
  try {
    const seedStarted = performance.now();
    // A large page cache halves the time of the bulk insert on SQLite; the server's own size is
    // restored before anything is measured.
    const cacheSize = bench.database === 'sqlite' ? (await sql<{ cache_size: number }>`pragma cache_size`.execute(bench.application.db)).rows[0]!.cache_size : undefined;
    if (cacheSize !== undefined) await sql`pragma cache_size = -262144`.execute(bench.application.db);
    const firm: ClientListFirm = await seedClientListFirm(bench.application.db, { clientCount: CLIENT_COUNT, assignedCount: ASSIGNED_COUNT, managedCount: MANAGED_COUNT, seed: 20261205 });
    if (cacheSize !== undefined) await sql.raw(`pragma cache_size = ${Number(cacheSize)}`).execute(bench.application.db);
    if (bench.database === 'postgres') {
      // Autovacuum does this soon after a bulk load, because it checks every minute by default.
      // The benchmark does not wait for it.
      await sql`vacuum analyze clients`.execute(bench.application.db);
      await sql`vacuum analyze client_assignments`.execute(bench.application.db);
      notes.push(`${label}: the tables were vacuumed and analyzed after the bulk insert, as autovacuum does soon after one.`);
    } else {
      notes.push(`${label}: no ANALYZE was run, as the server runs none, so the planner works without table statistics.`);
    }
    console.log(`${label}: seeded ${CLIENT_COUNT} clients in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    const subjects = [
      { who: `member (${ASSIGNED_COUNT} assigned)`, subject: (await loadSubjectSnapshot(bench.application.db, firm.memberId))! },
      { who: `manager (${firm.managedCount} in departments)`, subject: (await loadSubjectSnapshot(bench.application.db, firm.managerId))! },
    ];

    // Cursors of the middle and last pages, found by walking every page once.
    const cases: ListCase[] = [];
    const offsets: { who: string; subject: SubjectSnapshot; pages: number }[] = [];
    for (const { who, subject } of subjects) {
      const context = contextOf(subject);
      const inScope = await countActiveInScope(bench, subject);
      for (const sort of SORTS) {
        const cursors = await cursorsOfEveryPage(bench, context, sort, inScope);
        const middle = cursors[Math.floor(cursors.length / 2)]!;
        const last = cursors[cursors.length - 1]!;
        const list = bench.application.clients;
        const queryOnly = (position: ListPosition) => pageReads(bench, subject, sort, position);
        cases.push(
          { who, sort, depth: 'first page', run: () => list.list({ pageSize: PAGE_SIZE, sort, context }), runQuery: () => queryOnly({ at: 'first' }), samples: [], querySamples: [] },
          { who, sort, depth: 'middle page', run: () => list.list({ pageSize: PAGE_SIZE, sort, cursor: middle.cursor, context }), runQuery: () => queryOnly(middle.position), samples: [], querySamples: [] },
          { who, sort, depth: 'last page (cursor)', run: () => list.list({ pageSize: PAGE_SIZE, sort, cursor: last.cursor, context }), runQuery: () => queryOnly(last.position), samples: [], querySamples: [] },
          { who, sort, depth: 'last page (page=last)', run: () => list.list({ pageSize: PAGE_SIZE, sort, page: 'last', context }), runQuery: () => queryOnly({ at: 'last' }), samples: [], querySamples: [] },
        );
        if (sort === 'name') offsets.push({ who, subject, pages: cursors.length + 1 });
      }
      notes.push(`${label}, ${who}: ${inScope} active clients in scope.`);
    }

    for (const listCase of cases) {
      for (let call = 0; call < WARM_UP_CALLS; call += 1) await listCase.run();
    }
    const audit = bench.application.audit;
    const auditSamples: number[] = [];
    const appendOne = () => audit.record({ action: 'client.list', outcome: 'success', actor: { id: firm.memberId, username: 'member' }, ip: '127.0.0.1', userAgent: 'client-list-bench', details: { searchKind: 'none', position: 'first', pageSize: PAGE_SIZE, returned: PAGE_SIZE } });
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const listCase of cases) {
        for (let call = 0; call < CALLS_PER_ROUND; call += 1) listCase.samples.push(await timeOnce(listCase.run));
        for (let call = 0; call < CALLS_PER_ROUND; call += 1) listCase.querySamples.push(await timeOnce(listCase.runQuery));
      }
      for (let call = 0; call < CALLS_PER_ROUND; call += 1) auditSamples.push(await timeOnce(appendOne));
    }

    const budgetMs = BUDGET_MS[bench.database];
    for (const listCase of cases) {
      const name = `${label}, ${listCase.who}, ${listCase.depth}, sort ${listCase.sort}`;
      measurements.push(p95Measurement(`${name}, page reads`, listCase.querySamples));
      measurements.push(p95Measurement(`${name}, whole call`, listCase.samples));
    }
    measurements.push(p95Measurement(`${label}, one audit append (client.list event) alone`, auditSamples));
    // One budget row per member and call: the slowest p95 over every depth and both sorts. The
    // figure of each depth is among the measurements.
    for (const { who } of subjects) {
      const ofMember = cases.filter((listCase) => listCase.who === who);
      const slowest = (pick: (listCase: ListCase) => number[]) => {
        const worst = ofMember.reduce((slower, listCase) => (percentile(pick(listCase), 95) > percentile(pick(slower), 95) ? listCase : slower));
        return { p95: percentile(pick(worst), 95), at: `${worst.depth}, sort ${worst.sort}` };
      };
      const reads = slowest((listCase) => listCase.querySamples);
      const whole = slowest((listCase) => listCase.samples);
      budgets.push({ name: `${label}, ${who}, page reads, slowest p95 of every depth (${reads.at})`, measured: reads.p95, limit: budgetMs, comparison: '<=', unit: 'ms' });
      budgets.push({ name: `${label}, ${who}, whole ClientService.list call, slowest p95 of every depth (${whole.at})`, measured: whole.p95, limit: budgetMs, comparison: '<=', unit: 'ms' });
    }

    // The reference: the OFFSET query and its count, as the list ran them before.
    for (const { who, subject, pages } of offsets) {
      for (const [depth, pageIndex] of [['first page', 0], ['middle page', Math.floor(pages / 2)], ['last page', pages - 1]] as const) {
        const run = () => listClientsByOffset(bench.application.db, subject, { offset: pageIndex * PAGE_SIZE, limit: PAGE_SIZE });
        await run();
        const samples: number[] = [];
        for (let call = 0; call < REFERENCE_CALLS; call += 1) samples.push(await timeOnce(run));
        measurements.push(p95Measurement(`${label}, reference OFFSET query with count, ${who}, ${depth} (offset ${pageIndex * PAGE_SIZE})`, samples));
      }
    }
  } finally {
    await bench.dispose();
  }
  return { measurements, budgets, notes };
}

const loadAtStart = os.loadavg()[0]!;
const results = [await measureDatabase(undefined)];
const postgresUrl = process.env.BENCH_DATABASE_URL;
if (postgresUrl) {
  results.push(await measureDatabase(postgresUrl));
}

saveReport({
  id: 'client-list',
  title: 'Scoped client list, 100,000 clients',
  method:
    `Pages of ${PAGE_SIZE}. Per case, ${ROUNDS * CALLS_PER_ROUND} whole \`ClientService.list\` calls (page reads, presentation, cursors and the audit append) and ` +
    `as many calls of the page reads alone (keyset query, and the count on pages without a cursor), in ${ROUNDS} interleaved rounds. ` +
    `Reference: the earlier OFFSET query with its count on the same data (${REFERENCE_CALLS} calls per case).`,
  measurements: results.flatMap((result) => result.measurements),
  budgets: results.flatMap((result) => result.budgets),
  notes: [
    `The 1-minute load average was ${loadAtStart.toFixed(1)} at the start and ${os.loadavg()[0]!.toFixed(1)} at the end, on ${os.cpus().length} cores: other processes shared the machine, which widens the p95 figures most.`,
    'Each budget row is the slowest p95 of one member over every depth and both sorts; the figure of each case is in the table. The page reads are listClientPage and, on pages without a cursor, countClientsInScope. The whole call adds the audit append, which commits a transaction of its own.',
    ...results.flatMap((result) => result.notes),
    ...(postgresUrl ? [] : ['PostgreSQL was not measured: BENCH_DATABASE_URL is not set.']),
  ],
});
