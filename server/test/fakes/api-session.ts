import type { FastifyInstance } from 'fastify';

/**
 * A cookie-keeping client over Fastify's injection with every method the security routes use
 * (the shared TestSession has GET and POST only). It sends the CSRF token as the web app does.
 */
export class ApiSession {
  readonly #app: FastifyInstance;
  readonly #cookies = new Map<string, string>();
  #csrf: string | undefined;

  private constructor(app: FastifyInstance) {
    this.#app = app;
  }

  static async signIn(app: FastifyInstance, username: string, password: string): Promise<ApiSession> {
    const session = new ApiSession(app);
    const response = await session.send('POST', '/api/auth/login', { username, password });
    if (response.statusCode !== 200) throw new Error(`Sign-in of ${username} failed: ${response.statusCode} ${response.body}`);
    return session;
  }

  get(url: string) {
    return this.send('GET', url);
  }

  post(url: string, payload?: unknown) {
    return this.send('POST', url, payload);
  }

  put(url: string, payload?: unknown) {
    return this.send('PUT', url, payload);
  }

  delete(url: string) {
    return this.send('DELETE', url);
  }

  async send(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, locale = 'zh-CN') {
    if (method !== 'GET' && !this.#csrf) {
      const token = await this.#inject('GET', '/api/auth/csrf', undefined, {}, locale);
      this.#csrf = (token.json() as { token: string }).token;
    }
    return this.#inject(method, url, payload, method === 'GET' ? {} : { 'x-csrf-token': this.#csrf ?? '' }, locale);
  }

  async #inject(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload: unknown, headers: Record<string, string>, locale: string) {
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await this.#app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
      headers: { 'accept-language': locale, 'user-agent': 'vitest', ...(cookie ? { cookie } : {}), ...headers },
    });
    // A new session cookie changes what the CSRF token is bound to.
    if (response.cookies.some((entry) => entry.name === 'lg_session')) this.#csrf = undefined;
    for (const entry of response.cookies) {
      if (entry.value === '') this.#cookies.delete(entry.name);
      else this.#cookies.set(entry.name, entry.value);
    }
    return response;
  }
}
