import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { requireAuth } from '../http/request-auth.js';
import type { AuthService } from './auth.service.js';
import { answerSignIn, requestOrigin } from './auth.routes.js';
import type { RecoveryCodes } from './mfa/recovery-codes.js';
import type { TotpService } from './mfa/totp.js';
import { PasskeyError, type PasskeyService } from './passkeys/index.js';
import { type CookieSettings, CHALLENGE_COOKIE, deviceTokenOf } from './sign-in.cookies.js';

export interface MfaRouteOptions {
  db: Db;
  auth: AuthService;
  totp: TotpService;
  recovery: RecoveryCodes;
  passkeys: PasskeyService;
  secureCookies: boolean;
  attemptsPerMinute: number;
}

const codeBody = z.object({ code: z.string().trim().min(1).max(32), rememberDevice: z.boolean().optional() });
const stepUpCodeBody = z.object({ code: z.string().trim().min(1).max(32) });
// WebAuthn responses are produced by the browser; their inner structure is checked by the library.
const webauthnResponse = z.record(z.string(), z.unknown());
const passkeyBody = z.object({ challengeId: z.string().min(1).max(100), response: webauthnResponse, rememberDevice: z.boolean().optional() });
const passkeyEnrolBody = z.object({ challengeId: z.string().min(1).max(100), response: webauthnResponse, name: z.string().trim().min(1).max(64).default('通行密钥') });

/** Runs a factor service call, turning its own errors into application errors. */
export async function translateFactorErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof PasskeyError) throw new AppError('passkey_failed');
    if (error instanceof Error && error.message === 'totp_already_enrolled') throw new AppError('totp_already_enrolled');
    const code = (error as { code?: string }).code;
    if (code === 'sms_rate_limited') throw new AppError('sms_rate_limited', { seconds: Number((error as { retryAfterSeconds?: number }).retryAfterSeconds ?? 60) });
    if (error instanceof Error && error.name === 'SmsSendError') throw new AppError('sms_send_failed');
    throw error;
  }
}

/**
 * Routes that finish a pending sign-in (second factor or first enrolment), passwordless passkey
 * sign-in, and step-up inside a session.
 */
export function mfaRoutes(options: MfaRouteOptions) {
  const { db, auth, totp, recovery, passkeys } = options;
  const cookies: CookieSettings = { secure: options.secureCookies };
  const limited = { max: options.attemptsPerMinute, timeWindow: '1 minute' };
  const challengeOf = (request: FastifyRequest) => request.cookies[CHALLENGE_COOKIE];
  const config = { action: 'public' as const, rateLimit: limited };

  // Options name the member's passkeys. A member without one gets mfa_method_unavailable, as
  // for SMS without a phone, instead of a server error from the library.
  const assertHasPasskeyOrThrow = async (userId: string) => {
    if ((await passkeys.count(userId)) === 0) throw new AppError('mfa_method_unavailable');
  };

  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const context = (request: FastifyRequest, reply: Parameters<typeof deviceTokenOf>[1], rememberDevice?: boolean) => ({ origin: requestOrigin(request), deviceToken: deviceTokenOf(request, reply, cookies), rememberDevice: rememberDevice ?? false });

    // Second factor of a pending sign-in.
    routes.post('/api/auth/mfa/totp', { config, schema: { tags: ['auth'], summary: 'Complete sign-in with an authenticator-app code', body: codeBody } }, async (request, reply) => {
      const outcome = await auth.completeChallenge({ challengeToken: challengeOf(request), purpose: 'second_factor', method: 'totp', prove: (user) => totp.verify(user.id, request.body.code), context: context(request, reply, request.body.rememberDevice) });
      return answerSignIn(db, reply, cookies, outcome);
    });

    routes.post('/api/auth/mfa/sms/send', { config, schema: { tags: ['auth'], summary: 'Send a sign-in code by SMS to the member’s phone' } }, async (request) => {
      const user = await auth.challengeUserOrThrow(challengeOf(request), 'second_factor');
      return translateFactorErrors(() => auth.factors.sendSms(user.id, 'sign_in', request.ip));
    });

    routes.post('/api/auth/mfa/sms', { config, schema: { tags: ['auth'], summary: 'Complete sign-in with an SMS code', body: codeBody } }, async (request, reply) => {
      const outcome = await auth.completeChallenge({ challengeToken: challengeOf(request), purpose: 'second_factor', method: 'sms', prove: (user) => auth.factors.verifyCode(user.id, 'sms', request.body.code, 'sign_in'), context: context(request, reply, request.body.rememberDevice) });
      return answerSignIn(db, reply, cookies, outcome);
    });

    routes.post('/api/auth/mfa/recovery', { config, schema: { tags: ['auth'], summary: 'Complete sign-in with a recovery code', body: codeBody } }, async (request, reply) => {
      const outcome = await auth.completeChallenge({ challengeToken: challengeOf(request), purpose: 'second_factor', method: 'recovery', prove: (user) => recovery.consume(user.id, request.body.code), context: context(request, reply, false) });
      const answer = await answerSignIn(db, reply, cookies, outcome);
      return { ...answer, recoveryCodesRemaining: outcome.kind === 'signed_in' ? await recovery.remaining(outcome.userId) : undefined };
    });

    routes.post('/api/auth/mfa/passkey/options', { config, schema: { tags: ['auth'], summary: 'WebAuthn options for the second factor of a pending sign-in' } }, async (request) => {
      const user = await auth.challengeUserOrThrow(challengeOf(request), 'second_factor');
      await assertHasPasskeyOrThrow(user.id);
      return passkeys.authenticationOptions({ userId: user.id });
    });

    routes.post('/api/auth/mfa/passkey', { config, schema: { tags: ['auth'], summary: 'Complete sign-in with a passkey', body: passkeyBody } }, async (request, reply) => {
      const prove = async (user: { id: string }) => {
        try {
          await passkeys.verifyAuthentication({ challengeId: request.body.challengeId, response: request.body.response as never, expectedUserId: user.id });
          return true;
        } catch (error) {
          if (error instanceof PasskeyError) return false;
          throw error;
        }
      };
      const outcome = await auth.completeChallenge({ challengeToken: challengeOf(request), purpose: 'second_factor', method: 'passkey', prove, context: context(request, reply, request.body.rememberDevice) });
      return answerSignIn(db, reply, cookies, outcome);
    });

    // Guided enrolment when a sign-in finds no second factor set up.
    routes.post('/api/auth/mfa/enrol/totp', { config, schema: { tags: ['auth'], summary: 'Start authenticator-app enrolment during sign-in' } }, async (request) => {
      const user = await auth.challengeUserOrThrow(challengeOf(request), 'enrol');
      return translateFactorErrors(() => totp.startEnrolment(user.id, user.username));
    });

    routes.post('/api/auth/mfa/enrol/totp/confirm', { config, schema: { tags: ['auth'], summary: 'Confirm the authenticator app with its first code and sign in', body: codeBody } }, async (request, reply) => {
      const outcome = await auth.completeChallenge({ challengeToken: challengeOf(request), purpose: 'enrol', method: 'totp', prove: (user) => totp.confirmEnrolment(user.id, request.body.code), context: context(request, reply, false) });
      const answer = await answerSignIn(db, reply, cookies, outcome);
      await auth.recordEnrolment(outcome.userId, 'totp', requestOrigin(request));
      return { ...answer, recoveryCodes: await recovery.regenerate(outcome.userId) };
    });

    routes.post('/api/auth/mfa/enrol/passkey/options', { config, schema: { tags: ['auth'], summary: 'Start passkey enrolment during sign-in' } }, async (request) => {
      const user = await auth.challengeUserOrThrow(challengeOf(request), 'enrol');
      return passkeys.registrationOptions({ id: user.id, username: user.username, displayName: user.displayName });
    });

    routes.post('/api/auth/mfa/enrol/passkey', { config, schema: { tags: ['auth'], summary: 'Register the first passkey and sign in', body: passkeyEnrolBody } }, async (request, reply) => {
      const prove = async (user: { id: string }) => {
        try {
          await passkeys.verifyRegistration({ userId: user.id, challengeId: request.body.challengeId, response: request.body.response as never, name: request.body.name });
          return true;
        } catch (error) {
          if (error instanceof PasskeyError) return false;
          throw error;
        }
      };
      const outcome = await auth.completeChallenge({ challengeToken: challengeOf(request), purpose: 'enrol', method: 'passkey', prove, context: context(request, reply, false) });
      const answer = await answerSignIn(db, reply, cookies, outcome);
      await auth.recordEnrolment(outcome.userId, 'passkey', requestOrigin(request));
      return { ...answer, recoveryCodes: await recovery.regenerate(outcome.userId) };
    });

    // Passwordless sign-in with a discoverable passkey.
    routes.post('/api/auth/passkey/options', { config, schema: { tags: ['auth'], summary: 'WebAuthn options for passwordless sign-in' } }, async () => {
      return passkeys.authenticationOptions({});
    });

    routes.post('/api/auth/passkey', { config, schema: { tags: ['auth'], summary: 'Sign in with a passkey alone (user verification required)', body: passkeyBody } }, async (request, reply) => {
      let userId: string;
      try {
        ({ userId } = await passkeys.verifyAuthentication({ challengeId: request.body.challengeId, response: request.body.response as never }));
      } catch (error) {
        if (!(error instanceof PasskeyError)) throw error;
        await auth.recordPasskeyFailure(requestOrigin(request), error.code);
        throw new AppError('passkey_failed');
      }
      const outcome = await auth.signInWithPasskey({ userId, context: context(request, reply, request.body.rememberDevice) });
      return answerSignIn(db, reply, cookies, outcome);
    });

    // Step-up: confirm a second factor again inside a session.
    const stepUpConfig = { action: 'authenticated' as const, rateLimit: limited };
    routes.post('/api/auth/step-up/totp', { config: stepUpConfig, schema: { tags: ['auth'], summary: 'Confirm an authenticator-app code for step-up', body: stepUpCodeBody } }, async (request) => {
      const secondFactorAt = await auth.stepUp({ session: requireAuth(request).session, method: 'totp', prove: (userId) => totp.verify(userId, request.body.code), origin: requestOrigin(request) });
      return { secondFactorAt };
    });

    routes.post('/api/auth/step-up/sms/send', { config: stepUpConfig, schema: { tags: ['auth'], summary: 'Send a step-up code by SMS' } }, async (request) => {
      return translateFactorErrors(() => auth.factors.sendSms(requireAuth(request).session.userId, 'step_up', request.ip));
    });

    routes.post('/api/auth/step-up/sms', { config: stepUpConfig, schema: { tags: ['auth'], summary: 'Confirm an SMS code for step-up', body: stepUpCodeBody } }, async (request) => {
      const secondFactorAt = await auth.stepUp({ session: requireAuth(request).session, method: 'sms', prove: (userId) => auth.factors.verifyCode(userId, 'sms', request.body.code, 'step_up'), origin: requestOrigin(request) });
      return { secondFactorAt };
    });

    routes.post('/api/auth/step-up/passkey/options', { config: stepUpConfig, schema: { tags: ['auth'], summary: 'WebAuthn options for step-up' } }, async (request) => {
      const { userId } = requireAuth(request).session;
      await assertHasPasskeyOrThrow(userId);
      return passkeys.authenticationOptions({ userId });
    });

    routes.post('/api/auth/step-up/passkey', { config: stepUpConfig, schema: { tags: ['auth'], summary: 'Confirm a passkey for step-up', body: passkeyBody } }, async (request) => {
      const prove = async (userId: string) => {
        try {
          await passkeys.verifyAuthentication({ challengeId: request.body.challengeId, response: request.body.response as never, expectedUserId: userId });
          return true;
        } catch (error) {
          if (error instanceof PasskeyError) return false;
          throw error;
        }
      };
      const secondFactorAt = await auth.stepUp({ session: requireAuth(request).session, method: 'passkey', prove, origin: requestOrigin(request) });
      return { secondFactorAt };
    });
  };
}
