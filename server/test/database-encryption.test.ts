import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { testConfig } from '../src/config/config.js';
import { deriveServiceKey } from '../src/crypto/index.js';
import { type DatabaseHandle, openDatabase } from '../src/db/index.js';
import { DatabaseKeyMismatchError } from '../src/db/sqlite-cipher.js';
import { generateClients } from '../src/demo/demo.data.js';
import { runDemo } from '../src/demo/demo.setup.js';
import { DEMO_ACCOUNTS, DEMO_ASSIGNEES, DEMO_DEPARTMENTS, DEMO_FIRM } from '../src/demo/demo.staff.js';
import { composeApplication } from '../src/main/compose.js';
import { createSmallFirm } from './firm-fixture.js';
import { readSqliteFileBytes } from './sqlite-inspection.js';
import { type TestApp, createMember, createTestApp } from './test-app.js';

const PLAIN_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startApp(): Promise<TestApp> {
  const app = await createTestApp();
  cleanups.push(() => app.dispose());
  return app;
}

/** Creates an empty data folder, removed after the test, for a plain database written by the test. */
function plainDataFolder(): { dataDir: string; file: string } {
  const dataDir = testConfig().dataDir;
  mkdirSync(dataDir, { recursive: true });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return { dataDir, file: path.join(dataDir, 'ledgerguard.db') };
}

function openKeyed(dataDir: string, key: Buffer, options: { keepPlainSqliteCopy?: boolean } = {}): DatabaseHandle {
  const handle = openDatabase({ databaseUrl: undefined, dataDir, sqliteKey: key, ...options });
  cleanups.push(() => handle.close().catch(() => undefined));
  return handle;
}

function expectAbsent(bytes: Buffer, values: readonly string[], where: string): void {
  for (const value of values) {
    expect(bytes.includes(Buffer.from(value, 'utf8')), `${where} contains "${value}" in plaintext`).toBe(false);
  }
}

/** Writes rows into a plain WAL database and copies it while the rows are still only in the WAL, as after a crash. */
function writePlainDatabaseWithPendingWal(file: string, names: readonly string[]): void {
  const source = `${file}.source`;
  const connection = new SqliteDatabase(source);
  connection.pragma('journal_mode = WAL');
  connection.pragma('wal_autocheckpoint = 0');
  connection.exec('create table people (id integer primary key, name text not null)');
  const insert = connection.prepare('insert into people (name) values (?)');
  for (const name of names) insert.run(name);

  copyFileSync(source, file);
  copyFileSync(`${source}-wal`, `${file}-wal`);
  connection.close();
  rmSync(source, { force: true });
}

async function namesIn(handle: DatabaseHandle): Promise<string[]> {
  const result = await sql<{ name: string }>`select name from people order by id`.execute(handle.db);
  return result.rows.map((row) => row.name);
}

describe.skipIf(onPostgres)('encrypted SQLite file', () => {
  it('fresh file and WAL hold no plaintext', async () => {
    const app = await startApp();
    const firm = await createSmallFirm(app, { clientCount: 5 });
    await createMember(app, { username: 'wang.kuaiji.encryption', roles: ['bookkeeper'] });
    const file = app.database.sqliteFile!;

    const { main, wal } = readSqliteFileBytes(file);
    const known = [...firm.generated.flatMap(({ client }) => [client.name, client.uscc]), 'wang.kuaiji.encryption', '测试事务所'];

    expect(main.subarray(0, PLAIN_HEADER.length).equals(PLAIN_HEADER)).toBe(false);
    expect(wal.length, 'the WAL should hold recent pages when read').toBeGreaterThan(0);
    expectAbsent(main, known, 'database file');
    expectAbsent(wal, known, 'WAL file');
    const stored = await app.db.selectFrom('clients').select('name').execute();
    expect(stored.map((row) => row.name).sort()).toEqual(firm.generated.map(({ client }) => client.name).sort());
  });

  it('plain database with pending WAL converts', async () => {
    const { dataDir, file } = plainDataFolder();
    const names = Array.from({ length: 200 }, (_, index) => `张三丰-plain-row-${index}`);
    writePlainDatabaseWithPendingWal(file, names);
    const key = randomBytes(32);

    const handle = openKeyed(dataDir, key);

    expect(await namesIn(handle)).toEqual(names);
    await handle.close();
    expect(readFileSync(file).subarray(0, 16).equals(PLAIN_HEADER)).toBe(false);
    expectAbsent(readFileSync(file), names.slice(0, 5), 'converted file');
    expect(readdirSync(dataDir).filter((name) => name.includes('.plain-') || name.endsWith('.encrypting'))).toEqual([]);
    expect(await namesIn(openKeyed(dataDir, key))).toEqual(names);
  });

  it('application database converts keeping every row', async () => {
    const app = await createTestApp();
    cleanups.push(() => rmSync(app.config.dataDir, { recursive: true, force: true }));
    const firm = await createSmallFirm(app, { clientCount: 5 });
    const file = app.database.sqliteFile!;
    await app.close();
    decryptInPlace(file, deriveServiceKey(app.keyring, 'sqlite-database'));
    expect(readFileSync(file).subarray(0, 16).equals(PLAIN_HEADER)).toBe(true);

    const reopened = await composeApplication(app.config, { keyring: app.keyring, logger: pino({ level: 'silent' }) });
    cleanups.push(() => reopened.close());

    expect(readFileSync(file).subarray(0, 16).equals(PLAIN_HEADER)).toBe(false);
    const clients = await reopened.db.selectFrom('clients').select(['name', 'uscc']).execute();
    expect(clients.map((client) => client.uscc).sort()).toEqual(firm.generated.map(({ client }) => client.uscc).sort());
    expect(await reopened.db.selectFrom('users').select('username').where('username', '=', 'bk1').execute()).toHaveLength(1);
    expect((await reopened.audit.verify()).intact).toBe(true);
  });

  it('interrupted conversion restarts from the plain file', async () => {
    const { dataDir, file } = plainDataFolder();
    const names = ['李四-interrupted-1', '李四-interrupted-2'];
    writePlainDatabaseWithPendingWal(file, names);
    // A crash before the rename leaves a half-written copy beside the untouched plain file.
    writeFileSync(`${file}.encrypting`, readFileSync(file).subarray(0, 1024));
    writeFileSync(`${file}.encrypting-journal`, Buffer.from('SQLite format 3\0 leftover journal'));
    const key = randomBytes(32);

    const handle = openKeyed(dataDir, key);

    expect(await namesIn(handle)).toEqual(names);
    expect(existsSync(`${file}.encrypting`)).toBe(false);
    expect(existsSync(`${file}.encrypting-journal`)).toBe(false);
    expect(readFileSync(file).subarray(0, 16).equals(PLAIN_HEADER)).toBe(false);
  });

  it('keeps a plain copy only when asked', async () => {
    const { dataDir, file } = plainDataFolder();
    writePlainDatabaseWithPendingWal(file, ['王五-copy']);

    await openKeyed(dataDir, randomBytes(32), { keepPlainSqliteCopy: true }).close();

    const copies = readdirSync(dataDir).filter((name) => name.startsWith('ledgerguard.db.plain-'));
    expect(copies).toHaveLength(1);
    const copy = path.join(dataDir, copies[0]!);
    expect(readFileSync(copy).subarray(0, 16).equals(PLAIN_HEADER)).toBe(true);
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    expect(readFileSync(copy).includes(Buffer.from('王五-copy'))).toBe(true);
  });

  it('wrong key fails clearly and changes nothing', async () => {
    const { dataDir, file } = plainDataFolder();
    const key = randomBytes(32);
    const handle = openKeyed(dataDir, key);
    await sql`create table people (id integer primary key, name text not null)`.execute(handle.db);
    await sql`insert into people (name) values (${'赵六-wrong-key'})`.execute(handle.db);
    await handle.close();
    const before = readFileSync(file);

    const attempt = () => openDatabase({ databaseUrl: undefined, dataDir, sqliteKey: randomBytes(32) });

    expect(attempt).toThrow(DatabaseKeyMismatchError);
    expect(attempt).toThrow(/the key file does not match this database/i);
    expect(attempt).toThrow(/密钥文件与此数据库不匹配/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(await namesIn(openKeyed(dataDir, key))).toEqual(['赵六-wrong-key']);
  });

  it('missing key is rejected before opening', () => {
    const { dataDir } = plainDataFolder();

    expect(() => openDatabase({ databaseUrl: undefined, dataDir })).toThrow(/needs its key/);
    expect(existsSync(path.join(dataDir, 'ledgerguard.db'))).toBe(false);
  });

  it('demo database holds no plaintext demo values', async () => {
    const app = await startApp();
    const clientCount = 20;
    const status = await runDemo(app.config, { reset: false, clientCount, keyring: app.keyring });
    expect(status).toBe(0);

    const generated = generateClients({ count: clientCount, seed: 20261204, departments: ['记账一部', '记账二部', '税务部'], assigneesByDepartment: DEMO_ASSIGNEES });
    const known = [
      DEMO_FIRM,
      ...DEMO_DEPARTMENTS,
      ...DEMO_ACCOUNTS.flatMap((account) => [account.username, account.displayName]),
      ...generated.flatMap(({ client }) => [client.name, client.uscc]),
    ];
    const { main, wal } = readSqliteFileBytes(app.database.sqliteFile!);

    expect(main.subarray(0, 16).equals(PLAIN_HEADER)).toBe(false);
    expectAbsent(main, known, 'database file');
    expectAbsent(wal, known, 'WAL file');
    const names = await app.db.selectFrom('clients').select('name').execute();
    expect(names.map((row) => row.name)).toContain(generated[0]!.client.name);
  });
});

/** Turns an encrypted file back into a plain one, as the database was before encryption existed. */
function decryptInPlace(file: string, key: Buffer): void {
  const connection = new SqliteDatabase(file);
  connection.pragma(`cipher = 'sqlcipher'`);
  connection.pragma('legacy = 4');
  connection.pragma(`key = "x'${key.toString('hex')}'"`);
  connection.pragma('journal_mode = DELETE');
  connection.pragma(`rekey = ''`);
  connection.pragma('journal_mode = WAL');
  connection.close();
}
