import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/** The part of autocannon 9.0.0's JSON result (`--json`) the client page benchmark reads. */
export interface LoadResult {
  /** Requests per second, averaged over the run's one-second samples, and the count of the run. */
  readonly requests: { readonly average: number; readonly total: number };
  /** Milliseconds. */
  readonly latency: { readonly p50: number; readonly p97_5: number; readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  /** Seconds. */
  readonly duration: number;
  readonly headers?: Readonly<Record<string, string>>;
}

const AUTOCANNON_BIN = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/**
 * Runs autocannon's command line in a child process against one URL on loopback, so the load
 * generator does not share the event loop of the server it measures. Throws when any request
 * failed, timed out or got a status other than 2xx.
 */
export async function runLoad({ url, connections, duration, headers = {} }: LoadOptions): Promise<LoadResult> {
  const args = [AUTOCANNON_BIN, '--json', '--no-progress', '-c', String(connections), '-d', String(duration)];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  args.push(url);

  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (exitCode !== 0) {
    throw new Error(`autocannon exited with code ${exitCode}: ${stderr.trim().slice(0, 500)}`);
  }

  const result = JSON.parse(stdout) as LoadResult;
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`Load on ${new URL(url).pathname} had ${result.non2xx} non-2xx responses, ${result.errors} errors and ${result.timeouts} timeouts`);
  }
  return result;
}
