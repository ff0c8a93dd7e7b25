import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CrashFolder } from './crash-folder.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cliEntry = path.join(projectRoot, 'bin', 'ledgerguard.mjs');

/** How a child ended: killed by the test, or exited by itself before the kill came. */
export interface ChildEnd {
  readonly killed: boolean;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Returns a small deterministic generator (mulberry32) of numbers in [0, 1), so a failing series
 * of kills replays with the same seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The real `ledgerguard` command line in a child process, on a data folder of its own. Output
 * lines are kept so the test can wait for a phase before it kills the child.
 */
export class LedgerGuardChild {
  readonly lines: string[] = [];
  readonly #child: ChildProcess;
  readonly #ended: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
  readonly #waiters = new Set<() => void>();
  #running = true;

  constructor(folder: CrashFolder, args: readonly string[], environment: Record<string, string> = {}) {
    this.#child = spawn(process.execPath, [cliEntry, ...args], { cwd: projectRoot, env: childEnvironment(folder, environment), stdio: ['ignore', 'pipe', 'pipe'] });
    this.#ended = new Promise((resolve) => {
      this.#child.on('exit', (exitCode, signal) => {
        this.#running = false;
        this.#notify();
        resolve({ exitCode, signal });
      });
    });
    for (const stream of [this.#child.stdout!, this.#child.stderr!]) {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const text = partial + chunk.toString('utf8');
        const complete = text.split('\n');
        partial = complete.pop() ?? '';
        this.lines.push(...complete);
        this.#notify();
      });
    }
  }

  get running(): boolean {
    return this.#running;
  }

  /**
   * Waits for an output line that `matches` accepts and returns it, or `undefined` when the child
   * exits first. Rejects after `timeoutMs`, killing the child, so a hung child never outlives the test.
   */
  async waitForLine(matches: (line: string) => boolean, timeoutMs = 60_000): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    let checked = 0;
    for (;;) {
      for (; checked < this.lines.length; checked += 1) {
        if (matches(this.lines[checked]!)) return this.lines[checked];
      }
      if (!this.#running) return undefined;
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`The child printed no expected line within ${timeoutMs} ms. Its last output:\n${this.lines.slice(-20).join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.#waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Kills the child with SIGKILL unless it already exited, and waits until it is gone. */
  async kill(): Promise<ChildEnd> {
    const killed = this.#running;
    if (killed) this.#child.kill('SIGKILL');
    const { exitCode, signal } = await this.#ended;
    return { killed: killed && signal === 'SIGKILL', exitCode, signal };
  }

  /** Waits for the child to exit by itself. */
  async finished(timeoutMs = 120_000): Promise<ChildEnd> {
    const timer = setTimeout(() => void this.kill(), timeoutMs);
    const { exitCode, signal } = await this.#ended;
    clearTimeout(timer);
    return { killed: false, exitCode, signal };
  }

  #notify(): void {
    for (const waiter of this.#waiters) waiter();
    this.#waiters.clear();
  }
}

/**
 * Builds the child's environment: the data folder and database of the crash test, quiet logs, a
 * password-only sign-in (the test signs its members in beforehand) and no scheduled backup. The
 * test runner's own database variables are dropped, so the child can reach no other schema.
 */
function childEnvironment(folder: CrashFolder, extra: Record<string, string>): NodeJS.ProcessEnv {
  const { TEST_DATABASE_URL: _test, DATABASE_URL: _url, DATABASE_SCHEMA: _schema, ...inherited } = process.env;
  return {
    ...inherited,
    DATA_DIR: folder.dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    MFA_REQUIRED: 'false',
    BACKUP_SCHEDULE: 'off',
    ...(folder.databaseUrl && folder.schema ? { DATABASE_URL: folder.databaseUrl, DATABASE_SCHEMA: folder.schema } : {}),
    ...extra,
  };
}
