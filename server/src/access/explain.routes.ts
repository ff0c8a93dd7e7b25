import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditAction, AuditEventInput, AuditLog } from '../audit/index.js';
import { CLIENT_FIELD_KEYS } from '../clients/field-catalog.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { requireAuth } from '../http/request-auth.js';
import { DEFAULT_TIME_ZONE, explainMemberAccess, memberReach, whoCanSee } from './explain.service.js';
import type { Permission } from './roles.js';

const EXPLAIN_ACTION = 'access:explain' satisfies Permission;
const EXPLAINED_EVENT = 'access.explained' satisfies AuditAction;

const CLIENT_ACTIONS = ['client:list', 'client:read', 'client:reveal', 'client:import', 'document:upload'] as const satisfies readonly Permission[];

const id = z.string().min(1).max(64);
const explainQuery = z.object({ userId: id, clientId: id, action: z.enum(CLIENT_ACTIONS), field: z.enum(CLIENT_FIELD_KEYS).optional() });
const viewersParams = z.object({ clientId: id, field: z.enum(CLIENT_FIELD_KEYS) });
const reachParams = z.object({ userId: id });

/**
 * The explanation routes for the security and audit administrators: why a member may or may not
 * act on a client, who sees a field of a client, and what a member reaches. They show ids, roles
 * and grants, never a client's field values. Every answer is recorded in the audit log, because
 * a map of who sees what is itself worth knowing about.
 */
export function explainRoutes({ db, audit, timeZone = DEFAULT_TIME_ZONE }: { db: Db; audit: AuditLog; timeZone?: string }) {
  async function recordExplained(request: FastifyRequest, event: Pick<AuditEventInput, 'targetType' | 'targetId' | 'clientId' | 'fields' | 'details'>): Promise<void> {
    const { subject } = requireAuth(request);
    await audit.record({ action: EXPLAINED_EVENT, outcome: 'success', actor: { id: subject.userId, username: subject.username }, ip: request.ip, userAgent: request.headers['user-agent'], ...event });
  }

  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get('/api/access/explain', { config: { action: EXPLAIN_ACTION }, schema: { tags: ['access'], summary: 'Why a member may or may not perform a client action on one client', querystring: explainQuery } }, async (request) => {
      const { userId, clientId, action, field } = request.query;
      const explanation = await explainMemberAccess({ db, userId, clientId, action, field, timeZone });

      await recordExplained(request, { targetType: 'user', targetId: userId, clientId, fields: field ? [field] : [], details: { query: 'decision', action, allow: explanation.allow, reasons: explanation.reasons.map((reason) => reason.key) } });
      return explanation;
    });

    routes.get(
      '/api/access/clients/:clientId/fields/:field/viewers',
      { config: { action: EXPLAIN_ACTION }, schema: { tags: ['access'], summary: 'Every member who sees one field of a client, and through which role or grant', params: viewersParams } },
      async (request) => {
        const { clientId, field } = request.params;
        const viewers = await whoCanSee({ db, clientId, field, timeZone });
        if (!viewers) {
          throw new AppError('not_found');
        }

        await recordExplained(request, { targetType: 'client', targetId: clientId, clientId, fields: [field], details: { query: 'viewers', returned: viewers.length } });
        return { clientId, field, viewers };
      },
    );

    routes.get('/api/access/members/:userId/reach', { config: { action: EXPLAIN_ACTION }, schema: { tags: ['access'], summary: 'Roles, scopes, client count and grants of one member', params: reachParams } }, async (request) => {
      const { userId } = request.params;
      const reach = await memberReach({ db, userId, timeZone });
      if (!reach) {
        throw new AppError('not_found');
      }

      await recordExplained(request, { targetType: 'user', targetId: userId, details: { query: 'reach', clientCount: reach.clientCount } });
      return reach;
    });
  };
}
