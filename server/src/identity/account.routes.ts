import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isRoleKey } from '../access/index.js';
import { type AuditEvent, type AuditLog, searchAuditEvents } from '../audit/index.js';
import { AppError } from '../errors/index.js';
import type { Db } from '../db/index.js';
import { requireAuth } from '../http/request-auth.js';
import { translate } from '../i18n/index.js';
import type { AccountService } from './account.service.js';
import type { AuthService } from './auth.service.js';
import { presentMe, requestOrigin } from './auth.routes.js';
import { requiredFactor } from './mfa-policy.js';
import type { RecoveryCodes } from './mfa/recovery-codes.js';
import type { TotpService } from './mfa/totp.js';
import { translateFactorErrors } from './mfa.routes.js';
import type { PasskeyService } from './passkeys/index.js';
import { type CookieSettings, DEVICE_COOKIE, setSessionCookie } from './sign-in.cookies.js';
import { findRoleKeys } from './user.repository.js';

export interface AccountRouteOptions {
  db: Db;
  audit: AuditLog;
  auth: AuthService;
  accounts: AccountService;
  totp: TotpService;
  recovery: RecoveryCodes;
  passkeys: PasskeyService;
  secureCookies: boolean;
  secondFactorRequired: boolean;
  passwordMaxAgeDays: number;
  timeZone: string;
}

const codeBody = z.object({ code: z.string().trim().min(1).max(32) });
const passwordBody = z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) });
const phoneBody = z.object({ phone: z.string().trim().min(1).max(32) });
const nameBody = z.object({ name: z.string().trim().min(1).max(64) });
const idParams = z.object({ id: z.string().min(1).max(1400) });
const passkeyBody = z.object({ challengeId: z.string().min(1).max(100), response: z.record(z.string(), z.unknown()), name: z.string().trim().min(1).max(64).default('通行密钥') });
const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).default(1), pageSize: z.coerce.number().int().min(1).max(100).default(20) });

function actorOf(request: FastifyRequest) {
  const { subject } = requireAuth(request);
  return { id: subject.userId, username: subject.username };
}

/** Registers the member's own security routes: factors, password, phone, sessions, sign-in history. */
export function accountRoutes(options: AccountRouteOptions) {
  const { db, auth, accounts, totp, recovery, passkeys } = options;
  const cookies: CookieSettings = { secure: options.secureCookies };
  const member = { action: 'authenticated' as const };

  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const stepUp = async (request: FastifyRequest) => auth.assertRecentSecondFactorOrThrow(requireAuth(request).session);

    routes.get('/api/account/security', { config: member, schema: { tags: ['account'], summary: 'The member’s second factors, password age and phone' } }, async (request) => {
      const { subject } = requireAuth(request);
      const [enrolled, passkeyList, remaining, user, roles] = await Promise.all([
        totp.isEnrolled(subject.userId),
        passkeys.list(subject.userId),
        recovery.remaining(subject.userId),
        db.selectFrom('users').select(['phone_masked', 'password_changed_at', 'email']).where('id', '=', subject.userId).executeTakeFirstOrThrow(),
        findRoleKeys(db, subject.userId),
      ]);
      const expiresAt = options.passwordMaxAgeDays > 0 && user.password_changed_at ? new Date(Date.parse(user.password_changed_at) + options.passwordMaxAgeDays * 86_400_000).toISOString() : null;
      return {
        totp: { enrolled },
        passkeys: passkeyList,
        recoveryCodesRemaining: remaining,
        phoneMasked: user.phone_masked,
        email: user.email,
        requiredFactor: requiredFactor(roles.filter(isRoleKey), options.secondFactorRequired),
        password: { changedAt: user.password_changed_at, expiresAt },
      };
    });

    // Adding a factor to an account that has one needs step-up: otherwise a stolen session could
    // plant its own passkey, which later signs in without the password.
    const stepUpIfProtected = async (request: FastifyRequest) => {
      const factors = await auth.factors.available(requireAuth(request).subject.userId);
      if (factors.totp || factors.passkey || factors.sms) await stepUp(request);
    };

    routes.post('/api/account/totp/start', { config: member, schema: { tags: ['account'], summary: 'Start setting up an authenticator app (needs step-up when a factor exists)' } }, async (request) => {
      await stepUpIfProtected(request);
      const { subject } = requireAuth(request);
      return translateFactorErrors(() => totp.startEnrolment(subject.userId, subject.username));
    });

    routes.post('/api/account/totp/confirm', { config: member, schema: { tags: ['account'], summary: 'Confirm the authenticator app with its first code', body: codeBody } }, async (request) => {
      const { subject } = requireAuth(request);
      const confirmed = await totp.confirmEnrolment(subject.userId, request.body.code);
      await recordFactorChange(request, 'auth.factor_enrolled', confirmed, { factor: 'totp' });
      if (confirmed) await notify(subject.userId, 'factor_added', { factor: 'totp' });
      if (!confirmed) {
        throw new AppError('mfa_code_invalid', {}, [{ path: 'code', message: 'mfa_code_invalid' }]);
      }
      const recoveryCodes = (await recovery.remaining(subject.userId)) === 0 ? await recovery.regenerate(subject.userId) : [];
      return { recoveryCodes };
    });

    /** Refuses to remove the last factor that the member's roles require (a strong one where needed). */
    const assertNotLastRequiredFactor = async (request: FastifyRequest, removing: 'totp' | 'passkey') => {
      const { subject } = requireAuth(request);
      const required = requiredFactor((await findRoleKeys(db, subject.userId)).filter(isRoleKey), options.secondFactorRequired);
      if (required === 'none') return;
      const factors = await auth.factors.available(subject.userId);
      const passkeyCount = (await passkeys.list(subject.userId)).length;
      const strongLeft = (removing === 'totp' ? 0 : Number(factors.totp)) + (removing === 'passkey' ? passkeyCount - 1 : passkeyCount);
      const anyLeft = strongLeft + Number(factors.sms);
      if ((required === 'strong' && strongLeft < 1) || anyLeft < 1) throw new AppError('last_factor_required');
    };

    routes.post('/api/account/totp/remove', { config: member, schema: { tags: ['account'], summary: 'Remove the authenticator app (needs step-up)' } }, async (request, reply) => {
      await stepUp(request);
      await assertNotLastRequiredFactor(request, 'totp');
      await totp.remove(requireAuth(request).subject.userId);
      await recordFactorChange(request, 'auth.factor_removed', true, { factor: 'totp' });
      return reply.status(204).send();
    });

    routes.post('/api/account/passkeys/options', { config: member, schema: { tags: ['account'], summary: 'WebAuthn options to register a passkey (needs step-up when a factor exists)' } }, async (request) => {
      await stepUpIfProtected(request);
      const { subject, displayName } = requireAuth(request);
      return passkeys.registrationOptions({ id: subject.userId, username: subject.username, displayName });
    });

    routes.post('/api/account/passkeys', { config: member, schema: { tags: ['account'], summary: 'Register a passkey', body: passkeyBody } }, async (request) => {
      const { subject } = requireAuth(request);
      const created = await translateFactorErrors(() => passkeys.verifyRegistration({ userId: subject.userId, challengeId: request.body.challengeId, response: request.body.response as never, name: request.body.name }));
      await recordFactorChange(request, 'auth.factor_enrolled', true, { factor: 'passkey', credential: created.id.slice(0, 16) });
      await notify(subject.userId, 'factor_added', { factor: 'passkey' });
      return created;
    });

    routes.post('/api/account/passkeys/:id/rename', { config: member, schema: { tags: ['account'], summary: 'Rename a passkey', params: idParams, body: nameBody } }, async (request, reply) => {
      await translateFactorErrors(() => passkeys.rename(requireAuth(request).subject.userId, request.params.id, request.body.name));
      return reply.status(204).send();
    });

    routes.post('/api/account/passkeys/:id/remove', { config: member, schema: { tags: ['account'], summary: 'Remove a passkey (needs step-up)', params: idParams } }, async (request, reply) => {
      await stepUp(request);
      await assertNotLastRequiredFactor(request, 'passkey');
      await translateFactorErrors(() => passkeys.remove(requireAuth(request).subject.userId, request.params.id));
      await recordFactorChange(request, 'auth.factor_removed', true, { factor: 'passkey', credential: request.params.id.slice(0, 16) });
      return reply.status(204).send();
    });

    routes.post('/api/account/recovery-codes', { config: member, schema: { tags: ['account'], summary: 'Replace the recovery codes (needs step-up)' } }, async (request) => {
      await stepUp(request);
      const codes = await recovery.regenerate(requireAuth(request).subject.userId);
      await recordFactorChange(request, 'auth.recovery_codes_generated', true, { count: codes.length });
      return { codes };
    });

    routes.post('/api/account/email', { config: member, schema: { tags: ['account'], summary: 'Set the address for e-mail notices (needs step-up)', body: z.object({ email: z.string().trim().email().max(200) }) } }, async (request, reply) => {
      await stepUp(request);
      const { subject } = requireAuth(request);
      await db.updateTable('users').set({ email: request.body.email }).where('id', '=', subject.userId).execute();
      await options.audit.record({ action: 'account.email_changed', outcome: 'success', actor: actorOf(request), targetType: 'user', targetId: subject.userId, ip: request.ip, userAgent: request.headers['user-agent'] });
      return reply.status(204).send();
    });

    routes.post('/api/account/phone', { config: member, schema: { tags: ['account'], summary: 'Set the phone for SMS codes (needs step-up)', body: phoneBody } }, async (request) => {
      await stepUp(request);
      return { phoneMasked: await accounts.setPhone({ actor: actorOf(request), phone: request.body.phone, origin: requestOrigin(request) }) };
    });

    routes.post('/api/account/password', { config: { ...member, duringPasswordChange: true }, schema: { tags: ['account'], summary: 'Change the password; ends every other session', body: passwordBody } }, async (request, reply) => {
      const { session } = requireAuth(request);
      const token = await accounts.changePassword({ session, actor: actorOf(request), currentPassword: request.body.currentPassword, newPassword: request.body.newPassword, origin: requestOrigin(request) });
      setSessionCookie(reply, cookies, token);
      return { user: await presentMe(db, session.userId) };
    });

    routes.get('/api/account/sessions', { config: member, schema: { tags: ['account'], summary: 'The member’s active sessions' } }, async (request) => {
      return { items: await accounts.listOwnSessions(requireAuth(request).session) };
    });

    routes.post('/api/account/sessions/:id/revoke', { config: member, schema: { tags: ['account'], summary: 'End one of the member’s sessions', params: idParams } }, async (request, reply) => {
      await accounts.revokeSession({ publicId: request.params.id, ownerId: requireAuth(request).session.userId, actor: actorOf(request), origin: requestOrigin(request) });
      return reply.status(204).send();
    });

    routes.post('/api/account/sessions/revoke-others', { config: member, schema: { tags: ['account'], summary: 'Sign out everywhere else' } }, async (request) => {
      return { revoked: await accounts.revokeOtherSessions({ session: requireAuth(request).session, actor: actorOf(request), origin: requestOrigin(request), deviceToken: request.cookies[DEVICE_COOKIE] }) };
    });

    routes.get('/api/account/sign-ins', { config: member, schema: { tags: ['account'], summary: 'The member’s own sign-in history', querystring: pageQuery } }, async (request) => {
      const { subject } = requireAuth(request);
      const { page, pageSize } = request.query;
      const result = await searchAuditEvents(db, { actor: subject.userId, action: 'auth.login', offset: (page - 1) * pageSize, limit: pageSize });
      return { total: result.total, items: result.items.map(presentSignIn) };
    });

    routes.get('/api/account/notifications', { config: member, schema: { tags: ['account'], summary: 'The member’s notifications' } }, async (request) => {
      const { subject } = requireAuth(request);
      const rows = await db.selectFrom('notifications').selectAll().where('user_id', '=', subject.userId).orderBy('created_at', 'desc').limit(50).execute();
      return {
        unread: rows.filter((row) => !row.read_at).length,
        items: rows.map((row) => ({ id: row.id, kind: row.kind, message: translate(request.locale, `notification.${row.kind}`, withFirmTime(JSON.parse(row.params) as Record<string, string>, options.timeZone)), createdAt: row.created_at, readAt: row.read_at })),
      };
    });

    routes.post('/api/account/notifications/read', { config: member, schema: { tags: ['account'], summary: 'Mark all notifications read' } }, async (request, reply) => {
      await db.updateTable('notifications').set({ read_at: new Date().toISOString() }).where('user_id', '=', requireAuth(request).subject.userId).where('read_at', 'is', null).execute();
      return reply.status(204).send();
    });

    async function notify(userId: string, kind: string, params: Record<string, string>) {
      const { randomUUID } = await import('node:crypto');
      const now = new Date().toISOString();
      await db.insertInto('notifications').values({ id: randomUUID(), user_id: userId, kind, params: JSON.stringify({ ...params, at: now }), created_at: now, read_at: null }).execute();
    }

    async function recordFactorChange(request: FastifyRequest, action: 'auth.factor_enrolled' | 'auth.factor_removed' | 'auth.recovery_codes_generated', success: boolean, details: Record<string, unknown>) {
      await options.audit.record({ action, outcome: success ? 'success' : 'failure', actor: actorOf(request), ip: request.ip, userAgent: request.headers['user-agent'], details });
    }
  };
}

/** Shows the instant in a notification on the firm's clock, as the rest of the page does. */
function withFirmTime(params: Record<string, string>, timeZone: string): Record<string, string> {
  if (!params.at) return params;
  const formatted = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(params.at));
  return { ...params, at: formatted };
}

function presentSignIn(event: AuditEvent) {
  const details = event.details as { method?: string; failure?: string; step?: string };
  return { occurredAt: event.occurredAt, outcome: event.outcome, ip: event.ip, userAgent: event.userAgent, method: details.method ?? null, failure: details.failure ?? null, step: details.step ?? null };
}
