import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Starts Debian's Chromium headless with a fresh profile and every background service off, so
 * the browser talks to nothing but the test server on loopback.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}; install Debian's chromium package (apt-get install -y chromium)`);
  }
  const profile = await mkdtemp(path.join(os.tmpdir(), 'lg-chromium-'));
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`].filter((arg) => !arg.startsWith('--user-data-dir')),
  });
}

export const SCREENSHOT_DIR = path.resolve('.test-artifacts', 'screens');
