import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAssignments, insertClientRows, type ClientRow } from '../src/clients/client.repository.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createDepartment, createMember, createTestApp } from './test-app.js';

/**
 * Keyset paging of GET /api/clients, walked over HTTP for every sort in both directions. The
 * expected order comes from one ORDER BY over the same rows in the same database, so the check
 * is valid under either database's collation.
 */

const SORTS = ['name', '-name', 'serviceStart', '-serviceStart', 'createdAt', '-createdAt'] as const;
type Sort = (typeof SORTS)[number];
const COLUMN_OF: Record<string, 'name' | 'service_start' | 'created_at'> = { name: 'name', serviceStart: 'service_start', createdAt: 'created_at' };
// Small pages, so ties and the switch to rows without a value fall inside and across page edges.
const PAGE_SIZE = 4;

interface ListPage {
  items: { id: string; name: string; status: string; fields: Record<string, { value: string | null } | undefined> }[];
  total: number | null;
  nextCursor: string | null;
  previousCursor: string | null;
}

let app: TestApp;
let departments: { firm: string; one: string; oneSub: string; two: string };
let bookkeeperId: string;
const sessions = new Map<string, TestSession>();

beforeAll(async () => {
  app = await createTestApp();
  const firm = await createDepartment(app, '测试事务所');
  const one = await createDepartment(app, '记账一部', firm);
  const oneSub = await createDepartment(app, '记账一部一组', one);
  const two = await createDepartment(app, '记账二部', firm);
  departments = { firm, one, oneSub, two };
  await createMember(app, { username: 'manager', roles: ['department_manager'], departmentId: one });
  await createMember(app, { username: 'partner', roles: ['partner'], departmentId: firm });
  await createMember(app, { username: 'other', roles: ['bookkeeper'], departmentId: two });
  bookkeeperId = (await createMember(app, { username: 'bookkeeper', roles: ['bookkeeper'], departmentId: two })).id;

  await insertClientRows(app.db, buildClients());
  const all = await app.db.selectFrom('clients').select('id').orderBy('uscc').execute();
  // Every third client, across departments and statuses.
  await insertAssignments(app.db, all.filter((_, index) => index % 3 === 0).map((row) => ({ clientId: row.id, userId: bookkeeperId })));
});

afterAll(async () => {
  await app.dispose();
});

/**
 * 46 clients with ties built in: four share one name and four another, `created_at` repeats
 * in batches of ten as an import stamps them, about a third have no service start date and
 * every eighth starts on the same day, and every fifth client is archived.
 */
function buildClients(): ClientRow[] {
  const departmentCycle = [departments.one, departments.oneSub, departments.two, null];
  return Array.from({ length: 46 }, (_, index) => {
    let name = `客户${String.fromCharCode(0x4e00 + ((index * 37) % 97))}有限公司`;
    if (index % 11 === 0) name = '同名贸易有限公司';
    if (index % 13 === 5) name = '重名科技有限公司';
    let serviceStart: string | null = `20${String(15 + (index % 7)).padStart(2, '0')}-0${1 + (index % 9)}-01`;
    if (index % 3 === 1) serviceStart = null;
    if (index % 8 === 0) serviceStart = '2020-01-01';
    const createdAt = new Date(Date.UTC(2026, 0, 1 + Math.floor(index / 10))).toISOString();
    return clientRow({ name, serviceStart, createdAt, departmentId: departmentCycle[index % 4]!, archived: index % 5 === 4, uscc: `91310000${String(index).padStart(9, '0')}X` });
  });
}

function clientRow({ name, serviceStart, createdAt, departmentId, archived, uscc }: { name: string; serviceStart: string | null; createdAt: string; departmentId: string | null; archived: boolean; uscc: string }): ClientRow {
  return {
    id: randomUUID(),
    name,
    name_key: name.toLowerCase(),
    uscc,
    taxpayer_type: null,
    registered_address: null,
    registered_capital: null,
    legal_rep_name: null,
    legal_rep_id_number_enc: null,
    legal_rep_id_number_masked: null,
    legal_rep_id_number_bidx: null,
    contact_name: null,
    contact_phone_enc: null,
    contact_phone_masked: null,
    contact_phone_bidx: null,
    bank_name: null,
    bank_account_enc: null,
    bank_account_masked: null,
    bank_account_bidx: null,
    tax_bureau: null,
    service_start: serviceStart,
    service_end: null,
    last_year_revenue: null,
    notes: null,
    confidential_notes_enc: null,
    confidential_notes_masked: null,
    department_id: departmentId,
    status: archived ? 'archived' : 'active',
    created_at: createdAt,
    updated_at: createdAt,
  };
}

async function signIn(username: string): Promise<TestSession> {
  let session = sessions.get(username);
  if (!session) {
    session = await TestSession.signIn(app.app, username, TEST_PASSWORD);
    sessions.set(username, session);
  }
  return session;
}

async function getPage(session: TestSession, query: string): Promise<ListPage> {
  const response = await session.get(`/api/clients?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as ListPage;
}

/** Queries the ids a member may list, in the order of one ORDER BY in the database. */
async function expectedIds(username: string, sort: Sort, status: 'active' | 'archived'): Promise<string[]> {
  const descending = sort.startsWith('-');
  const column = COLUMN_OF[descending ? sort.slice(1) : sort]!;
  const direction = descending ? sql`desc` : sql`asc`;
  let query = app.db.selectFrom('clients').select('id').where('status', '=', status);
  if (username === 'manager') query = query.where('department_id', 'in', [departments.one, departments.oneSub]);
  if (username === 'bookkeeper') query = query.where('id', 'in', (eb) => eb.selectFrom('client_assignments').select('client_id').where('user_id', '=', bookkeeperId));
  const rows = await query
    .orderBy(sql`case when ${sql.ref(column)} is null then 1 else 0 end`)
    .orderBy(sql`${sql.ref(column)} ${direction}`)
    .orderBy(sql`id ${direction}`)
    .execute();
  return rows.map((row) => row.id);
}

async function walkForward(session: TestSession, base: string): Promise<{ ids: string[]; pages: ListPage[] }> {
  const pages = [await getPage(session, base)];
  while (pages[pages.length - 1]!.nextCursor !== null) {
    pages.push(await getPage(session, `${base}&cursor=${encodeURIComponent(pages[pages.length - 1]!.nextCursor!)}`));
    expect(pages.length).toBeLessThan(100);
  }
  return { ids: pages.flatMap((page) => page.items.map((item) => item.id)), pages };
}

async function walkBackward(session: TestSession, base: string): Promise<{ ids: string[]; pages: ListPage[] }> {
  const pages = [await getPage(session, `${base}&page=last`)];
  while (pages[0]!.previousCursor !== null) {
    pages.unshift(await getPage(session, `${base}&cursor=${encodeURIComponent(pages[0]!.previousCursor!)}`));
    expect(pages.length).toBeLessThan(100);
  }
  return { ids: pages.flatMap((page) => page.items.map((item) => item.id)), pages };
}

describe('client list keyset paging', () => {
  it('fixture has ties and rows without a service start', async () => {
    const names = await app.db.selectFrom('clients').select('name').where('name', '=', '同名贸易有限公司').execute();
    const empty = await app.db.selectFrom('clients').select('id').where('service_start', 'is', null).where('status', '=', 'active').execute();
    const sameDay = await app.db.selectFrom('clients').select('id').where('created_at', '=', new Date(Date.UTC(2026, 0, 1)).toISOString()).execute();

    expect(names.length).toBeGreaterThan(2);
    expect(empty.length).toBeGreaterThan(PAGE_SIZE);
    expect(sameDay.length).toBeGreaterThan(PAGE_SIZE);
  });

  for (const username of ['partner', 'manager', 'bookkeeper']) {
    for (const sort of SORTS) {
      it(`${username} walks ${sort} forward and back`, async () => {
        const session = await signIn(username);
        const base = `pageSize=${PAGE_SIZE}&sort=${encodeURIComponent(sort)}`;
        const expected = await expectedIds(username, sort, 'active');

        const forward = await walkForward(session, base);
        const backward = await walkBackward(session, base);

        expect(expected.length).toBeGreaterThan(PAGE_SIZE * 2);
        expect(forward.ids).toEqual(expected);
        expect(backward.ids).toEqual(expected);
        expect(forward.pages[0]!.previousCursor).toBeNull();
        expect(backward.pages[backward.pages.length - 1]!.nextCursor).toBeNull();
        // Every page but the first one read backwards is full.
        expect(forward.pages.slice(0, -1).every((page) => page.items.length === PAGE_SIZE)).toBe(true);
        expect(backward.pages.slice(1).every((page) => page.items.length === PAGE_SIZE)).toBe(true);
      });
    }
  }

  it('puts clients without a service start last in both directions', async () => {
    const session = await signIn('partner');

    for (const sort of ['serviceStart', '-serviceStart']) {
      const { pages } = await walkForward(session, `pageSize=${PAGE_SIZE}&sort=${sort}`);
      const starts = pages.flatMap((page) => page.items.map((item) => item.fields.serviceStart?.value ?? null));
      const firstEmpty = starts.indexOf(null);

      expect(firstEmpty, sort).toBeGreaterThan(0);
      expect(starts.slice(firstEmpty).every((value) => value === null), sort).toBe(true);
    }
  });

  it('pages back from a middle page to the same rows', async () => {
    const session = await signIn('partner');
    const base = `pageSize=${PAGE_SIZE}&sort=serviceStart`;
    const first = await getPage(session, base);
    const second = await getPage(session, `${base}&cursor=${encodeURIComponent(first.nextCursor!)}`);

    const back = await getPage(session, `${base}&cursor=${encodeURIComponent(second.previousCursor!)}`);

    expect(back.items.map((item) => item.id)).toEqual(first.items.map((item) => item.id));
    expect(back.previousCursor).toBeNull();
  });

  it('walks archived clients only when asked', async () => {
    for (const username of ['partner', 'manager', 'bookkeeper']) {
      const session = await signIn(username);
      const expected = await expectedIds(username, '-createdAt', 'archived');

      const forward = await walkForward(session, `pageSize=${PAGE_SIZE}&sort=-createdAt&status=archived`);
      const backward = await walkBackward(session, `pageSize=${PAGE_SIZE}&sort=-createdAt&status=archived`);

      expect(expected.length, username).toBeGreaterThan(0);
      expect(forward.ids, username).toEqual(expected);
      expect(backward.ids, username).toEqual(expected);
      expect(forward.pages.flatMap((page) => page.items).every((item) => item.status === 'archived'), username).toBe(true);
    }
  });

  it('counts on pages without a cursor or when asked', async () => {
    const session = await signIn('manager');
    const base = `pageSize=${PAGE_SIZE}&sort=name`;
    const expected = (await expectedIds('manager', 'name', 'active')).length;

    const first = await getPage(session, base);
    const next = await getPage(session, `${base}&cursor=${encodeURIComponent(first.nextCursor!)}`);
    const nextCounted = await getPage(session, `${base}&withTotal=true&cursor=${encodeURIComponent(first.nextCursor!)}`);
    const last = await getPage(session, `${base}&page=last`);
    const firstUncounted = await getPage(session, `${base}&withTotal=false`);

    expect(first.total).toBe(expected);
    expect(next.total).toBeNull();
    expect(nextCounted.total).toBe(expected);
    expect(last.total).toBe(expected);
    expect(firstUncounted.total).toBeNull();
  });

  it('keeps the client name out of the cursor', async () => {
    const session = await signIn('partner');
    const first = await getPage(session, 'pageSize=1&sort=name');
    const name = first.items[0]!.name;
    const cursor = first.nextCursor!;

    const decoded = Buffer.from(cursor.slice(cursor.indexOf('.') + 1), 'base64url');

    expect(cursor).not.toContain(first.items[0]!.id);
    expect(decoded.includes(Buffer.from(name, 'utf8'))).toBe(false);
    expect(decoded.includes(Buffer.from(first.items[0]!.id, 'utf8'))).toBe(false);
  });
});

describe('client list cursor rejection', () => {
  async function nextCursorOf(username: string, sort: Sort): Promise<string> {
    const page = await getPage(await signIn(username), `pageSize=${PAGE_SIZE}&sort=${sort}`);
    expect(page.nextCursor).not.toBeNull();
    return page.nextCursor!;
  }

  async function expectCursorInvalid(session: TestSession, query: string): Promise<void> {
    const response = await session.get(`/api/clients?${query}`);
    expect(response.statusCode, query).toBe(400);
    expect(response.json(), query).toMatchObject({ code: 'cursor_invalid', issues: [{ path: 'cursor' }] });
    expect(response.body, query).not.toMatch(/select|sqlite|stack|at \w+ \(/i);
  }

  it('rejects a changed cursor', async () => {
    const session = await signIn('partner');
    const cursor = await nextCursorOf('partner', 'name');
    const bytes = Buffer.from(cursor.slice(3), 'base64url');

    for (const position of [0, 12, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[position] = changed[position]! ^ 0x01;
      await expectCursorInvalid(session, `sort=name&cursor=${encodeURIComponent(`c1.${changed.toString('base64url')}`)}`);
    }
  });

  it('rejects made-up and malformed cursors', async () => {
    const session = await signIn('partner');
    const madeUp = [
      'c1.',
      'c1.AAAA',
      `c1.${Buffer.alloc(64).toString('base64url')}`,
      `c1.${Buffer.from(JSON.stringify(['a', '', '00000000-0000-0000-0000-000000000000'])).toString('base64url')}`,
      Buffer.from(JSON.stringify({ value: 'A', id: 'x' })).toString('base64url'),
      'c1.not base64!',
      'c2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      "' or 1=1 --",
    ];

    for (const cursor of madeUp) {
      await expectCursorInvalid(session, `sort=name&cursor=${encodeURIComponent(cursor)}`);
    }
  });

  it('rejects a cursor of another user', async () => {
    const cursor = await nextCursorOf('partner', 'name');

    await expectCursorInvalid(await signIn('manager'), `sort=name&cursor=${encodeURIComponent(cursor)}`);
  });

  it('rejects a cursor of another sort', async () => {
    const session = await signIn('partner');
    const cursor = await nextCursorOf('partner', 'name');

    await expectCursorInvalid(session, `sort=-name&cursor=${encodeURIComponent(cursor)}`);
    await expectCursorInvalid(session, `sort=createdAt&cursor=${encodeURIComponent(cursor)}`);
  });

  it('explains the rejection in both languages', async () => {
    const session = await signIn('partner');

    session.locale = 'en-US';
    const english = await session.get('/api/clients?cursor=c1.AAAA');
    session.locale = 'zh-CN';
    const chinese = await session.get('/api/clients?cursor=c1.AAAA');

    expect((english.json() as { message: string }).message).toMatch(/page cursor is invalid/);
    expect((chinese.json() as { message: string }).message).toMatch(/分页位置无效/);
  });

  it('rejects an oversized cursor and a cursor with page=last', async () => {
    const session = await signIn('partner');
    const cursor = await nextCursorOf('partner', 'name');

    const oversized = await session.get(`/api/clients?cursor=c1.${'A'.repeat(3000)}`);
    const both = await session.get(`/api/clients?sort=name&page=last&cursor=${encodeURIComponent(cursor)}`);

    expect(oversized.statusCode).toBe(400);
    expect(oversized.json()).toMatchObject({ code: 'validation_failed', issues: [{ path: 'cursor' }] });
    expect(both.statusCode).toBe(400);
    expect(both.json()).toMatchObject({ code: 'validation_failed', issues: [{ path: 'page' }] });
  });
});
