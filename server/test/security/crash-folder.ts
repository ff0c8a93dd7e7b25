import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { testConfig } from '../../src/config/config.js';
import { deriveServiceKey, loadOrCreateKeyFile } from '../../src/crypto/index.js';
import { type DatabaseHandle, openDatabase } from '../../src/db/index.js';
import type { GeneratedClient } from '../../src/demo/demo.data.js';
import { type Application, composeApplication } from '../../src/main/compose.js';

/**
 * The data folder (and, with TEST_DATABASE_URL, the PostgreSQL schema) that the crash test's
 * children and its checking instances share. The schema name starts with `kill_`, so the next
 * run's global set-up drops it.
 */
export interface CrashFolder {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly schema: string | undefined;
}

export async function createCrashFolder(): Promise<CrashFolder> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lg-crash-'));
  const databaseUrl = process.env.TEST_DATABASE_URL || undefined;
  const schema = databaseUrl ? `kill_crash_${randomBytes(5).toString('hex')}` : undefined;
  if (databaseUrl && schema) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(`create schema ${schema}`);
    } finally {
      await client.end();
    }
  }
  return { dataDir, databaseUrl, schema };
}

export async function removeCrashFolder(folder: CrashFolder): Promise<void> {
  await rm(folder.dataDir, { recursive: true, force: true });
}

/**
 * Opens a fresh instance of the application on the folder, as a restarted server would: the key
 * file and the audit signing keys come from the folder, and interrupted imports are marked as
 * such while it starts. Background work stays off, so the test drives every step.
 */
export async function openInstance(folder: CrashFolder): Promise<Application> {
  const config = testConfig({ dataDir: folder.dataDir, databaseUrl: folder.databaseUrl, databaseSchema: folder.schema, databasePoolSize: 4 });
  const keyring = loadOrCreateKeyFile(path.join(folder.dataDir, 'keys', 'keyring.json'));
  return composeApplication(config, { keyring, logger: pino({ level: 'silent' }) });
}

export async function withInstance<T>(folder: CrashFolder, run: (instance: Application) => Promise<T>): Promise<T> {
  const instance = await openInstance(folder);
  try {
    return await run(instance);
  } finally {
    await instance.close();
  }
}

/**
 * Opens a second connection to the folder's database without the application around it, to watch
 * a child's progress while it runs. The test only reads through it.
 */
export function openWatcher(folder: CrashFolder): DatabaseHandle {
  const keyring = loadOrCreateKeyFile(path.join(folder.dataDir, 'keys', 'keyring.json'));
  return openDatabase({ databaseUrl: folder.databaseUrl, dataDir: folder.dataDir, postgresSchema: folder.schema, poolSize: 1, sqliteKey: deriveServiceKey(keyring, 'sqlite-database') });
}

const ROSTER_HEADER = ['客户名称', '统一社会信用代码', '法定代表人', '法定代表人身份证号', '联系人', '联系电话', '开户银行', '银行账号', '保密备注', '所属部门', '负责会计'];

function csvCell(value: string | undefined): string {
  return `"${(value ?? '').replace(/"/g, '""')}"`;
}

/** Writes generated clients as a plain CSV roster, which the child parses faster than a workbook. */
export async function writeRosterCsv(rows: readonly GeneratedClient[], file: string): Promise<void> {
  const lines = rows.map(({ client, department, assignees }) =>
    [client.name, client.uscc, client.legalRepName, client.legalRepIdNumber, client.contactName, client.contactPhone, client.bankName, client.bankAccount, client.confidentialNotes, department, assignees.join('、')].map(csvCell).join(','),
  );
  await writeFile(file, `${[ROSTER_HEADER.map(csvCell).join(','), ...lines].join('\r\n')}\r\n`);
}

/** A session cookie and its CSRF token, usable against any instance on the same data. */
export interface SessionCredentials {
  readonly cookie: string;
  readonly csrfToken: string;
}

/**
 * Signs a member in through an instance's HTTP routes and returns the session cookie with its
 * CSRF token. Sessions live in the database, so a child server on the same data accepts them
 * without a sign-in of its own.
 */
export async function signInForChild(instance: Application, username: string, password: string): Promise<SessionCredentials> {
  // The login route needs a CSRF token bound to a pre-session cookie, as the web app fetches it.
  const pre = await instance.app.inject({ method: 'GET', url: '/api/auth/csrf' });
  const preCookie = pre.cookies.find((cookie) => cookie.name === 'lg_pre')!;
  const preToken = (pre.json() as { token: string }).token;
  const signedIn = await instance.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    headers: { cookie: `${preCookie.name}=${preCookie.value}`, 'x-csrf-token': preToken },
  });
  const session = signedIn.cookies.find((cookie) => cookie.name === 'lg_session');
  if (signedIn.statusCode !== 200 || !session) {
    throw new Error(`Sign-in of ${username} failed with status ${signedIn.statusCode}`);
  }

  const cookie = `lg_session=${session.value}`;
  const csrf = await instance.app.inject({ method: 'GET', url: '/api/auth/csrf', headers: { cookie } });
  return { cookie, csrfToken: (csrf.json() as { token: string }).token };
}
