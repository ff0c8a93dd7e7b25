import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../audit/index.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { requireAuth } from '../http/request-auth.js';
import { decide } from './decide.js';
import { ROLES, ROLE_KEYS } from './roles.js';
import { loadSubjectSnapshot } from './subject.repository.js';

const matrixQuery = z.object({ departmentId: z.string().min(1).max(64) });

/** The most clients one matrix shows; a department with more is shown in part, and says so. */
const MAX_MATRIX_CLIENTS = 200;

/**
 * The access matrix for the security and audit administrators: roles × permissions, and, for
 * one department, its members × its clients with each category's visibility as `decide()` gives
 * it. Clients appear by id only, because these administrators hold no client data.
 */
export function matrixRoutes({ db, audit }: { db: Db; audit: AuditLog }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get('/api/access/roles', { config: { action: 'access:explain' }, schema: { tags: ['access'], summary: 'Every built-in role with its permissions, data scope and visibility' } }, async () => {
      return { items: ROLE_KEYS.map((key) => ({ key, label: ROLES[key].label, scope: ROLES[key].scope, visibility: ROLES[key].visibility, permissions: ROLES[key].permissions })) };
    });

    routes.get('/api/access/matrix', { config: { action: 'access:explain' }, schema: { tags: ['access'], summary: 'Members × clients of one department, with visibility per category', querystring: matrixQuery } }, async (request: FastifyRequest<{ Querystring: z.infer<typeof matrixQuery> }>) => {
      const { departmentId } = request.query;
      const department = await db.selectFrom('departments').select(['id', 'name']).where('id', '=', departmentId).executeTakeFirst();
      if (!department) throw new AppError('not_found');

      const members = await db.selectFrom('users').select(['id', 'display_name']).where('department_id', '=', departmentId).where('status', '=', 'active').orderBy('display_name').execute();
      const clients = await db.selectFrom('clients').select(['id', 'department_id']).where('department_id', '=', departmentId).where('status', '=', 'active').orderBy('id').limit(MAX_MATRIX_CLIENTS + 1).execute();
      const now = Date.now();
      const rows = [];
      for (const member of members) {
        const subject = await loadSubjectSnapshot(db, member.id);
        if (!subject) continue;
        const cells = clients.slice(0, MAX_MATRIX_CLIENTS).map((client) => {
          const decision = decide(subject, 'client:read', { type: 'client', id: client.id, departmentId: client.department_id }, now);
          return { clientId: client.id, allow: decision.allow, visibility: decision.obligations.visibility ?? null };
        });
        rows.push({ userId: member.id, displayName: member.display_name, roles: subject.roles, cells });
      }

      const { subject } = requireAuth(request);
      await audit.record({ action: 'access.explained', outcome: 'success', actor: { id: subject.userId, username: subject.username }, ip: request.ip, userAgent: request.headers['user-agent'], targetType: 'department', targetId: departmentId, details: { view: 'matrix', members: rows.length, clients: Math.min(clients.length, MAX_MATRIX_CLIENTS) } });
      return { department: { id: department.id, name: department.name }, clientIds: clients.slice(0, MAX_MATRIX_CLIENTS).map((client) => client.id), truncated: clients.length > MAX_MATRIX_CLIENTS, rows };
    });
  };
}
