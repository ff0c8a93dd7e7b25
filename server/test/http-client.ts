import type { FastifyInstance } from 'fastify';

/**
 * A cookie-keeping client over Fastify's injection: it fetches the CSRF token as the web app
 * does and sends it on every state-changing request.
 */
export class TestSession {
  readonly #app: FastifyInstance;
  readonly #cookies = new Map<string, string>();
  #csrf: string | undefined;
  locale = 'zh-CN';

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  static async signIn(app: FastifyInstance, username: string, password: string): Promise<TestSession> {
    const session = new TestSession(app);
    const response = await session.post('/api/auth/login', { username, password });
    if (response.statusCode !== 200) {
      throw new Error(`Sign-in of ${username} failed: ${response.statusCode} ${response.body}`);
    }
    return session;
  }

  async get(url: string) {
    return this.#send('GET', url);
  }

  async post(url: string, payload?: unknown, headers: Record<string, string> = {}) {
    if (!this.#csrf) {
      await this.refreshCsrf();
    }
    return this.#send('POST', url, payload, { 'x-csrf-token': this.#csrf ?? '', ...headers });
  }

  async refreshCsrf(): Promise<void> {
    const response = await this.#send('GET', '/api/auth/csrf');
    this.#csrf = (response.json() as { token: string }).token;
  }

  async #send(method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) {
    const cookieHeader = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await this.#app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
      headers: { 'accept-language': this.locale, 'user-agent': 'vitest', ...(cookieHeader ? { cookie: cookieHeader } : {}), ...headers },
    });
    // A new or cleared session cookie changes what the CSRF token is bound to.
    if (response.cookies.some((cookie) => cookie.name === 'lg_session')) {
      this.#csrf = undefined;
    }
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now())) this.#cookies.delete(cookie.name);
      else this.#cookies.set(cookie.name, cookie.value);
    }
    return response;
  }
}
