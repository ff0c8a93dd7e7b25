import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { AuditLog } from '../audit/index.js';
import { AppError, httpStatusOf, type ErrorCode, type IssueMessage } from '../errors/index.js';
import { type Locale, errorMessage, negotiateLocale, translate } from '../i18n/index.js';

type Issue = { path: string; message: string };

/** The largest JSON body a route accepts, in bytes; uploads go through multipart instead. */
export const JSON_BODY_LIMIT = 1024 * 1024;

function send(request: FastifyRequest, reply: FastifyReply, error: AppError, issues?: Issue[]) {
  const locale = request.locale ?? negotiateLocale(request.headers['accept-language']);
  const body: Record<string, unknown> = { code: error.code, message: errorMessage(locale, error.code, error.params) };
  // Issues raised by services carry a message key; validation issues arrive already translated.
  const fieldIssues = issues ?? error.issues.map((issue) => ({ path: issue.path, message: translateIssueKey(locale, issue.message, error) }));
  if (fieldIssues.length > 0) body.issues = fieldIssues;
  Object.assign(body, error.extra);
  return reply.status(httpStatusOf(error.code)).type('application/json; charset=utf-8').send(body);
}

function translateIssueKey(locale: Locale, key: IssueMessage, error: AppError): string {
  if (typeof key !== 'string') return key[locale];
  const text = translate(locale, `issue.${key}`, error.params);
  return text === `issue.${key}` ? errorMessage(locale, error.code, error.params) : text;
}

/** Turns one zod issue into a message in the request's language, never echoing the value. */
function localizeIssue(locale: Locale, issue: { code?: string; origin?: string; maximum?: unknown; minimum?: unknown; input?: unknown } | undefined): string {
  switch (issue?.code) {
    case 'too_big':
      return translate(locale, issue.origin === 'string' ? 'issue.too_long' : 'issue.too_big', { maximum: String(issue.maximum) });
    case 'too_small':
      return translate(locale, 'issue.too_small', { minimum: String(issue.minimum) });
    case 'invalid_type':
      return translate(locale, issue.input === undefined ? 'issue.required' : 'issue.invalid');
    default:
      return translate(locale, 'issue.invalid');
  }
}

/**
 * Creates the handler that maps every error to `{code, message}` in the request's language.
 * Unexpected errors are logged with their stack and returned as a bare `internal_error`, so no
 * stack trace, SQL or value reaches the caller. Rate-limit rejections are audited, because a
 * burst of them is what password guessing looks like.
 */
export function createErrorHandler({ audit }: { audit: AuditLog }) {
  return async function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const locale = request.locale ?? negotiateLocale(request.headers['accept-language']);
    if (error instanceof AppError) {
      return send(request, reply, error);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      // The zod provider puts the zod issue code in `keyword` and its other members in `params`.
      const issues = error.validation.map((issue) => ({
        path: issue.instancePath.replace(/^\//, '').replace(/\//g, '.'),
        message: localizeIssue(locale, { code: issue.keyword, ...(issue.params as { origin?: string; maximum?: unknown; minimum?: unknown; input?: unknown }) }),
      }));
      return send(request, reply, new AppError('validation_failed'), issues);
    }
    if (error.statusCode === 429) {
      const retryAfter = Number(reply.getHeader('retry-after')) || 60;
      await audit
        .record({ action: 'access.denied', outcome: 'denied', actor: null, ip: request.ip, userAgent: request.headers['user-agent'], details: { attempted: `${request.method} ${request.routeOptions.url}`, reasons: ['rate_limited'] } })
        .catch((auditError: unknown) => request.log.error({ err: auditError }, 'audit of a rate-limited request failed'));
      return send(request, reply, new AppError('rate_limited', { seconds: retryAfter }));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return send(request, reply, new AppError('payload_too_large', { maxKb: JSON_BODY_LIMIT / 1024 }));
    }
    if (error.code === 'FST_REQ_FILE_TOO_LARGE' || error.code === 'FST_FILES_LIMIT') {
      return send(request, reply, new AppError('import_file_too_large', { maxMb: 20 }));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
      return send(request, reply, new AppError('validation_failed'), [{ path: 'body', message: translate(locale, 'issue.malformed_body') }]);
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // A wrong content type, an empty body and the like: the client's input, not a server fault.
      return send(request, reply, new AppError('validation_failed'));
    }
    request.log.error({ err: error, route: request.routeOptions.url }, 'unhandled error');
    return send(request, reply, new AppError('internal_error'));
  };
}
