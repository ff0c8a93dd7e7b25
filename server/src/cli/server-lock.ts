import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const LOCK_FILE = 'server.pid';

/** Writes the running server's process id into the data folder. */
export async function holdServerLock(dataDir: string): Promise<void> {
  await writeFile(path.join(dataDir, LOCK_FILE), String(process.pid), { mode: 0o600 });
}

export async function releaseServerLock(dataDir: string): Promise<void> {
  await rm(path.join(dataDir, LOCK_FILE), { force: true });
}

/** Returns the process id of a server still running on this data folder, if any. */
export async function findRunningServer(dataDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(dataDir, LOCK_FILE), 'utf8').catch(() => undefined);
  const pid = Number(text);
  if (!text || !Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    // Signal 0 checks that the process exists without touching it.
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}
