import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth } from '../http/request-auth.js';
import type { ActiveSession } from '../identity/index.js';
import { MAX_CURSOR_LENGTH } from './client-list.cursor.js';
import { CLIENT_SORTS } from './client-list.service.js';
import type { ClientService, RequestContext } from './client.service.js';

// Pages are reached by keyset: `cursor` is the `nextCursor` or `previousCursor` of an earlier
// page, and `page=last` reads the end of the list backwards, so no page costs an OFFSET walk.
const listQuery = z
  .object({
    q: z.string().max(100).optional(),
    pageSize: z.coerce.number().int().min(1).max(200).default(20),
    sort: z.enum(CLIENT_SORTS).default('name'),
    cursor: z.string().min(1).max(MAX_CURSOR_LENGTH).optional(),
    page: z.enum(['first', 'last']).optional(),
    withTotal: z.enum(['true', 'false']).optional().transform((value) => (value === undefined ? undefined : value === 'true')),
    departmentId: z.string().max(64).optional(),
    assigneeId: z.string().max(64).optional(),
    status: z.enum(['active', 'archived']).default('active'),
  })
  .refine((query) => query.cursor === undefined || query.page === undefined, { path: ['page'], message: 'page and cursor exclude each other' });
const idParams = z.object({ id: z.string().min(1).max(64) });
const revealBody = z.object({ field: z.string().min(1).max(100), reason: z.string().max(500).default('') });

function contextOf(request: FastifyRequest, stepUp?: StepUpCheck): RequestContext {
  const { subject, session } = requireAuth(request);
  return { subject, locale: request.locale, ip: request.ip, userAgent: request.headers['user-agent'], ...(stepUp ? { assertRecentSecondFactor: () => stepUp(session) } : {}) };
}

type StepUpCheck = (session: ActiveSession) => Promise<void>;

export function clientRoutes({ clients, searchesPerMinute, stepUp }: { clients: ClientService; searchesPerMinute: number; stepUp: StepUpCheck }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    // Each identifier search confirms or denies one guessed value, so searches are rate-limited
    // per session on top of the visibility rule in the query.
    routes.get('/api/clients', { config: { action: 'client:list', rateLimit: { max: searchesPerMinute, timeWindow: '1 minute', keyGenerator: (request) => request.cookies.lg_session ?? request.ip } }, schema: { tags: ['clients'], summary: 'Clients in the caller’s scope', querystring: listQuery } }, async (request) => {
      return clients.list({ ...request.query, context: contextOf(request) });
    });

    routes.get('/api/clients/filters', { config: { action: 'client:list' }, schema: { tags: ['clients'], summary: 'Departments and assignees the caller may filter by' } }, async (request) => {
      return clients.filterOptions(requireAuth(request).subject);
    });

    routes.get('/api/clients/:id', { config: { action: 'client:read' }, schema: { tags: ['clients'], summary: 'One client, each field hidden, masked or plain for the caller', params: idParams } }, async (request) => {
      return clients.view({ id: request.params.id, context: contextOf(request) });
    });

    routes.post(
      '/api/clients/:id/reveal',
      { config: { action: 'client:reveal' }, schema: { tags: ['clients'], summary: 'Reveal one protected value with a reason (audited)', params: idParams, body: revealBody } },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return clients.reveal({ id: request.params.id, field: request.body.field, reason: request.body.reason, context: contextOf(request, stepUp) });
      },
    );
  };
}
