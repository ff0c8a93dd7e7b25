import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadSubjectSnapshot, permissionsOf } from '../access/index.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { PRE_SESSION_COOKIE, SESSION_COOKIE } from '../http/http.types.js';
import { csrfBinding, requireAuth } from '../http/request-auth.js';
import type { AuthService } from './auth.service.js';
import type { CsrfTokens } from './csrf.js';
import { findDepartmentName, findRoleKeys, findUserById } from './user.repository.js';

export interface AuthRouteOptions {
  db: Db;
  auth: AuthService;
  csrf: CsrfTokens;
  secureCookies: boolean;
  loginAttemptsPerMinute: number;
}

const loginBody = z.object({ username: z.string().trim().min(1).max(128), password: z.string().min(1).max(256) });
const setupBody = z.object({
  token: z.string().min(16).max(128),
  username: z.string().trim().min(2).max(64),
  displayName: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});

export async function presentMe(db: Db, userId: string) {
  const user = await findUserById(db, userId);
  const subject = await loadSubjectSnapshot(db, userId);
  if (!user || !subject) throw new AppError('unauthenticated');
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: await findRoleKeys(db, user.id),
    departmentName: await findDepartmentName(db, user.departmentId),
    permissions: permissionsOf(subject),
  };
}

export function authRoutes(options: AuthRouteOptions) {
  const { db, auth, csrf, secureCookies } = options;
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure: secureCookies, path: '/' };
  const origin = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] });
  const setSession = (reply: FastifyReply, token: string) => {
    reply.setCookie(SESSION_COOKIE, token, cookieOptions);
    reply.clearCookie(PRE_SESSION_COOKIE, { path: '/' });
  };

  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get('/api/auth/csrf', { config: { action: 'public' }, schema: { tags: ['auth'], summary: 'CSRF token for the x-csrf-token header' } }, async (request, reply) => {
      let binding = csrfBinding(request);
      if (!binding) {
        const pre = randomBytes(24).toString('base64url');
        reply.setCookie(PRE_SESSION_COOKIE, pre, cookieOptions);
        binding = `p:${pre}`;
      }
      reply.header('cache-control', 'no-store');
      return { token: csrf.issue(binding) };
    });

    routes.post(
      '/api/auth/login',
      { config: { action: 'public', rateLimit: { max: options.loginAttemptsPerMinute, timeWindow: '1 minute' } }, schema: { tags: ['auth'], summary: 'Sign in with username and password', body: loginBody } },
      async (request, reply) => {
        const signedIn = await auth.login({ username: request.body.username, password: request.body.password, origin: origin(request) });
        // A new session id at every sign-in, so a session fixed before sign-in is worthless.
        setSession(reply, signedIn.sessionToken);
        return { user: await presentMe(db, signedIn.userId) };
      },
    );

    routes.post('/api/auth/logout', { config: { action: 'authenticated' }, schema: { tags: ['auth'], summary: 'Sign out' } }, async (request, reply) => {
      const { session, subject } = requireAuth(request);
      await auth.logout(session, { id: subject.userId, username: subject.username }, origin(request));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    });

    routes.get('/api/auth/me', { config: { action: 'authenticated' }, schema: { tags: ['auth'], summary: 'The signed-in member and permissions' } }, async (request) => {
      return { user: await presentMe(db, requireAuth(request).subject.userId) };
    });

    routes.get('/api/setup/status', { config: { action: 'public' }, schema: { tags: ['setup'], summary: 'Whether the first administrator is still to be created' } }, async () => {
      return { needed: await auth.isSetupNeeded() };
    });

    routes.post(
      '/api/setup',
      { config: { action: 'public', rateLimit: { max: options.loginAttemptsPerMinute, timeWindow: '1 minute' } }, schema: { tags: ['setup'], summary: 'Create the first system administrator with the set-up token', body: setupBody } },
      async (request, reply) => {
        const signedIn = await auth.completeSetup({ ...request.body, origin: origin(request) });
        setSession(reply, signedIn.sessionToken);
        return reply.status(201).send({ user: await presentMe(db, signedIn.userId) });
      },
    );
  };
}
