import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth } from '../http/request-auth.js';
import type { AccountService } from './account.service.js';
import { requestOrigin } from './auth.routes.js';

const sessionParams = z.object({ id: z.string().min(1).max(64) });
const userParams = z.object({ id: z.string().uuid() });

function actorOf(request: FastifyRequest) {
  const { subject } = requireAuth(request);
  return { id: subject.userId, username: subject.username };
}

/** The administrator's online-user page (在线用户) and account actions. */
export function adminRoutes({ accounts }: { accounts: AccountService }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get('/api/admin/sessions', { config: { action: 'session:manage' }, schema: { tags: ['admin'], summary: 'Every active session (online users)' } }, async () => {
      return { items: await accounts.listAllSessions() };
    });

    routes.post('/api/admin/sessions/:id/revoke', { config: { action: 'session:manage' }, schema: { tags: ['admin'], summary: 'Force a session to sign out', params: sessionParams } }, async (request, reply) => {
      await accounts.revokeSession({ publicId: request.params.id, actor: actorOf(request), origin: requestOrigin(request) });
      return reply.status(204).send();
    });

    routes.get('/api/admin/users', { config: { action: 'user:manage' }, schema: { tags: ['admin'], summary: 'Staff accounts' } }, async () => {
      return { items: await accounts.listUsers() };
    });

    routes.post('/api/admin/users/:id/disable', { config: { action: 'user:manage' }, schema: { tags: ['admin'], summary: 'Disable an account and end its sessions', params: userParams } }, async (request, reply) => {
      await accounts.setUserStatus({ userId: request.params.id, status: 'disabled', actor: actorOf(request), origin: requestOrigin(request) });
      return reply.status(204).send();
    });

    routes.post('/api/admin/users/:id/enable', { config: { action: 'user:manage' }, schema: { tags: ['admin'], summary: 'Enable an account', params: userParams } }, async (request, reply) => {
      await accounts.setUserStatus({ userId: request.params.id, status: 'active', actor: actorOf(request), origin: requestOrigin(request) });
      return reply.status(204).send();
    });

    routes.post('/api/admin/users/:id/unlock', { config: { action: 'user:manage' }, schema: { tags: ['admin'], summary: 'Lift a sign-in lock', params: userParams } }, async (request, reply) => {
      await accounts.unlockUser({ userId: request.params.id, actor: actorOf(request), origin: requestOrigin(request) });
      return reply.status(204).send();
    });

    routes.post('/api/admin/users/:id/reset-password', { config: { action: 'user:manage' }, schema: { tags: ['admin'], summary: 'Set a temporary password the member must change', params: userParams } }, async (request, reply) => {
      const temporaryPassword = await accounts.resetPassword({ userId: request.params.id, actor: actorOf(request), origin: requestOrigin(request) });
      reply.header('cache-control', 'no-store');
      return { temporaryPassword };
    });
  };
}
