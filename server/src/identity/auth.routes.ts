import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadSubjectSnapshot, permissionsOf } from '../access/index.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { PRE_SESSION_COOKIE, SESSION_COOKIE } from '../http/http.types.js';
import { csrfBinding, requireAuth } from '../http/request-auth.js';
import type { AuthService, SecondFactorDue, SignedIn } from './auth.service.js';
import type { CsrfTokens } from './csrf.js';
import { type CookieSettings, CHALLENGE_COOKIE, deviceTokenOf, setChallengeCookie, setSessionCookie } from './sign-in.cookies.js';
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

export async function presentMe(db: Db, userId: string, mustChangePassword = false) {
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
    mustChangePassword,
  };
}

export function requestOrigin(request: FastifyRequest) {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** Answers a sign-in step: the member and a session cookie, or the second factor still due. */
export async function answerSignIn(db: Db, reply: FastifyReply, cookies: CookieSettings, outcome: SignedIn | SecondFactorDue) {
  if (outcome.kind === 'challenge') {
    setChallengeCookie(reply, cookies, outcome.challengeToken);
    return { mfaRequired: true, methods: outcome.methods, enrolmentRequired: outcome.enrolmentRequired, enrolmentMethods: outcome.enrolmentMethods, phoneMasked: outcome.phoneMasked };
  }
  setSessionCookie(reply, cookies, outcome.sessionToken);
  const mustChange = await db.selectFrom('users').select('must_change_password').where('id', '=', outcome.userId).executeTakeFirst();
  return { user: await presentMe(db, outcome.userId, Number(mustChange?.must_change_password) === 1) };
}

export function authRoutes(options: AuthRouteOptions) {
  const { db, auth, csrf } = options;
  const cookies: CookieSettings = { secure: options.secureCookies };

  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const limited = { max: options.loginAttemptsPerMinute, timeWindow: '1 minute' };

    routes.get('/api/auth/csrf', { config: { action: 'public' }, schema: { tags: ['auth'], summary: 'CSRF token for the x-csrf-token header' } }, async (request, reply) => {
      let binding = csrfBinding(request);
      if (!binding) {
        const pre = randomBytes(24).toString('base64url');
        reply.setCookie(PRE_SESSION_COOKIE, pre, { httpOnly: true, sameSite: 'strict', secure: cookies.secure, path: '/' });
        binding = `p:${pre}`;
      }
      return { token: csrf.issue(binding) };
    });

    routes.post('/api/auth/login', { config: { action: 'public', rateLimit: limited }, schema: { tags: ['auth'], summary: 'Sign in with username and password; may ask for a second factor', body: loginBody } }, async (request, reply) => {
      const outcome = await auth.login({ username: request.body.username, password: request.body.password, context: { origin: requestOrigin(request), deviceToken: deviceTokenOf(request, reply, cookies) } });
      return answerSignIn(db, reply, cookies, outcome);
    });

    routes.post('/api/auth/logout', { config: { action: 'authenticated', duringPasswordChange: true }, schema: { tags: ['auth'], summary: 'Sign out' } }, async (request, reply) => {
      const { session, subject } = requireAuth(request);
      await auth.logout(session, { id: subject.userId, username: subject.username }, requestOrigin(request));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(CHALLENGE_COOKIE, { path: '/' });
      return reply.status(204).send();
    });

    routes.get('/api/auth/me', { config: { action: 'authenticated', duringPasswordChange: true }, schema: { tags: ['auth'], summary: 'The signed-in member and permissions' } }, async (request) => {
      const { session, subject } = requireAuth(request);
      return { user: await presentMe(db, subject.userId, session.mustChangePassword) };
    });

    routes.get('/api/setup/status', { config: { action: 'public' }, schema: { tags: ['setup'], summary: 'Whether the first administrator is still to be created' } }, async () => {
      return { needed: await auth.isSetupNeeded() };
    });

    routes.post('/api/setup', { config: { action: 'public', rateLimit: limited }, schema: { tags: ['setup'], summary: 'Create the first system administrator with the set-up token', body: setupBody } }, async (request, reply) => {
      const signedIn = await auth.completeSetup({ ...request.body, origin: requestOrigin(request) });
      setSessionCookie(reply, cookies, signedIn.sessionToken);
      return reply.status(201).send({ user: await presentMe(db, signedIn.userId) });
    });
  };
}
