import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Permission, ROLE_KEYS } from '../access/index.js';
import { requireAuth } from '../http/request-auth.js';
import type { CampaignRow } from './review.repository.js';
import { type AccessReviewService, DEADLINE_RULES, DEFAULT_DORMANT_DAYS, type ReviewItem } from './review.service.js';

const MANAGE: Permission = 'review:manage';
/** The shortest dormancy the policy accepts, so one mistyped number cannot disable most of the staff. */
const MIN_DORMANT_DAYS = 30;
const MAX_DORMANT_DAYS = 3650;

const population = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('department'), departmentId: z.string().min(1).max(64) }),
  // Portal accounts are not staff and are never reviewed.
  z.object({ kind: z.literal('role'), role: z.enum(ROLE_KEYS).exclude(['client_contact']) }),
]);
const campaignBody = z.object({
  name: z.string().trim().min(1).max(100),
  population,
  deadline: z.string().datetime({ offset: true }),
  deadlineRule: z.enum(DEADLINE_RULES),
});
const idParams = z.object({ id: z.string().uuid() });
const mineQuery = z.object({ mine: z.literal('1') });
const decisionBody = z.object({ decision: z.enum(['confirm', 'revoke']), note: z.string().max(500).optional() });
const days = z.coerce.number().int().min(MIN_DORMANT_DAYS).max(MAX_DORMANT_DAYS).default(DEFAULT_DORMANT_DAYS);
const dormantQuery = z.object({ days });
const dormantBody = z.object({ days }).optional();

function actorOf(request: FastifyRequest) {
  const { subject } = requireAuth(request);
  return { id: subject.userId, username: subject.username };
}

function origin(request: FastifyRequest) {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

function presentCampaign(campaign: CampaignRow & { item_count?: number; undecided_count?: number }) {
  return {
    id: campaign.id,
    name: campaign.name,
    population: { kind: campaign.population_kind, ...(campaign.population_kind === 'department' ? { departmentId: campaign.population_ref } : {}), ...(campaign.population_kind === 'role' ? { role: campaign.population_ref } : {}) },
    deadline: campaign.deadline_at,
    deadlineRule: campaign.deadline_rule,
    status: campaign.status,
    startedBy: campaign.started_by,
    createdAt: campaign.created_at,
    closedAt: campaign.closed_at,
    closedBy: campaign.closed_by,
    itemCount: campaign.item_count,
    undecidedCount: campaign.undecided_count,
  };
}

function presentItem(item: ReviewItem) {
  return {
    id: item.id,
    campaignId: item.campaign_id,
    campaignName: item.campaign_name,
    member: { id: item.member_id, username: item.member_username, displayName: item.member_display_name },
    kind: item.kind,
    role: item.role_key,
    client: item.client,
    grant: item.grant_id ? { id: item.grant_id, kind: item.grant_kind, departmentId: item.grant_department_id, endsAt: item.grant_ends_at } : null,
    department: item.department_id ? { id: item.department_id, name: item.department_name } : null,
    reviewer: item.reviewer_id ? { userId: item.reviewer_id } : { role: item.reviewer_role },
    dueAt: item.due_at,
    escalated: item.escalated_at !== null,
    decision: item.decision,
    decisionSource: item.decision_source,
    decidedBy: item.decided_by ? { id: item.decided_by, username: item.decided_by_username } : null,
    decidedAt: item.decided_at,
    note: item.note,
  };
}

/**
 * Registers the access-review routes. The audit administrator starts, follows and closes
 * campaigns and handles dormant accounts. Any member may call the decision routes, because the
 * service checks per item that the caller is its reviewer.
 */
export function reviewRoutes({ reviews }: { reviews: AccessReviewService }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const manage = { action: MANAGE };
    const member = { action: 'authenticated' as const };

    routes.post('/api/reviews/campaigns', { config: manage, schema: { tags: ['reviews'], summary: 'Start an access review campaign over a population', body: campaignBody } }, async (request, reply) => {
      const { name, population: chosen, deadline, deadlineRule } = request.body;
      const started = await reviews.start({ name, population: chosen, deadline: new Date(deadline), deadlineRule, actor: actorOf(request), origin: origin(request) });
      return reply.status(201).send(presentCampaign(started));
    });

    routes.get('/api/reviews/campaigns', { config: manage, schema: { tags: ['reviews'], summary: 'Access review campaigns with their progress' } }, async () => {
      return { items: (await reviews.listCampaigns()).map(presentCampaign) };
    });

    routes.get('/api/reviews/campaigns/:id/items', { config: manage, schema: { tags: ['reviews'], summary: 'Every item of one campaign', params: idParams } }, async (request) => {
      return { items: (await reviews.listCampaignItems(request.params.id, requireAuth(request).subject)).map(presentItem) };
    });

    routes.post('/api/reviews/campaigns/:id/close', { config: manage, schema: { tags: ['reviews'], summary: 'Close a campaign, applying its deadline rule to undecided items', params: idParams } }, async (request) => {
      return reviews.close({ campaignId: request.params.id, actor: actorOf(request), origin: origin(request) });
    });

    routes.get('/api/reviews/campaigns/:id/report', { config: manage, schema: { tags: ['reviews'], summary: 'Counts by decision and kind, and every revocation', params: idParams } }, async (request) => {
      const report = await reviews.report(request.params.id, requireAuth(request).subject);
      return { ...report, campaign: presentCampaign(report.campaign), revocations: report.revocations.map(presentItem) };
    });

    routes.get('/api/reviews/items', { config: member, schema: { tags: ['reviews'], summary: 'Undecided review items the member reviews', querystring: mineQuery } }, async (request) => {
      return { items: (await reviews.listItemsToReview(requireAuth(request).subject)).map(presentItem) };
    });

    routes.post('/api/reviews/items/:id/decide', { config: member, schema: { tags: ['reviews'], summary: 'Confirm or revoke one review item; a revocation applies at once', params: idParams, body: decisionBody } }, async (request) => {
      return reviews.decide({ itemId: request.params.id, decision: request.body.decision, note: request.body.note, reviewer: requireAuth(request).subject, origin: origin(request) });
    });

    routes.get('/api/reviews/dormant', { config: manage, schema: { tags: ['reviews'], summary: 'Staff accounts unused for the given number of days', querystring: dormantQuery } }, async (request) => {
      return { days: request.query.days, items: await reviews.flagDormantAccounts({ days: request.query.days, actor: actorOf(request), origin: origin(request) }) };
    });

    routes.post('/api/reviews/dormant/disable', { config: manage, schema: { tags: ['reviews'], summary: 'Disable dormant staff accounts and end their sessions', body: dormantBody } }, async (request) => {
      return reviews.disableDormantAccounts({ days: request.body?.days, actor: actorOf(request), origin: origin(request) });
    });
  };
}
