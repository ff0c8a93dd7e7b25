import { request } from '../../api/index.js';

export type DeadlineRule = 'revoke' | 'escalate';
export type ReviewItemKind = 'role' | 'assignment' | 'grant' | 'scope';
export type ReviewDecision = 'confirm' | 'revoke';

/** The members a campaign reviews: all staff, a department with its sub-departments, or holders of a role. */
export type Population = { kind: 'all' } | { kind: 'department'; departmentId: string } | { kind: 'role'; role: string };

export interface Campaign {
  id: string;
  name: string;
  population: { kind: Population['kind']; departmentId?: string; role?: string };
  deadline: string;
  deadlineRule: DeadlineRule;
  status: 'open' | 'closed';
  startedBy: string;
  createdAt: string;
  closedAt: string | null;
  /** `null` when the scheduler closed the campaign at its deadline. */
  closedBy: string | null;
  itemCount?: number;
  undecidedCount?: number;
}

export interface ReviewItem {
  id: string;
  campaignId: string;
  campaignName: string;
  member: { id: string; username: string; displayName: string };
  kind: ReviewItemKind;
  role: string | null;
  /** `name` is `null` where the caller may not list the client. */
  client: { id: string; name: string | null } | null;
  grant: { id: string; kind: string | null; departmentId: string | null; endsAt: string | null } | null;
  department: { id: string; name: string | null } | null;
  /** One department manager, or every holder of a role. */
  reviewer: { userId: string } | { role: string };
  dueAt: string;
  escalated: boolean;
  decision: ReviewDecision | null;
  decisionSource: 'reviewer' | 'deadline' | null;
  decidedBy: { id: string; username: string | null } | null;
  decidedAt: string | null;
  note: string | null;
}

type DecisionCounts = { confirm: number; revoke: number; undecided: number };

export interface CampaignReport {
  campaign: Campaign;
  total: number;
  escalated: number;
  byDecision: DecisionCounts;
  bySource: { reviewer: number; deadline: number };
  byKind: Record<ReviewItemKind, DecisionCounts & { total: number }>;
  revocations: ReviewItem[];
}

export interface NewCampaign {
  name: string;
  population: Population;
  /** ISO 8601 instant with offset. */
  deadline: string;
  deadlineRule: DeadlineRule;
}

export interface CampaignClosed {
  id: string;
  status: 'closed';
  deadlineRule: DeadlineRule;
  revoked: number;
  escalated: number;
}

export const REVIEWS_QUERY_KEY = ['reviews'] as const;
export const MY_REVIEW_ITEMS_QUERY_KEY = [...REVIEWS_QUERY_KEY, 'mine'] as const;
export const CAMPAIGNS_QUERY_KEY = [...REVIEWS_QUERY_KEY, 'campaigns'] as const;

export function campaignReportQueryKey(id: string) {
  return [...CAMPAIGNS_QUERY_KEY, 'report', id] as const;
}

/** Returns the undecided items the signed-in member reviews. */
export function fetchMyReviewItems(): Promise<{ items: ReviewItem[] }> {
  return request('GET', '/api/reviews/items', { query: { mine: '1' } });
}

/** Records the member's decision. A revocation removes the access on the server at once. */
export function decideReviewItem(id: string, body: { decision: ReviewDecision; note?: string }): Promise<{ id: string; decision: ReviewDecision; decidedAt: string; changed: boolean }> {
  return request('POST', `/api/reviews/items/${encodeURIComponent(id)}/decide`, { json: body });
}

export function fetchCampaigns(): Promise<{ items: Campaign[] }> {
  return request('GET', '/api/reviews/campaigns');
}

export function startCampaign(body: NewCampaign): Promise<Campaign> {
  return request('POST', '/api/reviews/campaigns', { json: body });
}

/** Closes the campaign now, applying its deadline rule to the items still undecided. */
export function closeCampaign(id: string): Promise<CampaignClosed> {
  return request('POST', `/api/reviews/campaigns/${encodeURIComponent(id)}/close`, { json: {} });
}

export function fetchCampaignReport(id: string): Promise<CampaignReport> {
  return request('GET', `/api/reviews/campaigns/${encodeURIComponent(id)}/report`);
}
