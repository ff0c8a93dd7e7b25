import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { requireAuth } from '../http/request-auth.js';
import type { AlertFeed } from './alert-feed.js';
import type { AlertService } from './alert.service.js';
import { registerAlertStream } from './alert-stream.route.js';
import type { DetectionSettingsService } from './detection-settings.service.js';
import { RESPONSE_KINDS, RULE_KEYS, isRuleKey } from './rule-catalog.js';

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const MANAGE = { action: 'security:manage' as const };

const listQuery = z.object({
  status: z.enum(['new', 'acknowledged', 'resolved', 'false_positive']).optional(),
  severity: z.enum(SEVERITIES).optional(),
  rule: z.enum(RULE_KEYS).optional(),
  userId: z.string().max(64).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  sort: z.enum(['createdAt', '-createdAt', 'severity', '-severity']).default('-createdAt'),
});
const idParams = z.object({ id: z.string().uuid() });
const statusBody = z.object({ status: z.enum(['acknowledged', 'resolved', 'false_positive']), note: z.string().max(2000) });
const ruleParams = z.object({ key: z.string().max(64) });
const ruleBody = z.object({
  enabled: z.boolean(),
  severity: z.enum(SEVERITIES),
  params: z.record(z.string().max(64), z.unknown()),
  responses: z.array(z.enum(RESPONSE_KINDS)).max(RESPONSE_KINDS.length),
});
const calendarBody = z.object({
  // Ten years of holidays and worked weekends is far more than a firm keeps.
  days: z.array(z.object({ date: z.string().max(10), kind: z.enum(['holiday', 'workday']), name: z.string().max(50) })).max(3660),
});

function actorOf(request: FastifyRequest) {
  const { subject } = requireAuth(request);
  return { id: subject.userId, username: subject.username };
}

function originOf(request: FastifyRequest) {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** Registers the security dashboard's routes: alerts, live stream, rule settings and work calendar. */
export function detectionRoutes({ db, alerts, settings, feed, heartbeatMs, sessionCheckMs }: { db: Db; alerts: AlertService; settings: DetectionSettingsService; feed: AlertFeed; heartbeatMs?: number; sessionCheckMs?: number }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get('/api/security/alerts', { config: MANAGE, schema: { tags: ['security'], summary: 'Alerts, newest first by default', querystring: listQuery } }, async (request) => {
      const { page, pageSize, ...filter } = request.query;
      return alerts.list({ ...filter, offset: (page - 1) * pageSize, limit: pageSize });
    });

    registerAlertStream(app, { db, feed, heartbeatMs, sessionCheckMs });

    routes.get('/api/security/alerts/:id', { config: MANAGE, schema: { tags: ['security'], summary: 'An alert with its evidence, notes and responses', params: idParams } }, async (request) => {
      return alerts.detailOrThrow(request.params.id);
    });

    routes.post('/api/security/alerts/:id/status', { config: MANAGE, schema: { tags: ['security'], summary: 'Acknowledge, resolve or dismiss an alert with a note', params: idParams, body: statusBody } }, async (request) => {
      return alerts.changeStatus({ id: request.params.id, status: request.body.status, note: request.body.note, actor: actorOf(request), origin: originOf(request) });
    });

    routes.get('/api/security/rules', { config: MANAGE, schema: { tags: ['security'], summary: 'Detection rules with their settings and parameter specs' } }, async () => {
      return { items: await settings.listRules() };
    });

    routes.put('/api/security/rules/:key', { config: MANAGE, schema: { tags: ['security'], summary: 'Change a rule: switch, severity, parameters, automatic responses', params: ruleParams, body: ruleBody } }, async (request) => {
      const { key } = request.params;
      if (!isRuleKey(key)) throw new AppError('not_found');
      return settings.updateRule({ key, input: request.body, actor: actorOf(request), origin: originOf(request) });
    });

    routes.get('/api/security/calendar', { config: MANAGE, schema: { tags: ['security'], summary: 'Holidays and worked weekend days (调休)' } }, async () => {
      return settings.calendar();
    });

    routes.put('/api/security/calendar', { config: MANAGE, schema: { tags: ['security'], summary: 'Replace the holidays and worked weekend days', body: calendarBody } }, async (request) => {
      return settings.replaceCalendar({ days: request.body.days, actor: actorOf(request), origin: originOf(request) });
    });
  };
}
