import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Permission } from '../access/index.js';
import { requireAuth } from '../http/request-auth.js';
import { ALERT_SEVERITIES } from './alert-notice.js';
import { CHANNEL_KINDS, MAX_RECIPIENTS, MAX_SECRET_LENGTH, MAX_URL_LENGTH } from './channel-validation.js';
import type { NotificationChannels } from './channel.service.js';

const MANAGE: Permission = 'security:manage';
/** Test messages reach outside services, so a stuck button or a script cannot flood a group chat. */
const TESTS_PER_MINUTE = 10;

// Only the shape is checked here. The service checks the values per kind and rejects them with
// `channel_invalid` and one issue per field, which the web form shows beside each field.
const channelBody = z.object({
  kind: z.enum(CHANNEL_KINDS),
  name: z.string().max(200),
  enabled: z.boolean(),
  minSeverity: z.enum(ALERT_SEVERITIES),
  url: z.string().max(MAX_URL_LENGTH * 2).optional(),
  secret: z.string().max(MAX_SECRET_LENGTH * 2).optional(),
  recipients: z.array(z.string().max(320)).max(MAX_RECIPIENTS * 5).optional(),
});
const idParams = z.object({ id: z.string().uuid() });
const deliveriesQuery = z.object({
  status: z.enum(['pending', 'sent', 'failed']).optional(),
  channelId: z.string().uuid().optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

function actorOf(request: FastifyRequest) {
  const { subject } = requireAuth(request);
  return { id: subject.userId, username: subject.username };
}

function origin(request: FastifyRequest) {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** Registers the notification channel and delivery routes of the security dashboard. */
export function notifyRoutes({ channels }: { channels: NotificationChannels }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const manage = { action: MANAGE };

    routes.get('/api/security/channels', { config: manage, schema: { tags: ['security'], summary: 'Notification channels with their last delivery; URLs masked, secrets never returned' } }, async () => {
      return { items: await channels.list() };
    });

    routes.post('/api/security/channels', { config: manage, schema: { tags: ['security'], summary: 'Create a notification channel', body: channelBody } }, async (request) => {
      return channels.create({ input: request.body, actor: actorOf(request), origin: origin(request) });
    });

    routes.put('/api/security/channels/:id', { config: manage, schema: { tags: ['security'], summary: 'Change a channel; a left-out url or secret keeps the stored one, an empty secret removes it', params: idParams, body: channelBody } }, async (request) => {
      return channels.update({ id: request.params.id, input: request.body, actor: actorOf(request), origin: origin(request) });
    });

    routes.delete('/api/security/channels/:id', { config: manage, schema: { tags: ['security'], summary: 'Delete a channel; its deliveries are kept', params: idParams } }, async (request, reply) => {
      await channels.remove({ id: request.params.id, actor: actorOf(request), origin: origin(request) });
      return reply.status(204).send();
    });

    routes.post('/api/security/channels/:id/test', { config: { ...manage, rateLimit: { max: TESTS_PER_MINUTE, timeWindow: '1 minute' } }, schema: { tags: ['security'], summary: 'Send one test message now and record it as a delivery', params: idParams } }, async (request) => {
      return channels.test({ id: request.params.id, actor: actorOf(request), origin: origin(request) });
    });

    routes.get('/api/security/deliveries', { config: manage, schema: { tags: ['security'], summary: 'Notification deliveries, newest first', querystring: deliveriesQuery } }, async (request) => {
      const { page, pageSize, status, channelId } = request.query;
      return channels.deliveries({ status, channelId }, { page, pageSize });
    });
  };
}
