import type { ConnectionOptions } from 'node:tls';

/** The sslmode values LedgerGuard accepts, with libpq's meaning. */
export const POSTGRES_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type PostgresSslMode = (typeof POSTGRES_SSL_MODES)[number];

/** URL parameters that node-postgres reads for TLS; LedgerGuard handles sslmode itself and rejects the rest. */
const TLS_URL_PARAMETERS = ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslcrl', 'sslnegotiation', 'uselibpqcompat'];

export interface PostgresTlsSettings {
  /** DATABASE_URL without its TLS parameters, so node-postgres cannot override `ssl` from them. */
  connectionString: string;
  sslMode: PostgresSslMode;
  /** The pg `ssl` option: `false` for plain TCP, TLS options otherwise. */
  ssl: false | ConnectionOptions;
}

/**
 * Maps DATABASE_URL's sslmode and the PEM of DATABASE_CA_FILE to node-postgres options.
 * `allow` and `prefer` are rejected because libpq falls back to plain text with them. Without
 * sslmode, a configured CA selects verify-full, and no CA keeps node-postgres' default of plain TCP.
 * Throws on an unsupported mode or parameter.
 */
export function postgresTlsSettings(databaseUrl: string, caPem: string | undefined): PostgresTlsSettings {
  const url = parseUrlOrThrow(databaseUrl);
  const requested = url.searchParams.get('sslmode');

  for (const name of TLS_URL_PARAMETERS) {
    if (name !== 'sslmode' && url.searchParams.has(name)) {
      throw new Error(`DATABASE_URL 不支持参数 ${name} / DATABASE_URL parameter ${name} is not supported: set sslmode (${POSTGRES_SSL_MODES.join(', ')}) and give a private CA with DATABASE_CA_FILE`);
    }
  }
  if (requested !== null && !(POSTGRES_SSL_MODES as readonly string[]).includes(requested)) {
    throw new Error(`DATABASE_URL 的 sslmode=${requested} 不受支持 / sslmode=${requested} in DATABASE_URL is not supported: use one of ${POSTGRES_SSL_MODES.join(', ')}`);
  }

  const sslMode = (requested ?? (caPem ? 'verify-full' : 'disable')) as PostgresSslMode;
  if (sslMode === 'disable' && caPem) {
    throw new Error('设置了 DATABASE_CA_FILE 但 sslmode=disable / DATABASE_CA_FILE is set but sslmode=disable turns TLS off: remove one of them');
  }

  if (requested !== null) url.searchParams.delete('sslmode');
  return { connectionString: url.toString(), sslMode, ssl: sslOptions(sslMode, caPem) };
}

function parseUrlOrThrow(databaseUrl: string): URL {
  try {
    return new URL(databaseUrl);
  } catch {
    // The URL may hold a password, so it stays out of the message.
    throw new Error('DATABASE_URL 不是有效的 URL / DATABASE_URL is not a valid URL');
  }
}

function sslOptions(mode: PostgresSslMode, caPem: string | undefined): false | ConnectionOptions {
  const ca = caPem ? { ca: caPem } : {};
  // Skipping the host name check is what libpq's verify-ca means: the chain must lead to the CA.
  const anyHostName = { checkServerIdentity: () => undefined };

  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      // libpq: with a root certificate configured, require behaves like verify-ca.
      return caPem ? { ...ca, rejectUnauthorized: true, ...anyHostName } : { rejectUnauthorized: false };
    case 'verify-ca':
      return { ...ca, rejectUnauthorized: true, ...anyHostName };
    case 'verify-full':
      return { ...ca, rejectUnauthorized: true };
  }
}

/** Certificate errors of Node's TLS client that a wrong or missing DATABASE_CA_FILE causes. */
const CERTIFICATE_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Rewords a failed PostgreSQL connection when TLS caused it, naming the setting to change.
 * Other errors are returned unchanged. The URL, which may hold a password, is never included.
 */
export function describePostgresConnectionError(error: unknown, sslMode: PostgresSslMode): unknown {
  const message = error instanceof Error ? error.message : '';
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';

  if (message.includes('does not support SSL connections')) {
    return new Error(
      `PostgreSQL 服务器不接受 TLS 连接，而 DATABASE_URL 的 sslmode=${sslMode} 要求 TLS / the PostgreSQL server rejected TLS but sslmode=${sslMode} in DATABASE_URL requires it: enable ssl on the server (no plain-text fallback is attempted)`,
      { cause: error },
    );
  }
  if (CERTIFICATE_ERROR_CODES.has(code)) {
    return new Error(
      `PostgreSQL 服务器证书校验失败 (${code}) / the PostgreSQL server certificate failed verification (${code}) under sslmode=${sslMode}: give the CA that signed it with DATABASE_CA_FILE, or check the host name in DATABASE_URL`,
      { cause: error },
    );
  }
  return error;
}
