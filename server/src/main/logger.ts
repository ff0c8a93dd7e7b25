import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * Creates the operational log, which is not the audit log. Call sites log ids, codes, outcomes
 * and durations only, never request bodies, query strings, cookies or headers. Any `req` or
 * `res` object that reaches the logger is cut down to method, route and status.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'ledgerguard' },
    serializers: {
      err: pino.stdSerializers.err,
      req: (request: { method?: string; routeOptions?: { url?: string } }) => ({ method: request.method, route: request.routeOptions?.url }),
      res: (reply: { statusCode?: number }) => ({ status: reply.statusCode }),
    },
    formatters: { log: (object) => withoutHeaders(object) as Record<string, unknown> },
  };
  // Lines go to standard output unless a destination is given, which tests pass to read every line.
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Replaces every `headers` member, at any depth, with a placeholder. Request headers carry the
 * session cookie, the CSRF token and credentials. No call site here logs them, but libraries do
 * at trace level: @fastify/multipart 10.1.9 logs its busboy options with every request header.
 */
function withoutHeaders(value: unknown, depth = 0): unknown {
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => withoutHeaders(item, depth + 1));
  // Errors and other class instances keep their own shape, because the err serializer handles errors.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, key === 'headers' ? '[removed]' : withoutHeaders(member, depth + 1)]));
}
