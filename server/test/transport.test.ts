import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/cli.js';
import { loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/db/index.js';
import { postgresTlsSettings } from '../src/db/postgres-tls.js';
import { PlainHttpExposureError, isHstsEnabled, isLoopbackHost, isSecureCookiesEnabled, isTransportAllowed } from '../src/http/transport-policy.js';
import { TEST_PASSWORD, type TestApp, createMember, createTestApp } from './test-app.js';

const HSTS_VALUE = 'max-age=31536000; includeSubDomains';
const postgresUrl = process.env.TEST_DATABASE_URL || undefined;
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'lg-transport-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Creates a self-signed EC certificate, valid one day, for the given subject alternative names. */
function makeCertificate(name: string, subjectAltName: string): { certFile: string; keyFile: string; cert: string; key: string } {
  const certFile = path.join(scratch, `${name}.crt.pem`);
  const keyFile = path.join(scratch, `${name}.key.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${subjectAltName}`, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function httpsCall(url: string, ca: string, { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(url, { method, ca, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Opens a TLS connection limited to one protocol version and reports the outcome. */
function handshake(port: number, ca: string, version: tls.SecureVersion): Promise<{ protocol: string | null } | { errorCode: string }> {
  return new Promise((resolve) => {
    // SECLEVEL=0 lets this client offer TLS 1.1, so a failure comes from the server's refusal.
    const socket = tls.connect({ host: '127.0.0.1', port, ca, minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' }, () => {
      resolve({ protocol: socket.getProtocol() });
      socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ errorCode: error.code ?? error.message }));
  });
}

function cookieLines(response: HttpsResponse): string[] {
  const value = response.headers['set-cookie'];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

describe('transport policy', () => {
  it('recognises loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'ledger.example.cn', '128.0.0.1', '', '::ffff:10.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('allows plain HTTP only on loopback', () => {
    expect(isTransportAllowed({ host: '127.0.0.1', tls: false, behindTlsProxy: false })).toBe(true);
    expect(isTransportAllowed({ host: '0.0.0.0', tls: false, behindTlsProxy: false })).toBe(false);
    expect(isTransportAllowed({ host: '192.168.1.10', tls: false, behindTlsProxy: false })).toBe(false);
    expect(isTransportAllowed({ host: '0.0.0.0', tls: true, behindTlsProxy: false })).toBe(true);
    expect(isTransportAllowed({ host: '0.0.0.0', tls: false, behindTlsProxy: true })).toBe(true);
  });

  it('sends HSTS only when browsers use HTTPS', () => {
    expect(isHstsEnabled({ tls: false, behindTlsProxy: false })).toBe(false);
    expect(isHstsEnabled({ tls: true, behindTlsProxy: false })).toBe(true);
    expect(isHstsEnabled({ tls: false, behindTlsProxy: true })).toBe(true);
  });

  it('marks cookies Secure on HTTPS', () => {
    expect(isSecureCookiesEnabled({ tls: false, behindTlsProxy: false, publicUrl: 'http://127.0.0.1:3000' })).toBe(false);
    expect(isSecureCookiesEnabled({ tls: false, behindTlsProxy: false, publicUrl: 'https://ledger.example.cn' })).toBe(true);
    expect(isSecureCookiesEnabled({ tls: true, behindTlsProxy: false, publicUrl: 'http://127.0.0.1:3000' })).toBe(true);
    expect(isSecureCookiesEnabled({ tls: false, behindTlsProxy: true, publicUrl: 'http://127.0.0.1:3000' })).toBe(true);
  });
});

describe('transport configuration', () => {
  it('requires certificate and key together', () => {
    expect(() => loadConfig({ TLS_CERT_FILE: '/etc/ledgerguard/cert.pem' })).toThrow(/TLS_CERT_FILE and TLS_KEY_FILE must be set together/);
    expect(() => loadConfig({ TLS_KEY_FILE: '/etc/ledgerguard/key.pem' })).toThrow(/TLS_CERT_FILE and TLS_KEY_FILE must be set together/);
  });

  it('defaults the public URL to https with TLS', () => {
    const config = loadConfig({ TLS_CERT_FILE: 'cert.pem', TLS_KEY_FILE: 'key.pem', PORT: '8443' });
    expect(config.publicUrl).toBe('https://127.0.0.1:8443');
    expect(config.tls?.certFile).toBe(path.resolve('cert.pem'));
    expect(config.tls?.keyFile).toBe(path.resolve('key.pem'));
  });

  it('reads the proxy and database CA settings', () => {
    const config = loadConfig({ BEHIND_TLS_PROXY: 'true', DATABASE_CA_FILE: 'ca.pem' });
    expect(config.behindTlsProxy).toBe(true);
    expect(config.databaseCaFile).toBe(path.resolve('ca.pem'));
    expect(loadConfig({}).behindTlsProxy).toBe(false);
    expect(loadConfig({}).tls).toBeUndefined();
  });
});

describe('plain HTTP exposure', () => {
  it('rejects a non-loopback host without TLS', async () => {
    await expect(createTestApp({ host: '0.0.0.0' })).rejects.toThrow(PlainHttpExposureError);
    await expect(createTestApp({ host: '192.168.1.10' })).rejects.toThrow(/BEHIND_TLS_PROXY=true/);
  });

  it('stops the start command with a bilingual message', async () => {
    const names = ['HOST', 'PORT', 'DATA_DIR', 'BEHIND_TLS_PROXY', 'TLS_CERT_FILE', 'TLS_KEY_FILE', 'DATABASE_URL'];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      // The MySQL URL makes start fail before listening should the transport check ever be skipped,
      // so a regression cannot bind 0.0.0.0 during the test.
      Object.assign(process.env, { HOST: '0.0.0.0', PORT: '0', DATA_DIR: path.join(scratch, 'cli-data'), BEHIND_TLS_PROXY: 'false', DATABASE_URL: 'mysql://127.0.0.1/none' });
      delete process.env.TLS_CERT_FILE;
      delete process.env.TLS_KEY_FILE;

      expect(await runCli(['start'])).toBe(1);
      const message = String(printed.mock.calls[0]?.[0]);
      expect(message).toContain('拒绝以明文 HTTP 对外提供服务');
      expect(message).toContain('will not serve plain HTTP');
      expect(message).toContain('HOST=0.0.0.0');
    } finally {
      printed.mockRestore();
      for (const name of names) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  it('allows a non-loopback host behind a declared TLS proxy', async () => {
    // Composed only, never listening: tests bind nothing beyond loopback.
    const app = await createTestApp({ host: '0.0.0.0', behindTlsProxy: true });
    try {
      const health = await app.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.headers['strict-transport-security']).toBe(HSTS_VALUE);

      const csrf = await app.app.inject({ method: 'GET', url: '/api/auth/csrf' });
      expect(String(csrf.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await app.dispose();
    }
  });

  it('sends no HSTS on loopback HTTP', async () => {
    const app = await createTestApp();
    try {
      const health = await app.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.headers['strict-transport-security']).toBeUndefined();

      const csrf = await app.app.inject({ method: 'GET', url: '/api/auth/csrf' });
      expect(String(csrf.headers['set-cookie'])).not.toMatch(/; Secure/);
    } finally {
      await app.dispose();
    }
  });
});

describe.skipIf(!hasOpenssl)('built-in HTTPS', () => {
  let app: TestApp;
  let ca: string;
  let port: number;

  beforeAll(async () => {
    const certificate = makeCertificate('localhost', 'IP:127.0.0.1,DNS:localhost');
    ca = certificate.cert;
    app = await createTestApp({ tls: { certFile: certificate.certFile, keyFile: certificate.keyFile } });
    await createMember(app, { username: 'tls-member', roles: ['bookkeeper'] });
    await app.app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.app.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app?.dispose();
  });

  it('answers over HTTPS with HSTS', async () => {
    const response = await httpsCall(`https://127.0.0.1:${port}/healthz`, ca);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
    expect(response.headers['strict-transport-security']).toBe(HSTS_VALUE);
  });

  it('sets Secure cookies', async () => {
    const csrf = await httpsCall(`https://127.0.0.1:${port}/api/auth/csrf`, ca);
    const preSession = cookieLines(csrf);
    expect(preSession.length).toBeGreaterThan(0);
    for (const line of preSession) expect(line).toMatch(/; Secure/);

    const cookie = preSession.map((line) => line.split(';')[0]).join('; ');
    const token = (JSON.parse(csrf.body) as { token: string }).token;
    const login = await httpsCall(`https://127.0.0.1:${port}/api/auth/login`, ca, { method: 'POST', headers: { cookie, 'x-csrf-token': token }, body: JSON.stringify({ username: 'tls-member', password: TEST_PASSWORD }) });
    expect(login.status).toBe(200);
    const session = cookieLines(login).find((line) => line.startsWith('lg_session='));
    expect(session).toMatch(/; Secure/);
  });

  it('rejects TLS 1.1 and accepts TLS 1.2', async () => {
    expect(await handshake(port, ca, 'TLSv1.1')).toEqual({ errorCode: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    expect(await handshake(port, ca, 'TLSv1.2')).toEqual({ protocol: 'TLSv1.2' });
  });

  it('fails with another CA', async () => {
    await expect(httpsCall(`https://127.0.0.1:${port}/healthz`, makeCertificate('other', 'DNS:other.invalid').cert)).rejects.toThrow();
  });

  it('fails at start-up on a mismatched key', async () => {
    const first = makeCertificate('first', 'DNS:first.invalid');
    const second = makeCertificate('second', 'DNS:second.invalid');
    await expect(createTestApp({ tls: { certFile: first.certFile, keyFile: second.keyFile } })).rejects.toThrow(/do not form a usable certificate and key pair/);
    await expect(createTestApp({ tls: { certFile: path.join(scratch, 'missing.pem'), keyFile: second.keyFile } })).rejects.toThrow(/cannot read TLS_CERT_FILE .*ENOENT/);
  });
});

describe('PostgreSQL TLS options', () => {
  const base = 'postgres://ledger:p%40ss@db.example.cn:5432/ledger';
  const caPem = '-----BEGIN CERTIFICATE-----\nprivate-ca\n-----END CERTIFICATE-----\n';

  it('maps each sslmode', () => {
    expect(postgresTlsSettings(base, undefined)).toEqual({ connectionString: base, sslMode: 'disable', ssl: false });
    expect(postgresTlsSettings(`${base}?sslmode=disable`, undefined).ssl).toBe(false);
    expect(postgresTlsSettings(`${base}?sslmode=require`, undefined).ssl).toEqual({ rejectUnauthorized: false });

    const verifyCa = postgresTlsSettings(`${base}?sslmode=verify-ca`, caPem).ssl;
    expect(verifyCa).toMatchObject({ ca: caPem, rejectUnauthorized: true });
    expect(verifyCa).not.toBe(false);
    expect(typeof (verifyCa as tls.ConnectionOptions).checkServerIdentity).toBe('function');

    const verifyFull = postgresTlsSettings(`${base}?sslmode=verify-full`, caPem).ssl;
    expect(verifyFull).toEqual({ ca: caPem, rejectUnauthorized: true });
  });

  it('verifies with a CA under require', () => {
    const settings = postgresTlsSettings(`${base}?sslmode=require`, caPem);
    expect(settings.ssl).toMatchObject({ ca: caPem, rejectUnauthorized: true });
  });

  it('defaults to verify-full with a CA', () => {
    const settings = postgresTlsSettings(base, caPem);
    expect(settings.sslMode).toBe('verify-full');
    expect(settings.ssl).toEqual({ ca: caPem, rejectUnauthorized: true });
  });

  it('strips sslmode and keeps the rest', () => {
    const settings = postgresTlsSettings(`${base}?application_name=lg&sslmode=verify-full`, undefined);
    expect(settings.connectionString).toBe(`${base}?application_name=lg`);
  });

  it('rejects modes that fall back to plain text', () => {
    for (const mode of ['prefer', 'allow', 'no-verify', 'bogus']) {
      expect(() => postgresTlsSettings(`${base}?sslmode=${mode}`, undefined), mode).toThrow(`sslmode=${mode} in DATABASE_URL is not supported`);
    }
  });

  it('rejects TLS parameters it does not handle', () => {
    for (const parameter of ['ssl=true', 'sslrootcert=/tmp/ca.pem', 'sslcert=/tmp/c.pem', 'sslkey=/tmp/k.pem']) {
      expect(() => postgresTlsSettings(`${base}?${parameter}`, undefined), parameter).toThrow(/is not supported: set sslmode/);
    }
  });

  it('rejects a CA with TLS disabled', () => {
    expect(() => postgresTlsSettings(`${base}?sslmode=disable`, caPem)).toThrow(/DATABASE_CA_FILE is set but sslmode=disable/);
  });

  it('keeps the URL out of parse errors', () => {
    expect(() => postgresTlsSettings('postgres://user:secret@[bad', undefined)).toThrow(/^(?!.*secret).*DATABASE_URL is not a valid URL/);
  });
});

/** Appends or replaces a query parameter of a PostgreSQL URL. */
function withParameter(url: string, name: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(name, value);
  return parsed.toString();
}

async function selectOne(databaseUrl: string, postgresCaFile?: string): Promise<number> {
  const handle = openDatabase({ databaseUrl, dataDir: scratch, poolSize: 1, postgresCaFile });
  try {
    const result = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    return Number(result.rows[0]?.one);
  } finally {
    await handle.close();
  }
}

describe.skipIf(!postgresUrl)('PostgreSQL TLS connection', () => {
  it('fails clearly when the server has no TLS', async () => {
    // The local test server runs without ssl, so sslmode=require must fail rather than fall back.
    await expect(selectOne(withParameter(postgresUrl!, 'sslmode', 'require'))).rejects.toThrow(/rejected TLS but sslmode=require in DATABASE_URL requires it/);
  });

  describe.skipIf(!hasOpenssl)('through a TLS front', () => {
    let front: net.Server;
    let frontUrl: string;
    let caFile: string;
    let otherNameCaFile: string;
    // Which certificate the front presents to the next connection.
    let identity: 'main' | 'other' = 'main';

    beforeAll(async () => {
      const upstream = new URL(postgresUrl!);
      const certificate = makeCertificate('pg-front', 'IP:127.0.0.1,DNS:localhost');
      caFile = certificate.certFile;
      const otherName = makeCertificate('pg-other-name', 'DNS:db.invalid');
      otherNameCaFile = otherName.certFile;
      const identities = { main: certificate, other: otherName };

      // Replies 'S' to PostgreSQL's SSLRequest, terminates TLS and relays the plain protocol to
      // the local server, so the client sees a TLS-enabled PostgreSQL.
      front = net.createServer((socket) => {
        socket.once('data', (first) => {
          if (first.length !== 8 || first.readInt32BE(4) !== 80877103) {
            socket.destroy();
            return;
          }
          socket.write('S');
          const { cert, key } = identities[identity];
          const secure = new tls.TLSSocket(socket, { isServer: true, cert, key });
          const relay = net.connect(Number(upstream.port || 5432), upstream.hostname);
          secure.pipe(relay).pipe(secure);
          secure.on('error', () => relay.destroy());
          relay.on('error', () => secure.destroy());
        });
      });
      await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
      const address = front.address() as AddressInfo;
      const url = new URL(postgresUrl!);
      url.hostname = '127.0.0.1';
      url.port = String(address.port);
      frontUrl = url.toString();
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
    });

    it('connects with verify-full and the CA', async () => {
      identity = 'main';
      expect(await selectOne(withParameter(frontUrl, 'sslmode', 'verify-full'), caFile)).toBe(1);
      expect(await selectOne(frontUrl, caFile)).toBe(1);
    });

    it('rejects an unknown CA under verify-full', async () => {
      identity = 'main';
      await expect(selectOne(withParameter(frontUrl, 'sslmode', 'verify-full'))).rejects.toThrow(/certificate failed verification \(DEPTH_ZERO_SELF_SIGNED_CERT\).*DATABASE_CA_FILE/);
    });

    it('encrypts without verification under require', async () => {
      identity = 'main';
      expect(await selectOne(withParameter(frontUrl, 'sslmode', 'require'))).toBe(1);
    });

    it('checks the host name only under verify-full', async () => {
      identity = 'other';
      expect(await selectOne(withParameter(frontUrl, 'sslmode', 'verify-ca'), otherNameCaFile)).toBe(1);
      await expect(selectOne(withParameter(frontUrl, 'sslmode', 'verify-full'), otherNameCaFile)).rejects.toThrow(/ERR_TLS_CERT_ALTNAME_INVALID/);
    });
  });
});
