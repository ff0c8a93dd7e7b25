import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PRE_SESSION_COOKIE, SESSION_COOKIE } from '../http/http.types.js';

export const CHALLENGE_COOKIE = 'lg_challenge';
export const DEVICE_COOKIE = 'lg_device';
const DEVICE_COOKIE_DAYS = 400;

export interface CookieSettings {
  readonly secure: boolean;
}

function base(settings: CookieSettings) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: settings.secure, path: '/' };
}

/** Sets the new session cookie: a new id at every sign-in, so a session fixed before it is worthless. */
export function setSessionCookie(reply: FastifyReply, settings: CookieSettings, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, base(settings));
  reply.clearCookie(PRE_SESSION_COOKIE, { path: '/' });
  reply.clearCookie(CHALLENGE_COOKIE, { path: '/' });
}

export function setChallengeCookie(reply: FastifyReply, settings: CookieSettings, token: string): void {
  reply.setCookie(CHALLENGE_COOKIE, token, { ...base(settings), maxAge: 10 * 60 });
}

/** Returns the browser's device token, issuing one on first sight. */
export function deviceTokenOf(request: FastifyRequest, reply: FastifyReply, settings: CookieSettings): string {
  const existing = request.cookies[DEVICE_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{32,64}$/.test(existing)) {
    return existing;
  }
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(DEVICE_COOKIE, token, { ...base(settings), maxAge: DEVICE_COOKIE_DAYS * 86_400 });
  return token;
}
