import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import type { RoleKey } from '../src/access/index.js';
import { type AppConfig, testConfig } from '../src/config/config.js';
import { deriveServiceKey, loadOrCreateKeyFile } from '../src/crypto/index.js';
import { openDatabase } from '../src/db/index.js';
import { hashPassword, insertUser, usernameKey } from '../src/identity/index.js';
import { type Application, composeApplication } from '../src/main/compose.js';

/**
 * Builds the application graph against a fresh database: a private SQLite file by default, or a
 * private schema on the PostgreSQL server named by TEST_DATABASE_URL. Log lines are collected in
 * `logLines` so tests can check that no secret reaches them.
 */
export async function createTestApp(overrides: Partial<AppConfig> = {}, { webRoot }: { webRoot?: string } = {}) {
  const databaseUrl = process.env.TEST_DATABASE_URL || undefined;
  const schema = databaseUrl ? `t_${randomBytes(6).toString('hex')}` : undefined;
  if (databaseUrl && schema) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  }

  const logLines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const config = testConfig({ databaseUrl, databaseSchema: schema, ...overrides });
  // The key file sits where the command line looks for it (DATA_DIR/keys), so a CLI child process
  // or a restart over the same data folder opens the encrypted SQLite file with the same key.
  const keyring = loadOrCreateKeyFile(path.join(config.dataDir, 'keys', 'keyring.json'));
  const application = await composeApplication(config, { keyring, logger, ...(webRoot ? { webRoot } : {}) });

  return {
    ...application,
    logLines,
    /** The keys from the data folder's key file; the demo and second connections need them to open the encrypted SQLite file. */
    keyring,
    /** Opens another connection (pool) to the same database, keyed like the application's own. */
    openAnotherDatabase({ poolSize }: { poolSize?: number } = {}) {
      return openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, postgresSchema: config.databaseSchema, ...(poolSize ? { poolSize } : {}), sqliteKey: deriveServiceKey(keyring, 'sqlite-database') });
    },
    async dispose(): Promise<void> {
      await application.close();
      await rm(config.dataDir, { recursive: true, force: true });
      // The schema stays until the next run's global set-up drops it; see global-setup.ts.
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

export const TEST_PASSWORD = 'Test-Password-2026!';
let cachedHash: Promise<string> | undefined;

export async function createDepartment(app: Application, name: string, parentId: string | null = null): Promise<string> {
  const id = randomUUID();
  await app.db.insertInto('departments').values({ id, name, parent_id: parentId, created_at: new Date().toISOString() }).execute();
  return id;
}

/** Creates a member with the given roles; all test members share TEST_PASSWORD. */
export async function createMember(app: Application, { username, roles, departmentId = null, clientId = null }: { username: string; roles: RoleKey[]; departmentId?: string | null; clientId?: string | null }) {
  cachedHash ??= hashPassword(TEST_PASSWORD);
  const id = randomUUID();
  await insertUser(app.db, { id, username, usernameKey: usernameKey(username), displayName: `${username} 测试`, departmentId, clientId, passwordHash: await cachedHash, roles });
  return { id, username };
}

export const makeBookkeeper = (app: Application, username: string, departmentId: string | null) => createMember(app, { username, roles: ['bookkeeper'], departmentId });
export const makeAuditAdmin = (app: Application, username = 'auditor') => createMember(app, { username, roles: ['audit_admin'] });
