import pino, { type Logger } from 'pino';

/**
 * The operational log (not the audit log). Call sites log ids, codes, outcomes and durations
 * only; request bodies, query strings, cookies and headers are never passed in, and any `req`
 * or `res` object that reaches the logger is cut down to method, route and status.
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
