import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../audit/index.js';
import type { Db } from '../db/index.js';
import { flowStepsSchema, listApprovalFlows, saveApprovalFlow } from './approval-flows.js';
import { AppError } from '../errors/index.js';
import { requireAuth } from '../http/request-auth.js';
import type { BreakGlassService } from './break-glass.service.js';
import { REQUEST_KINDS } from './request-kinds.js';
import type { AccessRequestService, StoredRequest } from './request.service.js';

const fileBody = z.object({
  kind: z.enum(REQUEST_KINDS),
  beneficiaryId: z.string().min(1).max(64).optional(),
  payload: z.record(z.string(), z.unknown()),
  reason: z.string().max(500),
});
const idParams = z.object({ id: z.string().uuid() });
const noteBody = z.object({ note: z.string().max(500).optional() });
const breakGlassBody = z.object({ clientId: z.string().min(1).max(64), reason: z.string().max(500) });

function actorOf(request: FastifyRequest) {
  const { subject } = requireAuth(request);
  return { id: subject.userId, username: subject.username };
}

function origin(request: FastifyRequest) {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

function present(request: StoredRequest) {
  return { ...request, stepCount: request.steps.length };
}

/** Access requests, their approval queue, break-glass and the grant list. */
export function governanceRoutes({ db, audit, requests, breakGlass }: { db: Db; audit: AuditLog; requests: AccessRequestService; breakGlass: BreakGlassService }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const member = { action: 'authenticated' as const };

    routes.post('/api/access-requests', { config: member, schema: { tags: ['governance'], summary: 'File a request to change who may see what', body: fileBody } }, async (request, reply) => {
      const filer = actorOf(request);
      const filed = await requests.file({ kind: request.body.kind, beneficiaryId: request.body.beneficiaryId ?? filer.id, payload: request.body.payload, reason: request.body.reason, filer, origin: origin(request) });
      return reply.status(201).send(present(filed));
    });

    routes.get('/api/access-requests', { config: member, schema: { tags: ['governance'], summary: 'The member’s own requests and the approval queue' } }, async (request) => {
      const { mine, queue } = await requests.listFor(requireAuth(request).subject.userId);
      return { mine: mine.map(present), queue: queue.map(present) };
    });

    routes.get('/api/access-requests/:id', { config: member, schema: { tags: ['governance'], summary: 'One request', params: idParams } }, async (request) => {
      const found = await requests.find(request.params.id);
      const { subject } = requireAuth(request);
      const { queue } = await requests.listFor(subject.userId);
      const visible = found && (found.filedBy === subject.userId || found.beneficiaryId === subject.userId || queue.some((entry) => entry.id === found.id) || subject.roles.includes('security_admin') || subject.roles.includes('audit_admin'));
      if (!found || !visible) throw new AppError('not_found');
      return { ...present(found), decisions: await requests.decisionsOf(found.id) };
    });

    routes.post('/api/access-requests/:id/approve', { config: member, schema: { tags: ['governance'], summary: 'Approve the current step', params: idParams, body: noteBody } }, async (request) => {
      return present(await requests.approve({ requestId: request.params.id, approver: actorOf(request), note: request.body.note, origin: origin(request) }));
    });

    routes.post('/api/access-requests/:id/reject', { config: member, schema: { tags: ['governance'], summary: 'Reject the request', params: idParams, body: noteBody } }, async (request) => {
      return present(await requests.reject({ requestId: request.params.id, approver: actorOf(request), note: request.body.note, origin: origin(request) }));
    });

    routes.post('/api/access-requests/:id/withdraw', { config: member, schema: { tags: ['governance'], summary: 'Withdraw an own pending request', params: idParams } }, async (request, reply) => {
      await requests.withdraw({ requestId: request.params.id, actor: actorOf(request), origin: origin(request) });
      return reply.status(204).send();
    });

    routes.post('/api/break-glass', { config: { action: 'client:list' }, schema: { tags: ['governance'], summary: 'Open emergency access to one client (alerted and reviewed)', body: breakGlassBody } }, async (request, reply) => {
      const opened = await breakGlass.open({ subject: requireAuth(request).subject, clientId: request.body.clientId, reason: request.body.reason, origin: origin(request) });
      return reply.status(201).send(opened);
    });

    routes.get('/api/governance/flows', { config: { action: 'security:manage' }, schema: { tags: ['governance'], summary: 'Approval flow of every request kind' } }, async () => {
      return { items: await listApprovalFlows(db) };
    });

    routes.post('/api/governance/flows/:kind', { config: { action: 'security:manage' }, schema: { tags: ['governance'], summary: 'Set the approval flow of one request kind', params: z.object({ kind: z.enum(REQUEST_KINDS) }), body: z.object({ steps: flowStepsSchema, autoApprove: z.boolean().default(false) }) } }, async (request) => {
      await saveApprovalFlow({ db, audit, kind: request.params.kind, steps: request.body.steps, autoApprove: request.body.autoApprove, actor: actorOf(request), origin: origin(request) });
      return { items: await listApprovalFlows(db) };
    });

    routes.get('/api/grants', { config: member, schema: { tags: ['governance'], summary: 'The member’s grants, or all grants for the security and audit administrators' } }, async (request) => {
      const { subject } = requireAuth(request);
      const all = subject.roles.includes('security_admin') || subject.roles.includes('audit_admin');
      let query = db.selectFrom('access_grants').innerJoin('users', 'users.id', 'access_grants.user_id').leftJoin('clients', 'clients.id', 'access_grants.client_id').select(['access_grants.id', 'access_grants.user_id', 'users.display_name', 'access_grants.client_id', 'clients.name as client_name', 'access_grants.department_id', 'access_grants.categories', 'access_grants.actions', 'access_grants.starts_at', 'access_grants.ends_at', 'access_grants.kind', 'access_grants.reason', 'access_grants.revoked_at']);
      if (!all) query = query.where('access_grants.user_id', '=', subject.userId);
      const rows = await query.orderBy('access_grants.ends_at', 'desc').limit(500).execute();
      const now = new Date().toISOString();
      return {
        items: rows.map((row) => ({
          id: row.id,
          userId: row.user_id,
          displayName: row.display_name,
          clientId: row.client_id,
          // Administrators see which client a grant is for by id only; its name is client data.
          clientName: all ? null : row.client_name,
          departmentId: row.department_id,
          categories: JSON.parse(row.categories) as string[],
          actions: JSON.parse(row.actions) as string[],
          startsAt: row.starts_at,
          endsAt: row.ends_at,
          kind: row.kind,
          reason: row.reason,
          revokedAt: row.revoked_at,
          active: !row.revoked_at && row.starts_at <= now && now < row.ends_at,
        })),
      };
    });
  };
}
