import type { SecretBook } from './day-secrets.js';

/** One request and its response, kept so the test can search every error response afterwards. */
export interface Exchange {
  readonly browserName: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly setCookies: readonly { name: string; value: string }[];
  readonly body: Buffer;
}

export interface DayResponse {
  readonly status: number;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  json<T = Record<string, unknown>>(): T;
}

/**
 * A member's browser over real HTTP: it keeps cookies, fetches the CSRF token as the web app
 * does, records every exchange, and adds every cookie value and CSRF token it receives to the
 * secret book.
 */
export class DayBrowser {
  readonly #baseUrl: string;
  readonly #browserName: string;
  readonly #exchanges: Exchange[];
  readonly #secrets: SecretBook;
  readonly #cookies = new Map<string, string>();
  #csrf: string | undefined;

  constructor({ baseUrl, browserName, exchanges, secrets }: { baseUrl: string; browserName: string; exchanges: Exchange[]; secrets: SecretBook }) {
    this.#baseUrl = baseUrl;
    this.#browserName = browserName;
    this.#exchanges = exchanges;
    this.#secrets = secrets;
  }

  /** The current session cookie, for the checks of how sessions are stored. */
  get sessionToken(): string | undefined {
    return this.#cookies.get('lg_session');
  }

  get(path: string): Promise<DayResponse> {
    return this.#send('GET', path);
  }

  async post(path: string, payload: unknown = {}): Promise<DayResponse> {
    return this.#send('POST', path, JSON.stringify(payload), { 'content-type': 'application/json' });
  }

  /** Posts a multipart form: plain fields first, then the file, as the web app's upload does. */
  async upload(path: string, fields: Record<string, string>, file: { name: string; type: string; content: Buffer }): Promise<DayResponse> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([new Uint8Array(file.content)], { type: file.type }), file.name);
    return this.#send('POST', path, form);
  }

  async #send(method: 'GET' | 'POST', path: string, body?: string | FormData, headers: Record<string, string> = {}): Promise<DayResponse> {
    if (method === 'POST' && !this.#csrf) {
      const token = await this.#send('GET', '/api/auth/csrf');
      this.#csrf = token.json<{ token: string }>().token;
      this.#secrets.add('CSRF token', this.#csrf);
    }

    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${this.#baseUrl}${path}`, {
      method,
      body,
      redirect: 'manual',
      headers: { 'accept-language': 'zh-CN', 'user-agent': `secrets-day ${this.#browserName}`, ...(cookie ? { cookie } : {}), ...(method === 'POST' ? { 'x-csrf-token': this.#csrf ?? '' } : {}), ...headers },
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const setCookies = response.headers.getSetCookie().map(parseSetCookie);
    const responseHeaders = Object.fromEntries(response.headers.entries());
    this.#exchanges.push({ browserName: this.#browserName, method, path, status: response.status, headers: responseHeaders, setCookies, body: bytes });

    for (const { name, value } of setCookies) {
      // A new or cleared session cookie changes what the CSRF token is bound to.
      if (name === 'lg_session') this.#csrf = undefined;
      if (value === '') {
        this.#cookies.delete(name);
      } else {
        this.#cookies.set(name, value);
        this.#secrets.add(`cookie ${name}`, value);
      }
    }

    return {
      status: response.status,
      body: bytes,
      headers: responseHeaders,
      json: <T>() => JSON.parse(bytes.toString('utf8')) as T,
    };
  }
}

function parseSetCookie(header: string): { name: string; value: string } {
  const [pair = ''] = header.split(';');
  const separator = pair.indexOf('=');
  return { name: pair.slice(0, separator).trim(), value: decodeURIComponent(pair.slice(separator + 1).trim()) };
}
