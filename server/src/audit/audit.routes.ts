import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { requireAuth } from '../http/request-auth.js';
import type { ActiveSession } from '../identity/index.js';
import type { AuditLog } from './audit-log.js';
import { type AuditFilters, findAuditEvent, findClientNames, searchAuditEvents } from './audit.repository.js';
import { AUDIT_ACTIONS } from './audit.types.js';
import { AuditExportService } from './export/index.js';

// An address, or a text prefix of one ending in `*` (`10.0.3.*`, `fe80::*`). Only the characters
// of IPv4 and IPv6 addresses are accepted.
const addressFilter = z.string().regex(/^[0-9A-Fa-f:.]{1,45}\*?$/);

const filterShape = {
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  clientId: z.string().max(64).optional(),
  outcome: z.enum(['success', 'denied', 'failure']).optional(),
  ip: addressFilter.optional(),
};

const searchQuery = z.object({
  ...filterShape,
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

const eventParams = z.object({ seq: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

const exportBody = z.object({
  format: z.enum(['xlsx', 'csv']),
  filters: z.object(filterShape).default({}),
});

type StepUpCheck = (session: ActiveSession) => Promise<void>;

/** Instants are compared as UTC ISO text, so offsets such as +08:00 are converted first. */
function toUtc(instant: string | undefined): string | undefined {
  return instant === undefined ? undefined : new Date(instant).toISOString();
}

function toFilters(query: z.infer<z.ZodObject<typeof filterShape>>): AuditFilters {
  return { ...query, from: toUtc(query.from), to: toUtc(query.to) };
}

export function auditRoutes({ db, audit, stepUp, timeZone }: { db: Db; audit: AuditLog; stepUp: StepUpCheck; timeZone: string }) {
  const exports = new AuditExportService({ db, audit, timeZone });

  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get('/api/audit/events', { config: { action: 'audit:read' }, schema: { tags: ['audit'], summary: 'Search the audit log', querystring: searchQuery } }, async (request) => {
      const { subject } = requireAuth(request);
      const { page, pageSize, ...filters } = request.query;
      const result = await searchAuditEvents(db, { ...toFilters(filters), offset: (page - 1) * pageSize, limit: pageSize });
      const nameById = await findClientNames(db, result.items.flatMap((event) => (event.clientId === null ? [] : [event.clientId])));

      // Reading the log is itself recorded: who looked, with which filters.
      await audit.record({ action: 'audit.search', outcome: 'success', actor: { id: subject.userId, username: subject.username }, ip: request.ip, userAgent: request.headers['user-agent'], details: { filters, returned: result.items.length } });
      return {
        total: result.total,
        items: result.items.map(({ prevHash: _prev, hash: _hash, ...event }) => ({ ...event, clientName: event.clientId ? (nameById.get(event.clientId) ?? null) : null })),
      };
    });

    routes.get('/api/audit/events/:seq', { config: { action: 'audit:read' }, schema: { tags: ['audit'], summary: 'One audit event with its hashes (audited)', params: eventParams } }, async (request) => {
      const { subject } = requireAuth(request);
      const { seq } = request.params;
      const event = await findAuditEvent(db, seq);
      const clientName = event?.clientId ? ((await findClientNames(db, [event.clientId])).get(event.clientId) ?? null) : null;

      // A look at one event is recorded like a search, and a miss too, since a run of misses is probing.
      await audit.record({ action: 'audit.event_viewed', outcome: event ? 'success' : 'failure', actor: { id: subject.userId, username: subject.username }, targetType: 'audit_event', targetId: String(seq), ip: request.ip, userAgent: request.headers['user-agent'], ...(event ? {} : { details: { code: 'not_found' } }) });
      if (!event) throw new AppError('not_found');
      return { ...event, clientName };
    });

    routes.post('/api/audit/export', { config: { action: 'audit:read' }, schema: { tags: ['audit'], summary: 'Download the matching events as xlsx or CSV (step-up, audited)', body: exportBody } }, async (request, reply) => {
      const { subject, session } = requireAuth(request);
      const file = await exports.exportOrThrow({
        format: request.body.format,
        filters: toFilters(request.body.filters),
        locale: request.locale,
        actor: { id: subject.userId, username: subject.username },
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        assertRecentSecondFactor: () => stepUp(session),
      });

      reply.header('content-type', file.contentType);
      reply.header('content-disposition', `attachment; filename="${file.fileName}"`);
      reply.header('cache-control', 'no-store');
      reply.header('x-export-row-count', String(file.rowCount));
      return reply.send(file.body);
    });

    // POST /api/audit/verify lives in integrity.routes.ts, beside the checkpoints it also checks.

    routes.get('/api/audit/actions', { config: { action: 'audit:read' }, schema: { tags: ['audit'], summary: 'Action names for the audit filter' } }, async () => {
      return { actions: [...AUDIT_ACTIONS] };
    });
  };
}
