import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasPermission, loadSubjectSnapshot } from '../access/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { AuthService, CsrfTokens } from '../identity/index.js';
import { findUserById } from '../identity/index.js';
import { CSRF_HEADER, PRE_SESSION_COOKIE, SESSION_COOKIE } from './http.types.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The secret a CSRF token is bound to: the session cookie, or before sign-in the pre-session cookie. */
export function csrfBinding(request: FastifyRequest): string | undefined {
  const session = request.cookies[SESSION_COOKIE];
  if (session) return `s:${session}`;
  const pre = request.cookies[PRE_SESSION_COOKIE];
  return pre ? `p:${pre}` : undefined;
}

/**
 * The gate every request passes before its handler: CSRF for state-changing methods, then the
 * route's declared action. Routes without a declaration never reach here (the app refuses to
 * start), so nothing is allowed by omission.
 */
export function createRequestGate({ db, auth, csrf, audit }: { db: Db; auth: AuthService; csrf: CsrfTokens; audit: AuditLog }) {
  return async function gate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const action = request.routeOptions.config?.action;
    if (request.is404) {
      // Unknown paths fall through to the not-found handler, which answers the same for everyone.
      return;
    }
    if (!action) {
      throw new AppError('forbidden');
    }

    if (!SAFE_METHODS.has(request.method)) {
      const binding = csrfBinding(request);
      const header = request.headers[CSRF_HEADER];
      if (!binding || !csrf.isValid(binding, typeof header === 'string' ? header : undefined)) {
        throw new AppError('csrf_invalid');
      }
    }

    if (action === 'public') {
      return;
    }

    const session = await auth.findActiveSession(request.cookies[SESSION_COOKIE]);
    const subject = session && (await loadSubjectSnapshot(db, session.userId));
    if (!session || !subject) {
      throw new AppError('unauthenticated');
    }
    const user = await findUserById(db, session.userId);
    request.auth = { session, subject, displayName: user?.displayName ?? subject.username };

    // A temporary or expired password opens only the way to change it.
    if (session.mustChangePassword && !request.routeOptions.config.duringPasswordChange) {
      throw new AppError('password_change_required');
    }

    if (action !== 'authenticated' && !hasPermission(subject, action)) {
      await audit.record({
        action: 'access.denied',
        outcome: 'denied',
        actor: { id: subject.userId, username: subject.username },
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        details: { attempted: `${request.method} ${request.routeOptions.url}`, permission: action, reasons: ['no_permission'] },
      });
      throw new AppError('forbidden');
    }
  };
}

export function requireAuth(request: FastifyRequest) {
  if (!request.auth) {
    throw new AppError('unauthenticated');
  }
  return request.auth;
}
