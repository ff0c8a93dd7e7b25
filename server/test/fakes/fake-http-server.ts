import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a fake service saw it, accepted or not. */
export interface ReceivedRequest {
  readonly accepted: boolean;
  /** Why the fake rejected the request, such as `sign not match`. */
  readonly rejection?: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: string;
  /** The parsed JSON body, when it parsed. */
  readonly body: unknown;
}

export interface FakeReply {
  readonly status: number;
  /** Sent as JSON unless it is a string. */
  readonly body: unknown;
}

export type FakeHandler = (request: { method: string; url: URL; headers: IncomingMessage['headers']; rawBody: string; body: unknown }) => { reply: FakeReply; rejection?: string };

export interface FakeServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly origin: string;
  readonly received: ReceivedRequest[];
  /** Bodies of the requests the fake accepted, in order. */
  accepted(): unknown[];
  /** Returns `reply` to the next `count` requests without checking them, as during an outage. */
  failNext(count: number, reply?: FakeReply): void;
  close(): Promise<void>;
}

/**
 * Starts a local HTTP server on 127.0.0.1 that records every request and replies through
 * `handler`, which checks the request as the real service would.
 */
export async function startFakeHttpServer(handler: FakeHandler): Promise<FakeServer> {
  const received: ReceivedRequest[] = [];
  const failures: FakeReply[] = [];

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(rawBody) as unknown;
      } catch {
        body = undefined;
      }
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const injected = failures.shift();
      const outcome = injected ? { reply: injected, rejection: `injected HTTP ${injected.status}` } : handler({ method: request.method ?? '', url, headers: request.headers, rawBody, body });

      received.push({ accepted: outcome.rejection === undefined, ...(outcome.rejection ? { rejection: outcome.rejection } : {}), path: `${url.pathname}${url.search}`, headers: request.headers, rawBody, body });
      const text = typeof outcome.reply.body === 'string' ? outcome.reply.body : JSON.stringify(outcome.reply.body);
      response.writeHead(outcome.reply.status, { 'content-type': typeof outcome.reply.body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8' });
      response.end(text);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    accepted: () => received.filter((request) => request.accepted).map((request) => request.body),
    failNext(count, reply = { status: 500, body: '<html><body>502 Bad Gateway</body></html>' }) {
      for (let index = 0; index < count; index += 1) failures.push(reply);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export function isJsonRequest(headers: IncomingMessage['headers']): boolean {
  return /^application\/json\b/i.test(String(headers['content-type'] ?? ''));
}
