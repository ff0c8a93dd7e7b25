import type {} from '@fastify/cookie';
import type {} from '@fastify/multipart';
import type {} from '@fastify/rate-limit';
import type { Permission, SubjectSnapshot } from '../access/index.js';
import type { ActiveSession } from '../identity/index.js';
import type { Locale } from '../i18n/index.js';

/**
 * What a route does, declared on every route: `public` needs no session, `authenticated` any
 * signed-in member, and a permission needs that permission. Services still call `decide()` for
 * the resource; this is the first of the two layers.
 */
export type RouteAction = 'public' | 'authenticated' | Permission;

export interface AuthContext {
  readonly session: ActiveSession;
  readonly subject: SubjectSnapshot;
  readonly displayName: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    action?: RouteAction;
    /** Reachable while the member must change the password first (me, sign-out, the change itself). */
    duringPasswordChange?: boolean;
  }
  interface FastifyRequest {
    locale: Locale;
    auth: AuthContext | undefined;
  }
}

export const SESSION_COOKIE = 'lg_session';
export const PRE_SESSION_COOKIE = 'lg_pre';
export const CSRF_HEADER = 'x-csrf-token';
