import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp } from './test-app.js';

let app: TestApp;

beforeAll(async () => {
  app = await createTestApp();
});

afterAll(async () => {
  await app.dispose();
});

/**
 * Every route and the action it declares. A change here is a permission change: review it as
 * one. HEAD routes mirror their GET routes.
 */
const EXPECTED_ROUTES: Record<string, string> = {
  'GET /healthz': 'public',
  'GET /api/openapi.json': 'public',
  'GET /api/auth/csrf': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'authenticated',
  'GET /api/auth/me': 'authenticated',
  'GET /api/setup/status': 'public',
  'POST /api/setup': 'public',
  'GET /api/clients': 'client:list',
  'GET /api/clients/filters': 'client:list',
  'GET /api/clients/:id': 'client:read',
  'POST /api/clients/:id/reveal': 'client:reveal',
  'GET /api/clients/:id/documents': 'client:read',
  'POST /api/clients/:id/documents': 'document:upload',
  'POST /api/clients/:id/documents/:documentId/download': 'client:reveal',
  'POST /api/clients/:id/documents/:documentId/preview': 'client:reveal',
  'POST /api/clients/:id/archive': 'client:archive',
  'POST /api/imports': 'client:import',
  'GET /api/imports': 'client:import',
  'GET /api/imports/:jobId': 'client:import',
  'GET /api/imports/:jobId/report.xlsx': 'client:import',
  'POST /api/auth/mfa/totp': 'public',
  'POST /api/auth/mfa/sms/send': 'public',
  'POST /api/auth/mfa/sms': 'public',
  'POST /api/auth/mfa/recovery': 'public',
  'POST /api/auth/mfa/passkey/options': 'public',
  'POST /api/auth/mfa/passkey': 'public',
  'POST /api/auth/mfa/enrol/totp': 'public',
  'POST /api/auth/mfa/enrol/totp/confirm': 'public',
  'POST /api/auth/mfa/enrol/passkey/options': 'public',
  'POST /api/auth/mfa/enrol/passkey': 'public',
  'POST /api/auth/passkey/options': 'public',
  'POST /api/auth/passkey': 'public',
  'POST /api/auth/step-up/totp': 'authenticated',
  'POST /api/auth/step-up/sms/send': 'authenticated',
  'POST /api/auth/step-up/sms': 'authenticated',
  'POST /api/auth/step-up/passkey/options': 'authenticated',
  'POST /api/auth/step-up/passkey': 'authenticated',
  'GET /api/account/security': 'authenticated',
  'POST /api/account/totp/start': 'authenticated',
  'POST /api/account/totp/confirm': 'authenticated',
  'POST /api/account/totp/remove': 'authenticated',
  'POST /api/account/passkeys/options': 'authenticated',
  'POST /api/account/passkeys': 'authenticated',
  'POST /api/account/passkeys/:id/rename': 'authenticated',
  'POST /api/account/passkeys/:id/remove': 'authenticated',
  'POST /api/account/recovery-codes': 'authenticated',
  'POST /api/account/email': 'authenticated',
  'POST /api/account/phone': 'authenticated',
  'POST /api/account/password': 'authenticated',
  'GET /api/account/sessions': 'authenticated',
  'POST /api/account/sessions/:id/revoke': 'authenticated',
  'POST /api/account/sessions/revoke-others': 'authenticated',
  'GET /api/account/sign-ins': 'authenticated',
  'GET /api/account/notifications': 'authenticated',
  'POST /api/account/notifications/read': 'authenticated',
  'GET /api/admin/sessions': 'session:manage',
  'POST /api/admin/sessions/:id/revoke': 'session:manage',
  'GET /api/admin/users': 'user:manage',
  'POST /api/admin/users/:id/disable': 'user:manage',
  'POST /api/admin/users/:id/enable': 'user:manage',
  'POST /api/admin/users/:id/unlock': 'user:manage',
  'POST /api/admin/users/:id/reset-password': 'user:manage',
  'POST /api/access-requests': 'authenticated',
  'GET /api/access-requests': 'authenticated',
  'GET /api/access-requests/:id': 'authenticated',
  'POST /api/access-requests/:id/approve': 'authenticated',
  'POST /api/access-requests/:id/reject': 'authenticated',
  'POST /api/access-requests/:id/withdraw': 'authenticated',
  'POST /api/break-glass': 'client:list',
  'GET /api/grants': 'authenticated',
  'GET /api/governance/flows': 'security:manage',
  'POST /api/governance/flows/:kind': 'security:manage',
  'GET /api/access/explain': 'access:explain',
  'GET /api/access/clients/:clientId/fields/:field/viewers': 'access:explain',
  'GET /api/access/members/:userId/reach': 'access:explain',
  'GET /api/access/roles': 'access:explain',
  'GET /api/access/matrix': 'access:explain',
  'GET /api/departments': 'authenticated',
  'POST /api/reviews/campaigns': 'review:manage',
  'GET /api/reviews/campaigns': 'review:manage',
  'GET /api/reviews/campaigns/:id/items': 'review:manage',
  'POST /api/reviews/campaigns/:id/close': 'review:manage',
  'GET /api/reviews/campaigns/:id/report': 'review:manage',
  'GET /api/reviews/items': 'authenticated',
  'POST /api/reviews/items/:id/decide': 'authenticated',
  'GET /api/reviews/dormant': 'review:manage',
  'POST /api/reviews/dormant/disable': 'review:manage',
  'GET /api/audit/events': 'audit:read',
  'GET /api/audit/actions': 'audit:read',
  'POST /api/audit/verify': 'audit:read',
  'GET /api/audit/events/:seq': 'audit:read',
  'POST /api/audit/export': 'audit:read',
  'GET /api/audit/checkpoints': 'audit:read',
  'GET /api/audit/checkpoints/export': 'audit:read',
  'GET /api/security/chain-status': 'security:manage',
  'GET /api/security/alerts': 'security:manage',
  'GET /api/security/alerts/stream': 'security:manage',
  'GET /api/security/alerts/:id': 'security:manage',
  'POST /api/security/alerts/:id/status': 'security:manage',
  'GET /api/security/rules': 'security:manage',
  'PUT /api/security/rules/:key': 'security:manage',
  'GET /api/security/calendar': 'security:manage',
  'PUT /api/security/calendar': 'security:manage',
  'GET /api/security/channels': 'security:manage',
  'POST /api/security/channels': 'security:manage',
  'PUT /api/security/channels/:id': 'security:manage',
  'DELETE /api/security/channels/:id': 'security:manage',
  'POST /api/security/channels/:id/test': 'security:manage',
  'GET /api/security/deliveries': 'security:manage',
};

describe('route table', () => {
  it('declares the expected action on every route', () => {
    const actual = Object.fromEntries(app.routeTable.filter((route) => route.method !== 'HEAD').map((route) => [`${route.method} ${route.url}`, route.action]));

    expect(actual).toEqual(EXPECTED_ROUTES);
  });

  it('refuses to start with a route that declares no action', async () => {
    const { buildHttpApp } = await import('../src/http/app.js');
    const undeclared = async (instance: import('fastify').FastifyInstance) => {
      instance.get('/api/undeclared', async () => ({ ok: true }));
    };

    await expect(buildHttpApp({ logger: app.logger, db: app.db, audit: app.audit, auth: app.auth, csrf: new (await import('../src/identity/index.js')).CsrfTokens(Buffer.alloc(32)), routes: [undeclared], webRoot: undefined, trustProxy: false })).rejects.toThrow(/declares no action/);
  });

  it('documents every route in the OpenAPI document', async () => {
    const response = await app.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const paths = Object.keys((response.json() as { paths: Record<string, unknown> }).paths);

    expect(paths).toEqual(expect.arrayContaining(['/api/auth/login', '/api/clients', '/api/clients/{id}', '/api/clients/{id}/reveal', '/api/audit/events']));
  });
});
