import http from 'node:http';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface SendOptions {
  /** A JSON body, serialized here so that any value, odd keys included, reaches the server as written. */
  json?: unknown;
  /** A raw body (multipart, or a JSON text that must reach the server byte for byte). */
  raw?: { body: Buffer | string; contentType: string };
  headers?: Record<string, string>;
  /** Leaves out the CSRF header on a state-changing request. */
  withoutCsrf?: boolean;
}

/** The parts of a response that the security checks read, the same for injected and socket requests. */
export interface ObservedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
}

const SAFE_METHODS = new Set<HttpMethod>(['GET', 'HEAD']);

/**
 * A browser-like caller over Fastify's injection: it keeps cookies, fetches the CSRF token the
 * way the web app does and sends it on every state-changing method, including PUT and DELETE.
 * A caller that never signs in is the anonymous visitor: it still gets a pre-session CSRF token.
 */
export class HttpCaller {
  readonly #app: FastifyInstance;
  readonly #cookies = new Map<string, string>();
  #csrf: string | undefined;

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  static async signIn(app: FastifyInstance, username: string, password: string): Promise<HttpCaller> {
    const caller = new HttpCaller(app);
    const response = await caller.send('POST', '/api/auth/login', { json: { username, password } });
    if (response.statusCode !== 200 || !caller.hasSession) {
      throw new Error(`Sign-in of ${username} failed: ${response.statusCode} ${response.body}`);
    }
    return caller;
  }

  get hasSession(): boolean {
    return this.#cookies.has('lg_session');
  }

  /** The Cookie header this caller sends, for clients outside the injector (a real socket). */
  get cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async send(method: HttpMethod, url: string, options: SendOptions = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { 'accept-language': 'zh-CN', 'user-agent': 'vitest-security', ...options.headers };
    if (!SAFE_METHODS.has(method) && !options.withoutCsrf) {
      this.#csrf ??= await this.#fetchCsrf();
      headers['x-csrf-token'] = this.#csrf;
    }
    if (this.#cookies.size > 0) headers.cookie = this.cookieHeader;

    let payload: string | Buffer | undefined;
    if (options.raw) {
      payload = options.raw.body;
      headers['content-type'] = options.raw.contentType;
    } else if (options.json !== undefined) {
      payload = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }

    const response = await this.#app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    this.#keepCookies(response);
    return response;
  }

  async #fetchCsrf(): Promise<string> {
    const response = await this.send('GET', '/api/auth/csrf');
    return (response.json() as { token: string }).token;
  }

  #keepCookies(response: LightMyRequestResponse): void {
    // A new or cleared session cookie changes what the CSRF token is bound to.
    if (response.cookies.some((cookie) => cookie.name === 'lg_session')) this.#csrf = undefined;
    for (const cookie of response.cookies) {
      const expired = cookie.value === '' || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now());
      if (expired) this.#cookies.delete(cookie.name);
      else this.#cookies.set(cookie.name, cookie.value);
    }
  }
}

/**
 * Opens a GET over a real loopback socket and returns as soon as the status line arrives. A
 * server-sent event stream never ends, so an open stream is closed here and its body is empty.
 * Any other response is read to its end.
 */
export function openOverSocket(baseUrl: string, path: string, cookie: string): Promise<ObservedResponse> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${baseUrl}${path}`, { headers: { accept: 'text/event-stream', cookie, 'user-agent': 'vitest-security' } });
    request.on('response', (response) => {
      const headers = response.headers as ObservedResponse['headers'];
      if (String(response.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        resolve({ statusCode: response.statusCode ?? 0, headers, body: '' });
        request.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
  });
}

/** Builds a multipart/form-data body with text fields and one file part named `file`. */
export function multipartBody(fields: Record<string, string>, file: { name: string; content: Buffer }): { body: Buffer; contentType: string } {
  const boundary = 'lgsecurityboundary42';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(file.content, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
