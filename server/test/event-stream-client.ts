import http from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface StreamMessage {
  readonly event: string | undefined;
  readonly id: string | undefined;
  readonly data: string;
  /** `Date.now()` when the message was complete. */
  readonly receivedAt: number;
}

/**
 * Signs a member in through the app's own routes (CSRF token, then password) and returns the
 * session cookie header, for clients that cannot use Fastify's injection, such as a stream.
 */
export async function sessionCookie(app: FastifyInstance, username: string, password: string): Promise<string> {
  const csrf = await app.inject({ method: 'GET', url: '/api/auth/csrf' });
  const pre = csrf.cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, headers: { cookie: pre, 'x-csrf-token': (csrf.json() as { token: string }).token } });
  const session = login.cookies.find((cookie) => cookie.name === 'lg_session');
  if (login.statusCode !== 200 || !session) throw new Error(`Sign-in of ${username} failed: ${login.statusCode}`);
  return `lg_session=${session.value}`;
}

/** A minimal server-sent events client over a real loopback connection. */
export class EventStreamClient {
  readonly messages: StreamMessage[] = [];
  readonly comments: string[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  ended = false;
  readonly #request: http.ClientRequest;
  readonly #waiters: (() => void)[] = [];
  #buffer = '';

  private constructor(request: http.ClientRequest) {
    this.#request = request;
  }

  static open(url: string, headers: Record<string, string>): Promise<EventStreamClient> {
    return new Promise((resolve, reject) => {
      const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } });
      const client = new EventStreamClient(request);
      request.on('response', (response) => {
        client.status = response.statusCode ?? 0;
        client.headers = response.headers;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => client.#receive(chunk));
        response.on('end', () => {
          client.ended = true;
          client.#wake();
        });
        resolve(client);
      });
      request.on('error', reject);
    });
  }

  /** Waits until `predicate` holds for the stream's state, or fails after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the next `event: alert` message after the first `skip` ones and returns its alert. */
  async nextAlert(skip: number, timeoutMs: number): Promise<{ message: StreamMessage; alert: Record<string, unknown> }> {
    const alerts = () => this.messages.filter((message) => message.event === 'alert');
    await this.waitFor(() => alerts().length > skip, timeoutMs, `alert message ${skip + 1}`);
    const message = alerts()[skip]!;
    return { message, alert: JSON.parse(message.data) as Record<string, unknown> };
  }

  close(): void {
    this.#request.destroy();
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let boundary = this.#buffer.indexOf('\n\n');
    while (boundary >= 0) {
      const block = this.#buffer.slice(0, boundary);
      this.#buffer = this.#buffer.slice(boundary + 2);
      this.#parse(block);
      boundary = this.#buffer.indexOf('\n\n');
    }
    this.#wake();
  }

  #parse(block: string): void {
    let event: string | undefined;
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) this.messages.push({ event, id, data: data.join('\n'), receivedAt: Date.now() });
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}
