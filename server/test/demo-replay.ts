import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateClients, writeRosterWorkbook } from '../src/demo/demo.data.js';
import { DEMO_ACCOUNTS, DEMO_ASSIGNEES, DEMO_DEPARTMENTS, DEMO_FIRM } from '../src/demo/demo.staff.js';
import { type Actor, type ScriptedAudit, type ScriptedEvent, events, seededRandom, shanghai } from './detect-fixture.js';
import { createDepartment, createMember, type TestApp } from './test-app.js';

export interface DemoFirm {
  readonly departments: ReadonlyMap<string, string>;
  readonly members: ReadonlyMap<string, Actor>;
  /** Each member's usual office address. */
  readonly addresses: ReadonlyMap<string, string>;
  readonly clients: readonly { id: string; department: string }[];
  readonly assigned: ReadonlyMap<string, readonly string[]>;
}

const CLIENT_DEPARTMENTS = ['记账一部', '记账二部', '税务部'];

/**
 * Builds the demo firm's departments and staff (the accounts `npm run demo` creates). Its
 * clients are a smaller generated list imported through the real importer, plus the extra
 * assignments the demo makes for assistants and the registration agent.
 */
export async function buildDemoFirm(app: TestApp, { clientCount = 90 } = {}): Promise<DemoFirm> {
  const departments = new Map<string, string>();
  const firmId = await createDepartment(app, DEMO_FIRM);
  departments.set(DEMO_FIRM, firmId);
  for (const name of DEMO_DEPARTMENTS) departments.set(name, await createDepartment(app, name, firmId));

  const generated = generateClients({ count: clientCount, seed: 20261204, departments: CLIENT_DEPARTMENTS, assigneesByDepartment: DEMO_ASSIGNEES });
  const folder = await mkdtemp(path.join(os.tmpdir(), 'lg-detect-'));
  const rosterFile = path.join(folder, 'roster.xlsx');
  await writeRosterWorkbook(generated, rosterFile);

  const members = new Map<string, Actor>();
  const addresses = new Map<string, string>();
  for (const [index, account] of DEMO_ACCOUNTS.entries()) {
    if (account.roles.includes('client_contact')) continue;
    members.set(account.username, await createMember(app, { username: account.username, roles: account.roles, departmentId: departments.get(account.department) ?? null }));
    addresses.set(account.username, `10.8.1.${20 + index}`);
  }

  const job = await app.imports.run({ content: await readFile(rosterFile), fileName: 'roster.xlsx', importer: { subject: undefined } });
  if (job.status !== 'done' || job.created !== clientCount) throw new Error(`Demo roster import failed: ${job.status} ${job.errorCode}`);

  const rows = await app.db.selectFrom('clients').innerJoin('departments', 'departments.id', 'clients.department_id').select(['clients.id', 'departments.name as department']).orderBy('clients.name').execute();
  const clients = rows.map((row) => ({ id: row.id, department: row.department }));

  // The portal contact of the first client, as the demo links it; contacts use the portal from outside the office.
  members.set('contact1', await createMember(app, { username: 'contact1', roles: ['client_contact'], departmentId: firmId, clientId: clients[0]!.id }));
  addresses.set('contact1', '112.65.10.8');
  const extra = [
    ...clients.filter((client) => client.department === '记账一部').slice(0, 10).map((client) => ['assistant1', client.id] as const),
    ...clients.filter((client) => client.department === '记账二部').slice(0, 10).map((client) => ['assistant2', client.id] as const),
    ...clients.slice(0, 8).map((client) => ['registrar1', client.id] as const),
  ];
  await app.db.insertInto('client_assignments').values(extra.map(([username, clientId]) => ({ client_id: clientId, user_id: members.get(username)!.id, created_at: new Date().toISOString() }))).onConflict((conflict) => conflict.columns(['client_id', 'user_id']).doNothing()).execute();

  const assignments = await app.db.selectFrom('client_assignments').select(['user_id', 'client_id']).execute();
  const assigned = new Map<string, string[]>();
  for (const [username, member] of members) assigned.set(username, assignments.filter((row) => row.user_id === member.id).map((row) => row.client_id).sort());

  return { departments, members, addresses, clients, assigned };
}

/**
 * Scripts one ordinary working day of the demo firm. Everyone signs in from their office address
 * between 08:40 and 09:30 and signs out around 18:00. Bookkeepers open a handful of their own
 * clients and reveal a value or two. Customer service looks up clients of the two bookkeeping
 * departments. The partner reviews many clients across the firm, a heavy but steady user. The
 * auditor searches the log and exports once a week, and now and then someone mistypes a password.
 */
export function normalDay(firm: DemoFirm, date: string, seed: number): ScriptedEvent[] {
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const pick = <T>(items: readonly T[], count: number): T[] => {
    const pool = [...items];
    const picked: T[] = [];
    while (picked.length < count && pool.length > 0) picked.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
    return picked;
  };
  const clock = (minutes: number) => shanghai(date, `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`);
  const day: ScriptedEvent[] = [];
  const bookkeepingClients = firm.clients.filter((client) => client.department !== '税务部').map((client) => client.id);

  for (const [username, actor] of firm.members) {
    const ip = firm.addresses.get(username)!;
    if (username === 'contact1') {
      day.push(...portalVisit(firm, actor, ip, clock(21 * 60 + between(0, 20))));
      continue;
    }
    const arrive = between(8 * 60 + 40, 9 * 60 + 30);
    if (random() < 0.05) day.push({ at: clock(arrive - 1), event: events.failedSignIn(username, ip, actor.id) });
    day.push({ at: clock(arrive), event: events.signIn(actor, ip) });

    const viewed = clientsViewed(username, firm, bookkeepingClients, between, pick);
    viewed.forEach((clientId, index) => {
      const at = arrive + 30 + Math.floor(((17 * 60 + 30 - arrive - 30) * (index + 1)) / (viewed.length + 1));
      if (index % 3 === 0) day.push({ at: clock(at - 1), event: events.list(actor, ip) });
      day.push({ at: clock(at), event: events.view(actor, clientId, ip) });
    });
    if (username.startsWith('bookkeeper') || username === 'taxclerk') {
      for (const clientId of pick(viewed, between(0, 2))) day.push({ at: clock(16 * 60 + between(0, 60)), event: events.reveal(actor, clientId, ip) });
    }
    if (username === 'auditor') {
      for (let search = between(2, 5); search > 0; search -= 1) day.push({ at: clock(10 * 60 + between(0, 400)), event: events.auditSearch(actor, ip) });
      if (seed % 5 === 0) day.push({ at: clock(15 * 60), event: events.exported(actor, ip, between(200, 600)) });
    }
    day.push({ at: clock(between(17 * 60 + 45, 18 * 60 + 15)), event: events.signOut(actor, ip) });
  }
  return day.sort((a, b) => a.at.localeCompare(b.at));
}

/** A client contact checking the own company in the portal in the evening, as contacts do after their working day. */
function portalVisit(firm: DemoFirm, actor: Actor, ip: string, at: string): ScriptedEvent[] {
  const ownCompany = firm.clients[0]!.id;
  const later = new Date(Date.parse(at) + 5 * 60_000).toISOString();
  return [
    { at, event: events.signIn(actor, ip) },
    { at, event: events.view(actor, ownCompany, ip) },
    { at: later, event: events.signOut(actor, ip) },
  ];
}

function clientsViewed(username: string, firm: DemoFirm, bookkeepingClients: readonly string[], between: (low: number, high: number) => number, pick: (items: readonly string[], count: number) => string[]): string[] {
  const own = firm.assigned.get(username) ?? [];
  if (username.startsWith('bookkeeper') || username === 'taxclerk') return pick(own, between(4, 9));
  if (username.startsWith('assistant')) return pick(own, between(3, 7));
  if (username === 'registrar1') return pick(own, between(1, 3));
  if (username === 'service1') return pick(bookkeepingClients, between(3, 8));
  if (username === 'partner') return pick(firm.clients.map((client) => client.id), between(35, 45));
  if (username.startsWith('manager')) {
    const department = username === 'manager1' ? '记账一部' : '记账二部';
    return pick(firm.clients.filter((client) => client.department === department).map((client) => client.id), between(2, 5));
  }
  return [];
}

/** Appends the normal days for every date given, one day per call to the scripted log. */
export async function replayDays(audit: ScriptedAudit, firm: DemoFirm, dates: readonly string[]): Promise<void> {
  for (const [index, date] of dates.entries()) {
    await audit.script(normalDay(firm, date, 1000 + index));
  }
}
