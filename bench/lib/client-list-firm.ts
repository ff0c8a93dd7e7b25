import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { ClientTable, DatabaseSchema, Db } from '../../server/src/db/index.js';

export interface ClientListFirm {
  /** A bookkeeper (scope: assigned clients) with `assignedCount` clients spread over the firm. */
  readonly memberId: string;
  /** A department manager whose department and its two sub-departments hold about `managedCount` clients. */
  readonly managerId: string;
  readonly partnerId: string;
  readonly clientCount: number;
  readonly assignedCount: number;
  readonly managedCount: number;
}

export interface ClientListFirmOptions {
  readonly clientCount: number;
  readonly assignedCount: number;
  readonly managedCount: number;
  readonly seed: number;
}

// Rows per INSERT: 500 rows of 30 columns stay below both databases' bound-parameter limits
// (32,766 in SQLite 3.32 and later, 65,535 in PostgreSQL).
const INSERT_CHUNK = 500;
// The importer stamps every row of one roster with the same instant, so `created_at` has long runs of ties.
const ROWS_PER_IMPORT = 400;
const DEPARTMENT_COUNT = 20;
const CLIENTS_PER_BOOKKEEPER = 300;

const DISTRICTS = ['上海浦东', '上海闵行', '杭州西湖', '苏州工业园区', '南京鼓楼', '宁波鄞州', '无锡滨湖', '合肥蜀山'];
const BRAND_CHARACTERS = [...'恒信华鑫瑞达宏泰锦诚博润盛安嘉德丰海利联明启荣祥新兴旭耀永源远卓智中志众佳金凯康力隆美铭宁鹏奇晟天通万伟翔鸿辉晨创峰航谷'];
const INDUSTRIES = ['贸易', '科技', '餐饮管理', '建筑装饰', '物流', '文化传媒', '电子商务', '咨询服务', '机械设备', '医疗器械'];

/** A small seeded generator (mulberry32), so every run lists the same firm. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Inserts a generated firm for the client list benchmark straight into the tables, in bulk:
 * departments, a bookkeeper for every 300 clients, and clients whose encrypted columns hold fake
 * envelopes of the real shape. The list shows stored masked forms and never decrypts, so the
 * ciphertexts are never opened. Ties are built in: about 3 % of names repeat, `created_at`
 * repeats per simulated import, and 10 % of clients have no service start date.
 */
export async function seedClientListFirm(db: Db, options: ClientListFirmOptions): Promise<ClientListFirm> {
  // One transaction: SQLite commits each statement to the WAL otherwise, which takes minutes here.
  return db.transaction().execute((trx) => seedInTransaction(trx, options));
}

async function seedInTransaction(db: Transaction<DatabaseSchema>, { clientCount, assignedCount, managedCount, seed }: ClientListFirmOptions): Promise<ClientListFirm> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const now = new Date('2026-12-01T08:00:00.000Z');

  // Departments: the firm, a managed department with two sub-departments, and the rest.
  const rootId = randomUUID();
  const managedIds = [randomUUID(), randomUUID(), randomUUID()];
  const otherIds = Array.from({ length: DEPARTMENT_COUNT - managedIds.length }, () => randomUUID());
  await db
    .insertInto('departments')
    .values([
      { id: rootId, name: '事务所', parent_id: null, created_at: now.toISOString() },
      { id: managedIds[0]!, name: '记账一部', parent_id: rootId, created_at: now.toISOString() },
      { id: managedIds[1]!, name: '记账一部一组', parent_id: managedIds[0]!, created_at: now.toISOString() },
      { id: managedIds[2]!, name: '记账一部二组', parent_id: managedIds[0]!, created_at: now.toISOString() },
      ...otherIds.map((id, index) => ({ id, name: `业务${index + 2}部`, parent_id: rootId, created_at: now.toISOString() })),
    ])
    .execute();

  // Clients, in simulated imports. About `managedCount` land in the managed tree; 0.5 % have no department.
  const clientIds: string[] = [];
  let rows: ClientTable[] = [];
  let usedNames: string[] = [];
  for (let index = 0; index < clientCount; index += 1) {
    const id = randomUUID();
    clientIds.push(id);
    const createdAt = new Date(now.getTime() - Math.floor((clientCount - index) / ROWS_PER_IMPORT) * 3_600_000).toISOString();
    const draw = random();
    let departmentId: string | null;
    if (draw < managedCount / clientCount) departmentId = pick(managedIds);
    else if (draw < managedCount / clientCount + 0.005) departmentId = null;
    else departmentId = pick(otherIds);

    // Some names repeat, as branches and renamed companies do in real rosters.
    const name = usedNames.length > 0 && random() < 0.03 ? pick(usedNames) : `${pick(DISTRICTS)}${pick(BRAND_CHARACTERS)}${pick(BRAND_CHARACTERS)}${pick(INDUSTRIES)}有限公司`;
    usedNames.push(name);
    if (usedNames.length > 2_000) usedNames = usedNames.slice(1_000);

    rows.push(fakeClientRow({ id, name, departmentId, createdAt, random, archived: random() < 0.05, withServiceStart: random() >= 0.1 }));
    if (rows.length === INSERT_CHUNK) {
      await db.insertInto('clients').values(rows).execute();
      rows = [];
    }
  }
  if (rows.length > 0) {
    await db.insertInto('clients').values(rows).execute();
  }

  // Staff: the measured member and manager, a partner, and one bookkeeper per 300 other clients.
  const memberId = randomUUID();
  const managerId = randomUUID();
  const partnerId = randomUUID();
  const bookkeeperIds = Array.from({ length: Math.ceil((clientCount - assignedCount) / CLIENTS_PER_BOOKKEEPER) }, () => randomUUID());
  const staff = [
    { id: memberId, username: 'member', departmentId: otherIds[0]!, role: 'bookkeeper' },
    { id: managerId, username: 'manager', departmentId: managedIds[0]!, role: 'department_manager' },
    { id: partnerId, username: 'partner', departmentId: rootId, role: 'partner' },
    ...bookkeeperIds.map((id, index) => ({ id, username: `bookkeeper${index + 1}`, departmentId: pick(otherIds), role: 'bookkeeper' })),
  ];
  for (let start = 0; start < staff.length; start += INSERT_CHUNK / 2) {
    const chunk = staff.slice(start, start + INSERT_CHUNK / 2);
    await db.insertInto('users').values(chunk.map((member) => fakeUserRow(member, now))).execute();
    await db.insertInto('user_roles').values(chunk.map((member) => ({ user_id: member.id, role_key: member.role, created_at: now.toISOString() }))).execute();
  }

  // Every client has one bookkeeper; the member's clients are drawn from the whole firm.
  const shuffled = [...clientIds];
  for (let index = shuffled.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
  }
  const assignments = shuffled.map((clientId, index) => ({
    client_id: clientId,
    user_id: index < assignedCount ? memberId : bookkeeperIds[Math.floor((index - assignedCount) / CLIENTS_PER_BOOKKEEPER)]!,
    created_at: now.toISOString(),
  }));
  for (let start = 0; start < assignments.length; start += INSERT_CHUNK * 2) {
    await db.insertInto('client_assignments').values(assignments.slice(start, start + INSERT_CHUNK * 2)).execute();
  }

  const managed = await db.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('count')).where('department_id', 'in', managedIds).executeTakeFirstOrThrow();
  return { memberId, managerId, partnerId, clientCount, assignedCount, managedCount: Number(managed.count) };
}

function fakeUserRow(member: { id: string; username: string; departmentId: string }, now: Date) {
  return {
    id: member.id,
    username: member.username,
    username_key: member.username,
    display_name: `${member.username} 测试`,
    department_id: member.departmentId,
    client_id: null,
    // No password: these accounts never sign in; the benchmark loads their subject snapshot directly.
    password_hash: null,
    status: 'active' as const,
    failed_logins: 0,
    lockouts: 0,
    locked_until: null,
    last_login_at: null,
    password_changed_at: now.toISOString(),
    created_at: now.toISOString(),
    phone_enc: null,
    phone_masked: null,
    must_change_password: 0,
    email: null,
  };
}

function digits(random: () => number, count: number): string {
  let text = '';
  for (let index = 0; index < count; index += 1) text += Math.floor(random() * 10);
  return text;
}

function base64urlOfLength(random: () => number, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let text = '';
  for (let index = 0; index < length; index += 1) text += alphabet[Math.floor(random() * 64)];
  return text;
}

/** Makes a ciphertext in the envelope's shape (`lg1.a256gcm.<key id>.<version>.<nonce>.<body>.<tag>`) that nothing can open. */
function fakeEnvelope(random: () => number, plaintextLength: number): string {
  return ['lg1', 'a256gcm', '00000000-0000-4000-8000-000000000000', '1', base64urlOfLength(random, 16), base64urlOfLength(random, Math.ceil((plaintextLength * 4) / 3)), base64urlOfLength(random, 22)].join('.');
}

function fakeClientRow({ id, name, departmentId, createdAt, random, archived, withServiceStart }: { id: string; name: string; departmentId: string | null; createdAt: string; random: () => number; archived: boolean; withServiceStart: boolean }): ClientTable {
  const idNumber = `3101${digits(random, 14)}`;
  const phone = `13${digits(random, 9)}`;
  const account = `6222${digits(random, 15)}`;
  const year = 2015 + Math.floor(random() * 12);
  const serviceStart = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-01`;
  return {
    id,
    name,
    name_key: name.normalize('NFKC').toLowerCase(),
    uscc: `91310${digits(random, 12)}${base64urlOfLength(random, 1).toUpperCase()}`,
    taxpayer_type: random() < 0.7 ? '小规模纳税人' : '一般纳税人',
    registered_address: `${name.slice(0, 4)}路${Math.floor(random() * 900) + 100}号`,
    registered_capital: `${[10, 50, 100, 500][Math.floor(random() * 4)]}万元`,
    legal_rep_name: `张${'伟芳娜敏静'[Math.floor(random() * 5)]}`,
    legal_rep_id_number_enc: fakeEnvelope(random, 18),
    legal_rep_id_number_masked: `${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`,
    legal_rep_id_number_bidx: base64urlOfLength(random, 22),
    contact_name: `李${'伟芳娜敏静'[Math.floor(random() * 5)]}`,
    contact_phone_enc: fakeEnvelope(random, 11),
    contact_phone_masked: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
    contact_phone_bidx: base64urlOfLength(random, 22),
    bank_name: '中国工商银行',
    bank_account_enc: fakeEnvelope(random, 19),
    bank_account_masked: `***************${account.slice(-4)}`,
    bank_account_bidx: base64urlOfLength(random, 22),
    tax_bureau: '国家税务总局上海市浦东新区税务局',
    service_start: withServiceStart ? serviceStart : null,
    service_end: null,
    last_year_revenue: String(Math.floor(random() * 5_000_000)),
    notes: null,
    confidential_notes_enc: null,
    confidential_notes_masked: null,
    department_id: departmentId,
    status: archived ? 'archived' : 'active',
    created_at: createdAt,
    updated_at: createdAt,
  };
}
