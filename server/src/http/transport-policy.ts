import { isIP } from 'node:net';

/** HSTS lifetime in seconds: one year. */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/** Settings that decide whether browsers reach the server over HTTPS. */
export interface TransportFacts {
  /** Address the server listens on (HOST). */
  host: string;
  /** Whether the built-in HTTPS server is configured (TLS_CERT_FILE and TLS_KEY_FILE). */
  tls: boolean;
  /** Whether the operator declared a TLS-terminating reverse proxy in front (BEHIND_TLS_PROXY). */
  behindTlsProxy: boolean;
  /** PUBLIC_URL, the address members open in their browsers. */
  publicUrl: string;
}

/**
 * Raised when the configuration would serve plain HTTP beyond this machine. The message is
 * bilingual because it is printed to the operator as it is.
 */
export class PlainHttpExposureError extends Error {
  constructor(host: string) {
    super(
      `HOST=${host} 不是本机回环地址，且未配置 TLS 证书，拒绝以明文 HTTP 对外提供服务。` +
        '请设置 TLS_CERT_FILE 和 TLS_KEY_FILE 以启用 HTTPS；如果前面有负责 TLS 的反向代理，请设置 BEHIND_TLS_PROXY=true；仅在本机使用时请设置 HOST=127.0.0.1。\n' +
        `HOST=${host} is not a loopback address and no TLS certificate is configured, so the server will not serve plain HTTP on it. ` +
        'Set TLS_CERT_FILE and TLS_KEY_FILE to serve HTTPS, set BEHIND_TLS_PROXY=true if a TLS-terminating reverse proxy sits in front, or set HOST=127.0.0.1 for local use only.',
    );
    this.name = 'PlainHttpExposureError';
  }
}

/**
 * Returns whether `host` accepts connections only from this machine: 127.0.0.0/8, ::1 (also in its
 * IPv4-mapped form) or the name localhost. Any other name may resolve to a public address.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;

  const mapped = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  if (isIP(mapped) === 4) return mapped.split('.')[0] === '127';
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Returns whether the configuration may serve. Plain HTTP is allowed only on loopback, because
 * anyone on the network can read a session cookie or an ID number sent in clear text.
 */
export function isTransportAllowed(facts: Pick<TransportFacts, 'host' | 'tls' | 'behindTlsProxy'>): boolean {
  return facts.tls || facts.behindTlsProxy || isLoopbackHost(facts.host);
}

export function assertTransportAllowedOrThrow(facts: Pick<TransportFacts, 'host' | 'tls' | 'behindTlsProxy'>): void {
  if (!isTransportAllowed(facts)) {
    throw new PlainHttpExposureError(facts.host);
  }
}

/**
 * Returns whether responses carry Strict-Transport-Security. Browsers reach the app over HTTPS
 * only with the built-in TLS or a TLS proxy. On plain loopback HTTP the header would pin
 * localhost to HTTPS for a year in the member's browser.
 */
export function isHstsEnabled(facts: Pick<TransportFacts, 'tls' | 'behindTlsProxy'>): boolean {
  return facts.tls || facts.behindTlsProxy;
}

/** Returns whether cookies get the Secure flag, which they need whenever browsers use HTTPS. */
export function isSecureCookiesEnabled(facts: Pick<TransportFacts, 'tls' | 'behindTlsProxy' | 'publicUrl'>): boolean {
  return facts.tls || facts.behindTlsProxy || facts.publicUrl.startsWith('https://');
}
