import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import type { RoleKey } from '../../src/access/index.js';
import { testConfig } from '../../src/config/config.js';
import { loadOrCreateKeyFile } from '../../src/crypto/index.js';
import { hashPassword, insertUser, usernameKey } from '../../src/identity/index.js';
import { type Application, composeApplication } from '../../src/main/compose.js';
import { createLogger } from '../../src/main/logger.js';

/**
 * Starts the application as production builds it, with the production logger at its most verbose
 * level writing into `logLines`, a second factor required at sign-in and before reveals, and a
 * real listener on 127.0.0.1. The database is SQLite in a private folder, or a private schema of
 * TEST_DATABASE_URL.
 */
export async function startDayApp() {
  const databaseUrl = process.env.TEST_DATABASE_URL || undefined;
  const schema = databaseUrl ? `t_day_${randomBytes(5).toString('hex')}` : undefined;
  if (databaseUrl && schema) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  }

  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const config = testConfig({ databaseUrl, databaseSchema: schema, logLevel: 'trace', mfa: { required: true, stepUpRequired: true, stepUpMinutes: 5, trustedDeviceDays: 30 } });
  const keyring = loadOrCreateKeyFile(path.join(config.dataDir, 'keys', 'keyring.json'));
  const application = await composeApplication(config, { keyring, logger: createLogger('trace', sink) });
  await application.app.listen({ host: '127.0.0.1', port: 0 });
  const address = application.app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    application,
    keyring,
    logLines,
    baseUrl,
    async dispose(): Promise<void> {
      await application.close().catch(() => undefined);
      await rm(config.dataDir, { recursive: true, force: true });
    },
  };
}

export type DayApp = Awaited<ReturnType<typeof startDayApp>>;

/** Creates a member with a password of their own, because no HTTP route creates staff accounts. */
export async function createStaff(application: Application, { username, displayName, roles, departmentId, password }: { username: string; displayName: string; roles: RoleKey[]; departmentId: string | null; password: string }): Promise<string> {
  const id = randomUUID();
  await insertUser(application.db, { id, username, usernameKey: usernameKey(username), displayName, departmentId, clientId: null, passwordHash: await hashPassword(password), roles });
  return id;
}

/** Returns a random password that the policy accepts (long, several character classes, no name in it). */
export function dayPassword(): string {
  return `${randomBytes(12).toString('base64url')}-7q!K`;
}
