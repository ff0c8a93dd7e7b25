import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressAssets } from '../../scripts/compress-assets.mjs';
import { type TestApp, createTestApp } from './test-app.js';

// A stand-in for a built asset: repetitive like minified JavaScript, well over the 1 KB floor.
const SCRIPT = `export function render(){${'document.body.append(String(Math.random()));'.repeat(200)}}\n`;
const SCRIPT_PATH = '/assets/app-3f9a1c.js';

let webRoot: string;
let app: TestApp;

beforeAll(async () => {
  webRoot = await mkdtemp(path.join(os.tmpdir(), 'lg-web-root-'));
  await mkdir(path.join(webRoot, 'assets'));
  await writeFile(path.join(webRoot, 'index.html'), '<!doctype html><title>LedgerGuard</title><script type="module" src="/assets/app-3f9a1c.js"></script>');
  await writeFile(path.join(webRoot, SCRIPT_PATH), SCRIPT);
  // Random bytes do not compress, and a file under 1 KB is not worth it.
  await writeFile(path.join(webRoot, 'assets', 'noise-77aa01.js'), randomBytes(4096));
  await writeFile(path.join(webRoot, 'assets', 'tiny-0b1c2d.js'), 'export const a = 1;\n');
  compressAssets(path.join(webRoot, 'assets'));

  app = await createTestApp({ serveWeb: true }, { webRoot });
});

afterAll(async () => {
  await app?.dispose();
  await rm(webRoot, { recursive: true, force: true });
});

describe('compressAssets', () => {
  it('writes Brotli and gzip copies of the original', async () => {
    const file = path.join(webRoot, SCRIPT_PATH);
    const brotli = await readFile(`${file}.br`);
    const gzip = await readFile(`${file}.gz`);

    expect(brotliDecompressSync(brotli).toString()).toBe(SCRIPT);
    expect(gunzipSync(gzip).toString()).toBe(SCRIPT);
    expect(brotli.length).toBeLessThan(SCRIPT.length / 10);
  });

  it('skips incompressible and tiny files', () => {
    for (const name of ['noise-77aa01.js', 'tiny-0b1c2d.js']) {
      expect(existsSync(path.join(webRoot, 'assets', `${name}.br`))).toBe(false);
      expect(existsSync(path.join(webRoot, 'assets', `${name}.gz`))).toBe(false);
    }
  });

  it('leaves fresh copies alone', () => {
    expect(compressAssets(path.join(webRoot, 'assets'))).toBe(1);
  });
});

describe('serving the web app precompressed', () => {
  it('sends Brotli to a browser that accepts it', async () => {
    const response = await app.app.inject({ method: 'GET', url: SCRIPT_PATH, headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(response.headers.vary).toMatch(/accept-encoding/i);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(response.rawPayload).toString()).toBe(SCRIPT);
  });

  it('sends gzip when Brotli is not accepted', async () => {
    const response = await app.app.inject({ method: 'GET', url: SCRIPT_PATH, headers: { 'accept-encoding': 'gzip' } });

    expect(response.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(response.rawPayload).toString()).toBe(SCRIPT);
  });

  it('sends the file itself without Accept-Encoding', async () => {
    const response = await app.app.inject({ method: 'GET', url: SCRIPT_PATH });

    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body).toBe(SCRIPT);
  });

  it('keeps index.html uncached', async () => {
    const response = await app.app.inject({ method: 'GET', url: '/clients', headers: { 'accept-encoding': 'br' } });

    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).toContain('/assets/app-3f9a1c.js');
  });

  it('sends a file without copies uncompressed', async () => {
    const response = await app.app.inject({ method: 'GET', url: '/assets/tiny-0b1c2d.js', headers: { 'accept-encoding': 'br, gzip' } });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body).toBe('export const a = 1;\n');
  });
});
