import type { FieldCategory } from '../clients/field-catalog.js';
import type { Permission } from './roles.js';

/** The client permissions a grant can carry; administration is never granted this way. */
export const GRANTABLE_ACTIONS = ['client:list', 'client:read', 'client:reveal'] as const satisfies readonly Permission[];
export type GrantableAction = (typeof GRANTABLE_ACTIONS)[number];

/** A temporary widening of one member's access, as the decision point sees it. */
export interface ActiveGrant {
  readonly id: string;
  readonly clientId: string | null;
  readonly departmentId: string | null;
  readonly categories: ReadonlySet<FieldCategory>;
  readonly actions: ReadonlySet<Permission>;
  /** Window as epoch milliseconds: the grant holds from `startsAt` (inclusive) to `endsAt` (exclusive). */
  readonly startsAt: number;
  readonly endsAt: number;
  readonly kind: 'temporary' | 'break_glass';
}

export function isGrantInWindow(grant: ActiveGrant, now: number): boolean {
  return grant.startsAt <= now && now < grant.endsAt;
}

export function grantCoversClient(grant: ActiveGrant, client: { id: string; departmentId: string | null }): boolean {
  if (grant.clientId !== null) return grant.clientId === client.id;
  return grant.departmentId !== null && grant.departmentId === client.departmentId;
}
