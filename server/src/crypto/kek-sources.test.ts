import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveServiceKey, loadKeyring, loadOrCreateKeyFile } from './keyring.js';

const VAULT_TOKEN = 'hvs.test-token-for-fake-vault';

/**
 * A fake Vault transit engine on 127.0.0.1: checks the token header, the JSON body and the base64
 * plaintext, keeps numbered key versions, and answers with `vault:vN:` ciphertexts.
 */
function startFakeVault() {
  const versions = new Map<number, Buffer>([[1, randomBytes(32)]]);
  let minDecryption = 1;
  const requests: { method: string; url: string }[] = [];

  const seal = (version: number, plaintext: Buffer) => {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', versions.get(version)!, nonce);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `vault:v${version}:${Buffer.concat([nonce, body]).toString('base64')}`;
  };
  const open = (ciphertext: string) => {
    const match = /^vault:v(\d+):(.+)$/.exec(ciphertext);
    if (!match) return undefined;
    const version = Number(match[1]);
    if (version < minDecryption || !versions.has(version)) return undefined;
    const raw = Buffer.from(match[2]!, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', versions.get(version)!, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
  };
  const latest = () => Math.max(...versions.keys());

  const reply = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push({ method: request.method!, url: request.url! });
      if (request.headers['x-vault-token'] !== VAULT_TOKEN) return reply(response, 403, { errors: ['permission denied'] });
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      const route = `${request.method} ${request.url}`;

      if (route === 'POST /v1/transit/encrypt/ledgerguard') {
        if (typeof body.plaintext !== 'string' || Buffer.from(body.plaintext, 'base64').toString('base64') !== body.plaintext) {
          return reply(response, 400, { errors: ['plaintext must be base64'] });
        }
        return reply(response, 200, { data: { ciphertext: seal(latest(), Buffer.from(body.plaintext, 'base64')), key_version: latest() } });
      }
      if (route === 'POST /v1/transit/decrypt/ledgerguard') {
        const plain = typeof body.ciphertext === 'string' ? open(body.ciphertext) : undefined;
        return plain ? reply(response, 200, { data: { plaintext: plain.toString('base64') } }) : reply(response, 400, { errors: ['invalid ciphertext'] });
      }
      if (route === 'POST /v1/transit/rewrap/ledgerguard') {
        const plain = typeof body.ciphertext === 'string' ? open(body.ciphertext) : undefined;
        return plain ? reply(response, 200, { data: { ciphertext: seal(latest(), plain) } }) : reply(response, 400, { errors: ['invalid ciphertext'] });
      }
      if (route === 'GET /v1/transit/keys/ledgerguard') {
        return reply(response, 200, { data: { latest_version: latest(), min_decryption_version: minDecryption } });
      }
      if (route === 'POST /v1/transit/keys/ledgerguard/rotate') {
        versions.set(latest() + 1, randomBytes(32));
        return reply(response, 200, { data: { latest_version: latest() } });
      }
      if (route === 'POST /v1/transit/keys/ledgerguard/config' && typeof body.min_decryption_version === 'number') {
        minDecryption = body.min_decryption_version;
        return reply(response, 204, undefined);
      }
      return reply(response, 404, { errors: [] });
    });
  });

  return {
    requests,
    get minDecryption() {
      return minDecryption;
    },
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const folder = mkdtempSync(path.join(tmpdir(), 'lg-keys-'));

describe('key file source', () => {
  it('creates an owner-only file and keeps derived keys across KEK rotation', async () => {
    const file = path.join(folder, 'file-source', 'keyring.json');
    const keyring = loadOrCreateKeyFile(file);
    const csrfBefore = deriveServiceKey(keyring, 'csrf');
    const wrappedV1 = await keyring.keks.wrap('key-a', Buffer.alloc(32, 7));

    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await keyring.keks.addVersion()).toBe(2);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const reloaded = loadOrCreateKeyFile(file);
    expect(await reloaded.keks.currentVersion()).toBe(2);
    expect(deriveServiceKey(reloaded, 'csrf').equals(csrfBefore)).toBe(true);
    expect(await reloaded.keks.unwrap('key-a', wrappedV1.wrapped)).toEqual(Buffer.alloc(32, 7));
  });

  it('lets another process see a new version', async () => {
    const file = path.join(folder, 'shared', 'keyring.json');
    const server = loadOrCreateKeyFile(file);
    const cli = loadOrCreateKeyFile(file);
    await cli.keks.addVersion();
    const wrapped = await cli.keks.wrap('key-b', Buffer.alloc(32, 9));

    expect(wrapped.kekVersion).toBe(2);
    expect(await server.keks.unwrap('key-b', wrapped.wrapped)).toEqual(Buffer.alloc(32, 9));
    expect((await server.keks.wrap('key-c', Buffer.alloc(32, 1))).kekVersion).toBe(2);
  });

  it('rejects a wrapped key moved to another key id', async () => {
    const keyring = loadOrCreateKeyFile(path.join(folder, 'swap', 'keyring.json'));
    const { wrapped } = await keyring.keks.wrap('key-a', randomBytes(32));
    await expect(keyring.keks.unwrap('key-b', wrapped)).rejects.toThrow();
  });

  it('removes a retired version from the file', async () => {
    const file = path.join(folder, 'retire', 'keyring.json');
    const keyring = loadOrCreateKeyFile(file);
    await keyring.keks.addVersion();
    await keyring.keks.removeVersion(1);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { keks: { version: number }[] };

    expect(stored.keks.map((entry) => entry.version)).toEqual([2]);
    await expect(keyring.keks.removeVersion(2)).rejects.toThrow('is current');
  });
});

describe('environment source', () => {
  const kek1 = randomBytes(32).toString('base64');
  const kek2 = randomBytes(32).toString('base64');
  const indexRoot = randomBytes(32).toString('base64');

  it('unwraps keys of a previous version', async () => {
    const old = await loadKeyring({ source: 'env', kek: kek1, kekVersion: 1, previousKeks: undefined, indexRoot });
    const { wrapped } = await old.keks.wrap('key-a', Buffer.alloc(32, 3));
    const rotated = await loadKeyring({ source: 'env', kek: kek2, kekVersion: 2, previousKeks: `1:${kek1}`, indexRoot });

    expect(await rotated.keks.currentVersion()).toBe(2);
    expect(await rotated.keks.unwrap('key-a', wrapped)).toEqual(Buffer.alloc(32, 3));
    expect(deriveServiceKey(rotated, 'csrf').equals(deriveServiceKey(old, 'csrf'))).toBe(true);
  });

  it('rejects a short key without echoing it', async () => {
    const short = randomBytes(16).toString('base64');
    const failure = loadKeyring({ source: 'env', kek: short, kekVersion: 1, previousKeks: undefined, indexRoot });

    await expect(failure).rejects.toThrow('LEDGERGUARD_KEK must be 32 random bytes');
    await expect(failure).rejects.not.toThrow(short);
  });

  it('rejects a malformed previous list', async () => {
    await expect(loadKeyring({ source: 'env', kek: kek2, kekVersion: 2, previousKeks: kek1, indexRoot })).rejects.toThrow('VERSION:BASE64');
  });
});

describe('Vault transit source', () => {
  const vault = startFakeVault();
  let address: string;

  beforeAll(async () => {
    address = await vault.listen();
  });
  afterAll(() => vault.close());

  const settings = (token = VAULT_TOKEN, indexRootFile = path.join(folder, 'vault', 'index-root.vault.json')) =>
    ({ source: 'vault', vault: { address, token, keyName: 'ledgerguard', mount: 'transit' }, indexRootFile }) as const;

  it('wraps through Vault and keeps the index root stable', async () => {
    const first = await loadKeyring(settings());
    const second = await loadKeyring(settings());
    const { wrapped, kekVersion } = await first.keks.wrap('key-a', Buffer.alloc(32, 5));

    expect(statSync(path.join(folder, 'vault', 'index-root.vault.json')).mode & 0o777).toBe(0o600);
    expect(wrapped).toMatch(/^vault:v1:/);
    expect(kekVersion).toBe(1);
    expect(second.indexRoot.equals(first.indexRoot)).toBe(true);
    expect(await second.keks.unwrap('key-a', wrapped)).toEqual(Buffer.alloc(32, 5));
    expect(vault.requests.some((request) => request.url === '/v1/transit/encrypt/ledgerguard')).toBe(true);
  });

  it('rotates, rewraps the index root, and retires the old version', async () => {
    const keyring = await loadKeyring(settings());
    const old = await keyring.keks.wrap('key-b', Buffer.alloc(32, 6));

    expect(await keyring.keks.addVersion()).toBe(2);
    expect(JSON.parse(readFileSync(path.join(folder, 'vault', 'index-root.vault.json'), 'utf8')).wrapped).toMatch(/^vault:v2:/);
    expect(await keyring.keks.unwrap('key-b', old.wrapped)).toEqual(Buffer.alloc(32, 6));

    await keyring.keks.removeVersion(1);
    expect(vault.minDecryption).toBe(2);
    await expect(keyring.keks.unwrap('key-b', old.wrapped)).rejects.toThrow('HTTP 400');
    expect((await loadKeyring(settings())).indexRoot.equals(keyring.indexRoot)).toBe(true);
  });

  it('fails on a wrong token without echoing it', async () => {
    const failure = loadKeyring(settings('hvs.wrong-token', path.join(folder, 'vault-denied', 'index-root.vault.json')));

    await expect(failure).rejects.toThrow('HTTP 403');
    await expect(failure).rejects.not.toThrow('hvs.wrong-token');
  });
});
