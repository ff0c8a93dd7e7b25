import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth } from '../http/request-auth.js';
import type { ClientArchiveService } from './client-archive.service.js';

const idParams = z.object({ id: z.string().min(1).max(64) });
const archiveBody = z.object({ reason: z.string().max(500).default('') });

export function retentionRoutes({ archives }: { archives: ClientArchiveService }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.post(
      '/api/clients/:id/archive',
      { config: { action: 'client:archive' }, schema: { tags: ['clients'], summary: 'Archive a client that ended its engagement, with a reason (audited; the client becomes read-only)', params: idParams, body: archiveBody } },
      async (request) => {
        const { subject } = requireAuth(request);
        const context = { subject, locale: request.locale, ip: request.ip, userAgent: request.headers['user-agent'] };
        return archives.archive({ clientId: request.params.id, reason: request.body.reason, context });
      },
    );
  };
}
