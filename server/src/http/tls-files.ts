import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

/** Options of Node's HTTPS server for the built-in TLS listener. */
export interface HttpsServerOptions {
  cert: Buffer;
  key: Buffer;
  minVersion: 'TLSv1.2';
}

/**
 * Reads the PEM certificate chain and private key of the built-in HTTPS server and checks that
 * they belong together, so a wrong file fails at start-up and not at the first handshake.
 * TLS 1.0 and 1.1 are refused: both are deprecated by RFC 8996.
 */
export function loadHttpsServerOptions(files: { certFile: string; keyFile: string }): HttpsServerOptions {
  const cert = readPem(files.certFile, 'TLS_CERT_FILE');
  const key = readPem(files.keyFile, 'TLS_KEY_FILE');

  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`TLS 证书与私钥无法一起使用 / TLS_CERT_FILE and TLS_KEY_FILE do not form a usable certificate and key pair: ${reason}`);
  }

  return { cert, key, minVersion: 'TLSv1.2' };
}

function readPem(file: string, setting: string): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new Error(`无法读取 ${setting} / cannot read ${setting} ${file}: ${code}`);
  }

  if (!content.includes('-----BEGIN ')) {
    throw new Error(`${setting} 不是 PEM 文件 / ${setting} ${file} is not a PEM file`);
  }
  return content;
}
