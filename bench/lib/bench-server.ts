/**
 * A LedgerGuard server for the browser benchmarks: the real application graph on a fresh
 * embedded SQLite database in a temporary folder, serving the built web app on 127.0.0.1, with
 * a small firm of departments, staff and imported clients. Sign-in needs no second factor, as in
 * the end-to-end tests, so a benchmark can sign in through the login form.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RoleKey } from '../../server/src/access/index.js';
import { type AppConfig, testConfig } from '../../server/src/config/config.js';
import { loadOrCreateKeyFile } from '../../server/src/crypto/index.js';
import { generateClients, writeRosterWorkbook } from '../../server/src/demo/demo.data.js';
import { hashPassword, insertUser, usernameKey } from '../../server/src/identity/index.js';
import { type Application, composeApplication } from '../../server/src/main/compose.js';

export const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));

/** Password of every benchmark member; the database lives only as long as the benchmark. */
export const BENCH_PASSWORD = 'Bench-Password-2026!';

export interface BenchServer {
  readonly app: Application;
  readonly baseUrl: string;
  close(): Promise<void>;
}

/**
 * Builds the web app when it is missing or older than its sources, as `npm test` does first, so
 * a browser benchmark never measures a stale build. Throws when the build fails.
 */
export function ensureWebAppBuilt(): void {
  const result = spawnSync(process.execPath, [fileURLToPath(new URL('../../scripts/build-web.mjs', import.meta.url))], { stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(path.join(WEB_ROOT, 'index.html'))) {
    throw new Error(`Building the web app failed (exit code ${result.status}); run npm run build:web to see why`);
  }
}

/**
 * Builds the application on a fresh SQLite database and listens on 127.0.0.1 at a free port.
 * Background work (detector, deliveries) starts only when the caller calls `app.background.start()`.
 */
export async function startBenchServer(overrides: Partial<AppConfig> = {}): Promise<BenchServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lg-bench-server-'));
  const config = testConfig({ dataDir, serveWeb: true, ...overrides });
  const keyring = loadOrCreateKeyFile(path.join(dataDir, 'keys', 'keyring.json'));
  const app = await composeApplication(config, { keyring, webRoot: WEB_ROOT });
  await app.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.app.server.address() as AddressInfo;

  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BenchFirm {
  /** Member ids by username. */
  readonly members: ReadonlyMap<string, string>;
  readonly clientIds: readonly string[];
}

export interface BenchFirmOptions {
  readonly clientCount: number;
  /** Usernames of bookkeepers in the firm's one bookkeeping department; the roster names the first one as assignee. */
  readonly bookkeepers: readonly string[];
}

/**
 * Creates a firm: a root and a bookkeeping department, one member per administrative role
 * (`secadmin`, `auditor`, `sysadmin`), a `partner` whose scope is every client, the given bookkeepers,
 * and `clientCount` generated clients imported through the roster importer.
 */
export async function createBenchFirm(app: Application, { clientCount, bookkeepers }: BenchFirmOptions): Promise<BenchFirm> {
  const now = new Date().toISOString();
  const firmId = randomUUID();
  const departmentId = randomUUID();
  await app.db.insertInto('departments').values({ id: firmId, name: '基准测试事务所', parent_id: null, created_at: now }).execute();
  await app.db.insertInto('departments').values({ id: departmentId, name: '记账一部', parent_id: firmId, created_at: now }).execute();

  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const members = new Map<string, string>();
  const accounts: { username: string; roles: RoleKey[]; departmentId: string }[] = [
    { username: 'secadmin', roles: ['security_admin'], departmentId: firmId },
    { username: 'auditor', roles: ['audit_admin'], departmentId: firmId },
    { username: 'sysadmin', roles: ['system_admin'], departmentId: firmId },
    { username: 'partner', roles: ['partner'], departmentId: firmId },
    ...bookkeepers.map((username) => ({ username, roles: ['bookkeeper'] as RoleKey[], departmentId })),
  ];
  for (const account of accounts) {
    const id = randomUUID();
    members.set(account.username, id);
    await insertUser(app.db, { id, username: account.username, usernameKey: usernameKey(account.username), displayName: `${account.username} 基准`, departmentId: account.departmentId, passwordHash, roles: account.roles });
  }

  const folder = await mkdtemp(path.join(os.tmpdir(), 'lg-bench-roster-'));
  try {
    const rosterFile = path.join(folder, 'roster.xlsx');
    const assignees: Record<string, string[]> = bookkeepers.length > 0 ? { 记账一部: [bookkeepers[0]!] } : {};
    await writeRosterWorkbook(generateClients({ count: clientCount, seed: 7, departments: ['记账一部'], assigneesByDepartment: assignees }), rosterFile);
    const job = await app.imports.run({ content: await readFile(rosterFile), fileName: 'roster.xlsx', importer: { subject: undefined } });
    if (job.status !== 'done' || job.created !== clientCount) {
      throw new Error(`Benchmark firm import failed: status ${job.status} (${job.errorCode}), created ${job.created} of ${clientCount}`);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }

  const clients = await app.db.selectFrom('clients').select('id').execute();
  return { members, clientIds: clients.map((client) => client.id) };
}
