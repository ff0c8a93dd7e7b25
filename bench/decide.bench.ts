import type { MongoAbility } from '@casl/ability';
import { Bench } from 'tinybench';
import { decide } from '../server/src/access/decide.js';
import type { SubjectSnapshot } from '../server/src/access/subject.js';
import { type DecisionRequest, generateFirm, sampleRequests } from './lib/firm-policy.js';
import type { Enforcer } from 'casbin';
import { type CaslClient, caslAbilityFor, caslClient, casbinEnforcerFor, casbinRequest } from './lib/policy-engines.js';
import { type BudgetCheck, type Measurement, percentile, saveReport } from './lib/report.js';

/**
 * Permission decisions per second, warm, on a generated firm: `decide()` against a precomputed
 * answer table, CASL and casbin holding the same policy. All four first decide the same sample
 * of requests, and the benchmark fails when any result differs.
 */
const FIRM = { staff: 500, clientContacts: 40, clients: 20_000, grants: 120 };
const CHECKED_REQUESTS = 200_000;
/** The timed loops cycle through this many requests; a power of two, so the index wraps with a mask. */
const TIMED_REQUESTS = 65_536;
const TIME_PER_TASK_MS = 1_000;
const ROUNDS = 5;

const firm = generateFirm(FIRM);
const now = firm.now;
const requests = sampleRequests(firm, CHECKED_REQUESTS);

// Both engines get one policy object per subject, as `decide()` gets one snapshot per subject.
const abilities = new Map<SubjectSnapshot, MongoAbility>(firm.subjects.map((subject) => [subject, caslAbilityFor(subject)]));
const enforcers = new Map<SubjectSnapshot, Enforcer>();
for (const subject of firm.subjects) {
  enforcers.set(subject, await casbinEnforcerFor(firm, subject));
}
const caslClients = new Map(firm.clients.map((client) => [client, caslClient(client, now)]));

/** Builds the answer-table key of a request; the reference task builds it on every lookup, as a cache would. */
function answerKey(request: DecisionRequest): string {
  return `${request.subject.userId}|${request.action}|${request.client.id}|${request.category ?? ''}`;
}

function decideRequest(request: DecisionRequest): boolean {
  const { client } = request;
  return decide(request.subject, request.action, { type: 'client', id: client.id, departmentId: client.departmentId, ...(request.category ? { category: request.category } : {}) }, now).allow;
}

function caslRequest(request: DecisionRequest, client: CaslClient): boolean {
  return abilities.get(request.subject)!.can(request.action, client as never, request.category);
}

// Same decisions first: decide() is the product's rule, so every engine is compared with it.
const allowedKeys = new Set<string>();
const mismatches: string[] = [];
let allowed = 0;
for (const request of requests) {
  const expected = decideRequest(request);
  if (expected) {
    allowed += 1;
    allowedKeys.add(answerKey(request));
  }
  const casl = caslRequest(request, caslClients.get(request.client)!);
  const casbin = enforcers.get(request.subject)!.enforceSync(...casbinRequest(request, now));
  if (casl !== expected || casbin !== expected) {
    mismatches.push(`${answerKey(request)}: decide ${expected}, CASL ${casl}, casbin ${casbin}`);
  }
}
if (mismatches.length > 0) {
  console.error(`${mismatches.length} of ${requests.length} decisions differ between the engines, for example:\n${mismatches.slice(0, 10).join('\n')}`);
  process.exit(1);
}
console.log(`All engines returned the same decision for ${requests.length} requests (${allowed} allowed).`);

// The timed loops read prepared inputs, so each measures the engine and not the input building.
const timed = requests.slice(0, TIMED_REQUESTS);
const resources = timed.map((request) => ({ type: 'client' as const, id: request.client.id, departmentId: request.client.departmentId, ...(request.category ? { category: request.category } : {}) }));
const caslInputs = timed.map((request) => ({ ability: abilities.get(request.subject)!, action: request.action, client: caslClients.get(request.client)!, category: request.category }));
const casbinInputs = timed.map((request) => ({ enforcer: enforcers.get(request.subject)!, request: casbinRequest(request, now) }));
const MASK = TIMED_REQUESTS - 1;

let cursor = 0;
/** Counts allowed decisions, so no engine call can be optimized away. */
let sink = 0;

/** Runs `batch` decisions and reports the mean time of one, so timer overhead stays out of the figure. */
function batched(batch: number, run: (index: number) => boolean) {
  return () => {
    const started = performance.now();
    for (let count = 0; count < batch; count += 1) {
      if (run(cursor)) sink += 1;
      cursor = (cursor + 1) & MASK;
    }
    const elapsed = performance.now() - started;
    return { overriddenDuration: elapsed / batch, overriddenIterationCost: elapsed };
  };
}

const ENGINES = {
  'decide()': batched(4096, (index) => decide(timed[index]!.subject, timed[index]!.action, resources[index]!, now).allow),
  'answer table': batched(4096, (index) => allowedKeys.has(answerKey(timed[index]!))),
  CASL: batched(512, (index) => {
    const input = caslInputs[index]!;
    return input.ability.can(input.action, input.client as never, input.category);
  }),
  casbin: batched(64, (index) => {
    const input = casbinInputs[index]!;
    return input.enforcer.enforceSync(...input.request);
  }),
} as const;
type EngineName = keyof typeof ENGINES;

/** Time per decision in ms, per round: the median and the mean of the batch means. */
const medians = new Map<EngineName, number[]>();
const means = new Map<EngineName, number[]>();

// Several short rounds, each timing every engine, so a burst of load from other processes
// slows one round of each engine rather than all of one engine.
for (let round = 0; round < ROUNDS; round += 1) {
  const bench = new Bench({ time: TIME_PER_TASK_MS, warmupTime: 300, iterations: 50 });
  for (const [name, task] of Object.entries(ENGINES)) bench.add(name, task);
  await bench.run();
  console.table(bench.table());

  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`Benchmark task ${task.name} did not complete (${result.state})`);
    const name = task.name as EngineName;
    medians.set(name, [...(medians.get(name) ?? []), result.latency.p50]);
    means.set(name, [...(means.get(name) ?? []), result.latency.mean]);
  }
}
// Printing the count keeps every engine call observable.
console.log(`Allowed decisions counted during the timed loops: ${sink}`);

function middle(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Decisions per second from the median round's median batch. */
function rateOf(name: EngineName): number {
  return 1000 / middle(medians.get(name)!);
}

const ours = rateOf('decide()');
const table = rateOf('answer table');
const casl = rateOf('CASL');
const casbin = rateOf('casbin');
const oursMedianMicroseconds = middle(medians.get('decide()')!) * 1000;

const measurements: Measurement[] = [
  { name: 'decide() decisions/s', value: ours, unit: 'ops/s' },
  { name: 'decide() median per decision', value: oursMedianMicroseconds, unit: 'µs' },
  { name: 'decide() decisions/s from the mean batch', value: 1000 / middle(means.get('decide()')!), unit: 'ops/s', note: 'includes batches interrupted by other processes' },
  { name: 'answer table (Set of string keys) decisions/s', value: table, unit: 'ops/s' },
  { name: 'CASL 7.0.1 decisions/s', value: casl, unit: 'ops/s' },
  { name: 'casbin 5.51.1 decisions/s', value: casbin, unit: 'ops/s' },
  { name: 'decide() ÷ answer table', value: ours / table, unit: '×' },
  { name: 'decide() ÷ CASL', value: ours / casl, unit: '×' },
  { name: 'decide() ÷ casbin', value: ours / casbin, unit: '×' },
  { name: 'requests checked for the same decision', value: requests.length, unit: 'requests', note: `${allowed} allowed` },
];
const budgets: BudgetCheck[] = [
  { name: 'decide() decisions/s', measured: ours, limit: 2_000_000, comparison: '>=', unit: 'ops/s' },
  { name: 'decide() median', measured: oursMedianMicroseconds, limit: 1, comparison: '<=', unit: 'µs' },
  { name: 'decide() ÷ CASL', measured: ours / casl, limit: 10, comparison: '>=', unit: '×' },
  { name: 'decide() ÷ casbin', measured: ours / casbin, limit: 100, comparison: '>=', unit: '×' },
];

saveReport({
  id: 'decide',
  title: 'Permission decisions',
  method:
    `A generated firm of ${FIRM.staff} staff (every built-in role, some members with two), ${FIRM.clientContacts} client-contact accounts, ` +
    `${FIRM.clients.toLocaleString('en-US')} clients in ${firm.departments.length} departments, assignments and ${FIRM.grants} temporary grants ` +
    `(some not yet started or already ended). CASL and casbin hold the same policy and first answered ${requests.length.toLocaleString('en-US')} ` +
    `random requests exactly as \`decide()\` did. Then tinybench timed each engine on the same ${TIMED_REQUESTS.toLocaleString('en-US')} requests, warm, ` +
    `in batches (4,096 decisions for \`decide()\` and the table, 512 for CASL, 64 for casbin), in ${ROUNDS} rounds. ` +
    'A rate is 1 / the median time per decision: the median batch of each round, then the median round.',
  measurements,
  budgets,
  notes: [
    'The answer table is a Set of precomputed allowed answers keyed by subject, action, client and category, with the key built per lookup. ' +
      'It returns allow or deny only, while `decide()` also returns reasons and the visibility obligations.',
    'CASL states a reveal as a field rule per category and a grant window as conditions on a `now` field of the checked object; ' +
      'casbin states scopes with `g` (roles), `g2` (department tree) and `g3` (assignments) and grant windows as fixed-width time text in each policy line.',
    'casbin gets one enforcer per subject holding that subject\'s lines only (its roles, grants, department tree and assignments), ' +
      'because casbin evaluates the matcher once per policy line and one enforcer for the whole firm (about 400 lines) decided about 470 times per second here.',
  ],
});
