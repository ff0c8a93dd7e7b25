import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, httpStatusOf, type ErrorCode } from '../errors/index.js';
import { errorMessage, negotiateLocale } from '../i18n/index.js';

function send(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, error?: AppError, issues?: { path: string; message: string }[]) {
  const locale = request.locale ?? negotiateLocale(request.headers['accept-language']);
  const body: Record<string, unknown> = { code, message: errorMessage(locale, code, error?.params) };
  const fieldIssues = issues ?? error?.issues;
  if (fieldIssues && fieldIssues.length > 0) body.issues = fieldIssues;
  return reply.status(httpStatusOf(code)).type('application/json; charset=utf-8').send(body);
}

/**
 * Maps every error to `{code, message}` in the request's language. Unexpected errors are
 * logged with their stack and returned as a bare `internal_error`, so no stack trace, SQL or
 * value reaches the caller.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    return send(request, reply, error.code, error);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => ({ path: issue.instancePath.replace(/^\//, '').replace(/\//g, '.') || String(issue.params.issue ?? ''), message: issue.message ?? 'invalid' }));
    return send(request, reply, 'validation_failed', undefined, issues);
  }
  if (error.statusCode === 429) {
    return send(request, reply, 'rate_limited');
  }
  if (error.code === 'FST_REQ_FILE_TOO_LARGE' || error.statusCode === 413) {
    return send(request, reply, 'import_file_too_large', new AppError('import_file_too_large', { maxMb: 20 }));
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    // Malformed JSON, a wrong content type and the like: the client's input, not our fault.
    return send(request, reply, 'validation_failed');
  }
  request.log.error({ err: error }, 'unhandled error');
  return send(request, reply, 'internal_error');
}
