import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/index.js';
import { requireAuth } from '../http/request-auth.js';
import type { AuditLog } from './audit-log.js';
import { searchAuditEvents } from './audit.repository.js';
import { AUDIT_ACTIONS } from './audit.types.js';

const searchQuery = z.object({
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  clientId: z.string().max(64).optional(),
  outcome: z.enum(['success', 'denied', 'failure']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

/** Instants are compared as UTC ISO text, so offsets such as +08:00 are converted first. */
function toUtc(instant: string | undefined): string | undefined {
  return instant === undefined ? undefined : new Date(instant).toISOString();
}

export function auditRoutes({ db, audit }: { db: Db; audit: AuditLog }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get('/api/audit/events', { config: { action: 'audit:read' }, schema: { tags: ['audit'], summary: 'Search the audit log', querystring: searchQuery } }, async (request) => {
      const { subject } = requireAuth(request);
      const query = request.query;
      const result = await searchAuditEvents(db, {
        from: toUtc(query.from),
        to: toUtc(query.to),
        actor: query.actor,
        action: query.action,
        clientId: query.clientId,
        outcome: query.outcome,
        offset: (query.page - 1) * query.pageSize,
        limit: query.pageSize,
      });

      const clientIds = [...new Set(result.items.map((event) => event.clientId).filter((id): id is string => id !== null))];
      const names = clientIds.length === 0 ? [] : await db.selectFrom('clients').select(['id', 'name']).where('id', 'in', clientIds).execute();
      const nameById = new Map(names.map((row) => [row.id, row.name]));

      // Reading the log is itself recorded: who looked, with which filters.
      await audit.record({ action: 'audit.search', outcome: 'success', actor: { id: subject.userId, username: subject.username }, ip: request.ip, userAgent: request.headers['user-agent'], details: { filters: { ...query, page: undefined, pageSize: undefined }, returned: result.items.length } });
      return {
        total: result.total,
        items: result.items.map(({ prevHash: _prev, hash: _hash, ...event }) => ({ ...event, clientName: event.clientId ? (nameById.get(event.clientId) ?? null) : null })),
      };
    });

    routes.post('/api/audit/verify', { config: { action: 'audit:read' }, schema: { tags: ['audit'], summary: 'Recompute the hash chain and report the first broken event' } }, async (request) => {
      const { subject } = requireAuth(request);
      const result = await audit.verify();
      await audit.record({ action: 'audit.verified', outcome: result.intact ? 'success' : 'failure', actor: { id: subject.userId, username: subject.username }, ip: request.ip, userAgent: request.headers['user-agent'], details: { ...result } });
      return result;
    });

    routes.get('/api/audit/actions', { config: { action: 'audit:read' }, schema: { tags: ['audit'], summary: 'Action names for the audit filter' } }, async () => {
      return { actions: [...AUDIT_ACTIONS] };
    });
  };
}
