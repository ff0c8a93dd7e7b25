import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth } from '../http/request-auth.js';
import type { AuditIntegrity, IntegrityRequester } from './audit-integrity.js';

const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

function requesterOf(request: FastifyRequest): IntegrityRequester {
  const { subject } = requireAuth(request);
  return { actor: { id: subject.userId, username: subject.username }, ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** Routes of the audit log's integrity: verification, checkpoints and the chain status. */
export function integrityRoutes({ integrity }: { integrity: AuditIntegrity }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.post('/api/audit/verify', { config: { action: 'audit:read' }, schema: { tags: ['audit'], summary: 'Verify the hash chain and the signed checkpoints, and report the first broken event' } }, async (request) => {
      return integrity.verifyAndRecord({ trigger: 'manual', requester: requesterOf(request), now: new Date() });
    });

    routes.get('/api/audit/checkpoints', { config: { action: 'audit:read' }, schema: { tags: ['audit'], summary: 'Signed checkpoints of the audit chain, newest first', querystring: pageQuery } }, async (request) => {
      const { page, pageSize } = request.query;
      const result = await integrity.listCheckpoints({ offset: (page - 1) * pageSize, limit: pageSize });
      return {
        total: result.total,
        items: result.items.map(({ seq, chainHash, signedAt, algorithm, keyId }) => ({ seq, chainHash, signedAt, algorithm, keyId })),
      };
    });

    routes.get('/api/audit/checkpoints/export', { config: { action: 'audit:read' }, schema: { tags: ['audit'], summary: 'Download the public keys and every signed checkpoint as JSON Lines' } }, async (request, reply) => {
      const now = new Date();
      const { content } = await integrity.exportCheckpoints({ requester: requesterOf(request), now, via: 'http' });
      const day = now.toISOString().slice(0, 10).replaceAll('-', '');
      reply.header('content-type', 'application/x-ndjson; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="ledgerguard-checkpoints-${day}.jsonl"`);
      return reply.send(content);
    });

    routes.get('/api/security/chain-status', { config: { action: 'security:manage' }, schema: { tags: ['security'], summary: 'Chain head, last checkpoint, last verification and retention' } }, async () => {
      return integrity.chainStatus();
    });
  };
}
