import { execFile } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ephemeralSigningKeys, isValidSignature, keyIdOf, loadOrCreateSigningKeys, signMessage } from './signing-keys.js';

const run = promisify(execFile);
let folder: string;

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'lg-signing-'));
});

afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Checks whether this machine's openssl command supports SM2 signatures (OpenSSL 3 does). */
async function hasOpensslSm2(): Promise<boolean> {
  try {
    const { stdout } = await run('openssl', ['list', '-signature-algorithms']);
    return /SM2/i.test(stdout);
  } catch {
    return false;
  }
}

describe('signing key file', () => {
  it('is created owner-only with an Ed25519 key', () => {
    const file = path.join(folder, 'keys', 'audit-signing.json');

    const ring = loadOrCreateSigningKeys(file, 'ed25519');

    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(ring.active.algorithm).toBe('ed25519');
    expect(ring.active.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(loadOrCreateSigningKeys(file, 'ed25519').active.keyId).toBe(ring.active.keyId);
  });

  it('tightens loose permissions', () => {
    const file = path.join(folder, 'audit-signing.json');
    loadOrCreateSigningKeys(file, 'ed25519');
    chmodSync(file, 0o644);

    loadOrCreateSigningKeys(file, 'ed25519');

    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('names each key by a hash of its public key', () => {
    const { active } = ephemeralSigningKeys('ed25519');
    const der = createPublicKey(active.publicKeyPem).export({ type: 'spki', format: 'der' });

    expect(active.keyId).toBe(createHash('sha256').update(der).digest('hex').slice(0, 16));
    expect(keyIdOf(active.publicKeyPem)).toBe(active.keyId);
  });

  it('adds a key when the algorithm changes and keeps the old one', () => {
    const file = path.join(folder, 'audit-signing.json');
    const first = loadOrCreateSigningKeys(file, 'ed25519');

    const second = loadOrCreateSigningKeys(file, 'sm2');

    expect(second.active.algorithm).toBe('sm2');
    expect(second.publicKeys.map((key) => key.keyId)).toEqual([first.active.keyId, second.active.keyId]);
    expect(loadOrCreateSigningKeys(file, 'sm2').active.keyId).toBe(second.active.keyId);
  });

  it('rejects a key whose id does not match', () => {
    const file = path.join(folder, 'audit-signing.json');
    loadOrCreateSigningKeys(file, 'ed25519');
    const content = JSON.parse(readFileSync(file, 'utf8')) as { keys: { keyId: string }[] };
    content.keys[0]!.keyId = '0000000000000000';
    writeFileSync(file, JSON.stringify(content));

    expect(() => loadOrCreateSigningKeys(file, 'ed25519')).toThrow(/does not match its public key/);
  });
});

describe.each(['ed25519', 'sm2'] as const)('%s signatures', (algorithm) => {
  it('verify with the public key', () => {
    const { active } = ephemeralSigningKeys(algorithm);

    const signature = signMessage(active, 'checkpoint 42');

    expect(isValidSignature(active, 'checkpoint 42', signature)).toBe(true);
  });

  it('fail for a changed message', () => {
    const { active } = ephemeralSigningKeys(algorithm);

    const signature = signMessage(active, 'checkpoint 42');

    expect(isValidSignature(active, 'checkpoint 43', signature)).toBe(false);
  });

  it('fail under another key', () => {
    const signer = ephemeralSigningKeys(algorithm).active;
    const other = ephemeralSigningKeys(algorithm).active;

    const signature = signMessage(signer, 'checkpoint 42');

    expect(isValidSignature(other, 'checkpoint 42', signature)).toBe(false);
  });

  it('fail for a malformed signature', () => {
    const { active } = ephemeralSigningKeys(algorithm);

    expect(isValidSignature(active, 'checkpoint 42', 'not base64 at all')).toBe(false);
  });
});

describe('SM2 signatures', () => {
  it('are SM2 with SM3, not ECDSA, as openssl checks them', async (context) => {
    if (!(await hasOpensslSm2())) context.skip();
    const { active } = ephemeralSigningKeys('sm2');
    const message = 'ledgerguard checkpoint';
    writeFileSync(path.join(folder, 'public.pem'), active.publicKeyPem);
    writeFileSync(path.join(folder, 'message'), message);
    writeFileSync(path.join(folder, 'signature'), Buffer.from(signMessage(active, message), 'base64'));

    // Without `-pkeyopt distid:…` openssl uses the same empty distinguishing ID as Node.
    const { stdout } = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'public.pem', '-rawin', '-in', 'message', '-sigfile', 'signature', '-digest', 'sm3'], { cwd: folder });

    expect(stdout).toContain('Signature Verified Successfully');
  });
});
