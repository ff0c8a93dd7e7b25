// Builds the web app into dist/web when it is missing or older than its sources, so
// `npm start` on a fresh clone serves the app without a separate build command. The hashed
// assets get Brotli and gzip copies beside them, which the server sends precompressed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { compressAssets } from './compress-assets.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const built = path.join(root, 'dist', 'web', 'index.html');
const assets = path.join(root, 'dist', 'web', 'assets');

function newestSource(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const force = process.argv.includes('--force');
if (!force && existsSync(built) && statSync(built).mtimeMs >= newestSource(path.join(root, 'web'))) {
  // A build from before the compressed copies existed gets them now.
  compressAssets(assets);
  process.exit(0);
}

console.error('Building the web app (dist/web)…');
const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  process.exit(result.status ?? 1);
}
compressAssets(assets);
