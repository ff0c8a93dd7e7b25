import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedClient, generateClients } from '../../src/demo/demo.data.js';
import type { Kysely } from 'kysely';
import { BLIND_INDEXED_COLUMNS, ENCRYPTED_COLUMNS } from '../../src/crypto/index.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import type { Application } from '../../src/main/compose.js';
import { TEST_PASSWORD, createDepartment, createMember } from '../test-app.js';
import { approvalProblems, auditProblems, encryptedValueProblems, importJobProblems, rosterProblems, storageProblems } from './crash-checks.js';
import { LedgerGuardChild, seededRandom, sleep } from './crash-child.js';
import { type CrashFolder, type SessionCredentials, createCrashFolder, openWatcher, removeCrashFolder, signInForChild, withInstance, writeRosterCsv } from './crash-folder.js';

/*
 * The real command line and server run in child processes on a data folder of their own. They are
 * killed with SIGKILL at seeded random points of four operations: a roster import, a data key
 * rotation with its re-encryption, a blind-index rotation, and a burst of concurrent approvals.
 * After each kill a fresh instance checks the data, then the interrupted work is resumed and
 * checked again.
 *
 * CRASH_KILLS sets the kills per operation. The default of 3 is the fast part that `npm test`
 * runs, because every kill starts a child and a start alone costs about 3 s of CPU on a two-core
 * machine (most of it loading dependencies). A long run sets 12 or more. CRASH_SEED replays a
 * series, and CRASH_ROSTER_SIZE sets the clients per roster.
 */
const KILLS = Number(process.env.CRASH_KILLS ?? 3);
const SEED = Number(process.env.CRASH_SEED ?? 20261205);
const ROSTER_SIZE = Number(process.env.CRASH_ROSTER_SIZE ?? 2000);
/** Clients whose values the rotation series moves; each round walks all of them once, partly in the child. */
const ROTATED_CLIENTS = 300;
/** Access requests approved per round of the approval series, by two approvers at once. */
const APPROVAL_BATCH = 30;
/** Starting a child costs seconds of CPU, and other test files share the two cores. */
const SERIES_TIMEOUT_MS = 120_000 + KILLS * 40_000;

/** A data folder with the firm the series need: two departments, a bookkeeper, their manager and a partner. */
interface PreparedFolder {
  readonly folder: CrashFolder;
  readonly members: Record<'bk1' | 'manager1' | 'partner', string>;
  readonly deptTwo: string;
}

const folders: CrashFolder[] = [];
let rosters: GeneratedClient[][];

beforeAll(() => {
  // One draw gives credit codes unique across every roster, and each roster is one slice of it.
  const generated = generateClients({ count: ROSTER_SIZE * (KILLS + 1), seed: SEED, departments: ['记账一部', '记账二部'], assigneesByDepartment: { 记账一部: ['bk1'] } });
  rosters = Array.from({ length: KILLS + 1 }, (_, index) => generated.slice(index * ROSTER_SIZE, (index + 1) * ROSTER_SIZE));
});

afterAll(async () => {
  for (const folder of folders) await removeCrashFolder(folder);
});

/** Creates a data folder of its own for one series, so each series also runs alone. */
async function prepareFolder(): Promise<PreparedFolder> {
  const folder = await createCrashFolder();
  folders.push(folder);
  return withInstance(folder, async (instance) => {
    const firm = await createDepartment(instance, '测试事务所');
    const deptOne = await createDepartment(instance, '记账一部', firm);
    const deptTwo = await createDepartment(instance, '记账二部', firm);
    const members = {
      bk1: (await createMember(instance, { username: 'bk1', roles: ['bookkeeper'], departmentId: deptOne })).id,
      manager1: (await createMember(instance, { username: 'manager1', roles: ['department_manager'], departmentId: deptOne })).id,
      partner: (await createMember(instance, { username: 'partner', roles: ['partner'], departmentId: firm })).id,
    };
    return { folder, members, deptTwo };
  });
}

/** Runs the checks every kill is followed by, and returns which of the rosters are stored. */
async function expectConsistent(instance: Application, label: string, expectedRosters: readonly (readonly GeneratedClient[])[]): Promise<boolean[]> {
  const { problems: valueProblems, clientValues } = await encryptedValueProblems(instance);
  const roster = await rosterProblems(instance, expectedRosters, clientValues);

  expect(await storageProblems(instance), `${label}: storage`).toEqual([]);
  expect(valueProblems, `${label}: encrypted values`).toEqual([]);
  expect(roster.problems, `${label}: rosters`).toEqual([]);
  expect(await importJobProblems(instance), `${label}: import jobs`).toEqual([]);
  expect(await auditProblems(instance), `${label}: audit chain`).toEqual([]);
  return roster.stored;
}

async function writeRosterFile(folder: CrashFolder, index: number): Promise<string> {
  const file = path.join(folder.dataDir, `roster-${index}.csv`);
  await writeRosterCsv(rosters[index]!, file);
  return file;
}

/** Parses the import's progress line into its phase, the rows done and the rows in all. */
function importProgress(line: string): { phase: string; processed: number; total: number } | undefined {
  const match = /import: (\w+) (\d+)\/(\d+)/.exec(line);
  return match ? { phase: match[1]!, processed: Number(match[2]), total: Number(match[3]) } : undefined;
}

/** Counts the values a rotation of the kind moves: every stored ciphertext, or every stored blind index. */
async function countRotatedValues(watcher: DatabaseHandle, kind: 'data' | 'index'): Promise<number> {
  const columns = kind === 'data' ? ENCRYPTED_COLUMNS.map(({ table, column }) => ({ table, column })) : BLIND_INDEXED_COLUMNS.map(({ table, indexColumn }) => ({ table, column: indexColumn }));
  // The registries name tables and columns as constants, so an untyped view may count any of them in one loop.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = watcher.db as unknown as Kysely<any>;
  let total = 0;
  for (const { table, column } of columns) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count')).where(column, 'is not', null).executeTakeFirst().catch(() => undefined);
    total += Number(row?.count ?? 0);
  }
  return total;
}

/** Polls the job's saved progress until it has moved `target` values, finished, or its child exited. */
async function waitForJobProgress(watcher: DatabaseHandle, jobId: string, target: number, child: LedgerGuardChild): Promise<void> {
  while (child.running) {
    const job = await watcher.db.selectFrom('key_rotation_jobs').select(['status', 'rewritten']).where('id', '=', jobId).executeTakeFirst();
    if (!job || job.status !== 'running' || Number(job.rewritten) >= target) return;
    await sleep(10);
  }
}

describe('crash consistency', () => {
  it('keeps each roster import all or nothing', async () => {
    const { folder } = await prepareFolder();
    const random = seededRandom(SEED);
    let next = 0;
    let killed = 0;

    for (let round = 0; round < KILLS; round += 1) {
      // A kill point: part way through validation or writing, or just after the last batch, where the commit happens.
      const draw = random();
      const phase = draw < 0.2 ? 'validating' : 'writing';
      const fraction = draw >= 0.85 ? 1 : random();
      const delayMs = Math.floor(random() * (draw >= 0.85 ? 400 : 100));

      const child = new LedgerGuardChild(folder, ['import', await writeRosterFile(folder, next)]);
      await child.waitForLine((line) => {
        const progress = importProgress(line);
        return progress !== undefined && progress.phase === phase && progress.processed >= fraction * progress.total && progress.total > 0;
      });
      await sleep(delayMs);
      const end = await child.kill();
      if (end.killed) killed += 1;

      const stored = await withInstance(folder, (instance) => expectConsistent(instance, `import kill ${round} (${phase} ${fraction.toFixed(2)} +${delayMs} ms)`, rosters));
      // The next round resumes an interrupted roster by importing it again, and after a stored one it moves on.
      if (stored[next]) next += 1;
    }

    // The operator runs the interrupted import once more, through the same call the command line makes.
    const resumed = await withInstance(folder, async (instance) => {
      const file = await writeRosterFile(folder, next);
      const job = await instance.imports.run({ content: await readFile(file), fileName: path.basename(file), importer: { subject: undefined } });
      return { job, stored: await expectConsistent(instance, 'import resumed', rosters) };
    });
    const { stored } = resumed;

    expect(resumed.job.status).toBe('done');
    expect(killed).toBeGreaterThan(0);
    expect(stored.slice(0, next + 1)).toEqual(Array.from({ length: next + 1 }, () => true));
  }, SERIES_TIMEOUT_MS);

  it('resumes and finishes key rotations', async () => {
    const { folder } = await prepareFolder();
    const random = seededRandom(SEED + 1);
    const rotated = [generateClients({ count: ROTATED_CLIENTS, seed: SEED + 1, departments: ['记账一部', '记账二部'], assigneesByDepartment: { 记账一部: ['bk1'] } })];
    await withInstance(folder, async (instance) => {
      const file = path.join(folder.dataDir, 'rotated.csv');
      await writeRosterCsv(rotated[0]!, file);
      const job = await instance.imports.run({ content: await readFile(file), fileName: 'rotated.csv', importer: { subject: undefined } });
      expect(job.created).toBe(ROTATED_CLIENTS);
    });
    const watcher = openWatcher(folder);
    let killed = 0;

    try {
      for (let round = 0; round < KILLS; round += 1) {
        // The kill comes once the job has moved a random share of the values, plus a few milliseconds.
        const kind = round % 2 === 0 ? 'data' : 'index';
        const total = await countRotatedValues(watcher, kind);
        const target = Math.floor(random() * total);
        const delayMs = Math.floor(random() * 50);

        const child = new LedgerGuardChild(folder, ['keys', 'rotate', `--${kind}`]);
        const started = await child.waitForLine((line) => / job [0-9a-f-]{36} started/.test(line));
        if (started) await waitForJobProgress(watcher, / job ([0-9a-f-]{36}) started/.exec(started)![1]!, target, child);
        await sleep(delayMs);
        const end = await child.kill();
        if (end.killed) killed += 1;

        const label = `${kind} rotation kill ${round} (after ${target} of ${total} values +${delayMs} ms)`;

        await withInstance(folder, async (instance) => {
          await expectConsistent(instance, label, rotated);

          const running = await instance.db.selectFrom('key_rotation_jobs').select('kind').where('status', '=', 'running').execute();
          expect(running.filter((job) => job.kind === 'data').length, `${label}: running data jobs`).toBeLessThanOrEqual(1);
          expect(running.filter((job) => job.kind === 'index').length, `${label}: running index jobs`).toBeLessThanOrEqual(1);

          // A restarted server's background step continues each job from its saved cursor.
          const data = await instance.keyRotation.runReencryptionToEnd();
          const index = await instance.keyRotation.blindIndexes.runToEnd();
          const status = await instance.keyRotation.status({ scan: true });

          expect(data?.failed ?? 0, `${label}: values the data job could not move`).toBe(0);
          expect(index?.failed ?? 0, `${label}: values the index job could not move`).toBe(0);
          expect(status.valuesOnOldKeys, `${label}: values on old data keys`).toBe(0);
          expect(status.blindIndex.valuesOnOldVersions, `${label}: index values on old versions`).toBe(0);
          await instance.keyRotation.retireOldDataKeys();
          await instance.keyRotation.blindIndexes.retireOldVersions();
          await expectConsistent(instance, `${label}, resumed`, rotated);
        });
      }
    } finally {
      await watcher.close();
    }

    expect(killed).toBeGreaterThan(0);
  }, SERIES_TIMEOUT_MS);

  it('applies each approved request exactly once', async () => {
    const { folder, members, deptTwo } = await prepareFolder();
    const random = seededRandom(SEED + 2);
    const requests: { id: string; reason: string }[] = [];
    let credentials: { manager1: SessionCredentials; partner: SessionCredentials };

    // Requests are filed beforehand. The approvers' sessions live in the database, so the child accepts them.
    const fileRequests = async (instance: Application, count: number) => {
      for (let index = 0; index < count; index += 1) {
        const reason = `代同事核对账目 ${requests.length + 1}`;
        const filed = await instance.requests.file({
          kind: 'temporary_grant',
          beneficiaryId: members.bk1,
          payload: { departmentId: deptTwo, categories: ['basic'], actions: ['client:read'], startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString() },
          reason,
          filer: { id: members.bk1, username: 'bk1' },
          origin: { ip: '127.0.0.1', userAgent: 'crash-test' },
        });
        requests.push({ id: filed.id, reason });
      }
    };

    type Approval = (requestId: string, approver: SessionCredentials) => Promise<{ status: number; body: string }>;
    const headersOf = (approver: SessionCredentials) => ({ cookie: approver.cookie, 'x-csrf-token': approver.csrfToken, 'content-type': 'application/json' });
    const approveInProcess =
      (instance: Application): Approval =>
      async (requestId, approver) => {
        const response = await instance.app.inject({ method: 'POST', url: `/api/access-requests/${requestId}/approve`, headers: headersOf(approver), payload: {} });
        return { status: response.statusCode, body: response.body };
      };
    const approveOverHttp =
      (baseUrl: string): Approval =>
      async (requestId, approver) => {
        const response = await fetch(`${baseUrl}/api/access-requests/${requestId}/approve`, { method: 'POST', headers: headersOf(approver), body: '{}' });
        return { status: response.status, body: await response.text() };
      };
    /** Sends both approvals of every request at once, and `onSettled` counts the responses as they arrive. */
    const approveAll = (ids: readonly string[], approve: Approval, onSettled: () => void = () => undefined) =>
      Promise.allSettled(ids.flatMap((id) => [approve(id, credentials.manager1), approve(id, credentials.partner)].map((sent) => sent.finally(onSettled))));

    // The first batch is approved in process without a kill, and every later one by a child that is killed.
    let applied = new Set<string>();
    await withInstance(folder, async (instance) => {
      credentials = { manager1: await signInForChild(instance, 'manager1', TEST_PASSWORD), partner: await signInForChild(instance, 'partner', TEST_PASSWORD) };
      await fileRequests(instance, APPROVAL_BATCH * (KILLS + 1));
      await approveAll(requests.slice(0, APPROVAL_BATCH).map((request) => request.id), approveInProcess(instance));
      applied = (await approvalProblems(instance, requests)).applied;
    });
    expect(applied.size).toBe(APPROVAL_BATCH);

    for (let round = 0; round < KILLS; round += 1) {
      // Each round approves a new batch and whatever an earlier kill left pending.
      const batch = requests.slice(0, APPROVAL_BATCH * (round + 2)).filter((request) => !applied.has(request.id));
      // The kill comes once a random share of the responses has arrived, plus a few milliseconds.
      const responsesBeforeKill = Math.floor(random() * batch.length * 2);
      const delayMs = Math.floor(random() * 20);

      const child = new LedgerGuardChild(folder, ['start']);
      const listening = await child.waitForLine((line) => /LedgerGuard 账安: http/.test(line));
      if (!listening) throw new Error(`The server exited before it listened:\n${child.lines.slice(-10).join('\n')}`);
      const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)![1]!;

      let responses = 0;
      let reachedKillPoint: () => void = () => undefined;
      const killPoint = new Promise<void>((resolve) => {
        reachedKillPoint = resolve;
      });
      const outcomes = approveAll(batch.map((request) => request.id), approveOverHttp(base), () => {
        responses += 1;
        if (responses >= responsesBeforeKill) reachedKillPoint();
      });
      if (responsesBeforeKill === 0) reachedKillPoint();
      await killPoint;
      await sleep(delayMs);
      await child.kill();

      // The two approvals of a request sit side by side in the outcomes.
      const acknowledged = new Set<string>();
      for (const [index, outcome] of (await outcomes).entries()) {
        if (outcome.status !== 'fulfilled' || outcome.value.status !== 200) continue;
        if ((JSON.parse(outcome.value.body) as { status?: string }).status === 'applied') acknowledged.add(batch[Math.floor(index / 2)]!.id);
      }
      const label = `approval kill ${round} (after ${responsesBeforeKill} responses +${delayMs} ms)`;

      await withInstance(folder, async (instance) => {
        expect(await storageProblems(instance), `${label}: storage`).toEqual([]);
        expect(await auditProblems(instance), `${label}: audit chain`).toEqual([]);
        const result = await approvalProblems(instance, requests);
        expect(result.problems, `${label}: approvals`).toEqual([]);
        // A request the server reported as applied was committed before the response was sent.
        expect([...acknowledged].filter((id) => !result.applied.has(id)), `${label}: acknowledged but not applied`).toEqual([]);
        applied = result.applied;
      });
    }

    await withInstance(folder, async (instance) => {
      await approveAll(requests.filter((request) => !applied.has(request.id)).map((request) => request.id), approveInProcess(instance));
      const result = await approvalProblems(instance, requests);
      const again = await approveInProcess(instance)(requests[0]!.id, credentials.partner);

      expect(result.problems).toEqual([]);
      expect(result.applied.size).toBe(requests.length);
      expect(again.status).toBe(409);
      expect(await auditProblems(instance)).toEqual([]);
    });
  }, SERIES_TIMEOUT_MS);
});
