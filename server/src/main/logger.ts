import pino, { type Logger } from 'pino';

/**
 * Creates the operational log, which is not the audit log. Call sites log ids, codes, outcomes
 * and durations only, never request bodies, query strings, cookies or headers. Any `req` or
 * `res` object that reaches the logger is cut down to method, route and status.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'ledgerguard' },
    serializers: {
      err: pino.stdSerializers.err,
      req: (request: { method?: string; routeOptions?: { url?: string } }) => ({ method: request.method, route: request.routeOptions?.url }),
      res: (reply: { statusCode?: number }) => ({ status: reply.statusCode }),
    },
  });
}
