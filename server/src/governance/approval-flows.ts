import { z } from 'zod';
import { ROLE_KEYS } from '../access/index.js';
import type { AuditActor, AuditLog } from '../audit/index.js';
import type { DbOrTrx } from '../db/index.js';
import { type ApprovalStep, DEFAULT_FLOWS, REQUEST_KINDS, type RequestKind } from './request-kinds.js';

export const flowStepsSchema = z
  .array(z.union([z.object({ approver: z.literal('department_manager') }), z.object({ approver: z.literal('owning_department_manager') }), z.object({ approver: z.literal('role'), role: z.enum(ROLE_KEYS) })]))
  .min(1)
  .max(4);

export interface ApprovalFlow {
  readonly kind: RequestKind;
  readonly steps: readonly ApprovalStep[];
  /** Applied at filing without approval; recorded as auto-approved in the audit log. */
  readonly autoApprove: boolean;
  readonly custom: boolean;
}

/** Finds the flow of one kind: the security administrator's setting, else the built-in default. */
export async function findApprovalFlow(db: DbOrTrx, kind: RequestKind): Promise<ApprovalFlow> {
  const row = await db.selectFrom('approval_flows').selectAll().where('kind', '=', kind).executeTakeFirst();
  if (!row) return { kind, steps: DEFAULT_FLOWS[kind], autoApprove: false, custom: false };
  return { kind, steps: flowStepsSchema.parse(JSON.parse(row.steps)), autoApprove: Number(row.auto_approve) === 1, custom: true };
}

export async function listApprovalFlows(db: DbOrTrx): Promise<ApprovalFlow[]> {
  return Promise.all(REQUEST_KINDS.map((kind) => findApprovalFlow(db, kind)));
}

export async function saveApprovalFlow({ db, audit, kind, steps, autoApprove, actor, origin }: { db: DbOrTrx; audit: AuditLog; kind: RequestKind; steps: readonly ApprovalStep[]; autoApprove: boolean; actor: AuditActor & { id: string }; origin: { ip: string | undefined; userAgent: string | undefined } }): Promise<void> {
  const values = { steps: JSON.stringify(steps), auto_approve: autoApprove ? 1 : 0, updated_by: actor.id, updated_at: new Date().toISOString() };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('approval_flows').values({ kind, ...values }).onConflict((conflict) => conflict.column('kind').doUpdateSet(values)).execute();
    await audit.append(trx, { action: 'governance.flow_changed', outcome: 'success', actor, targetType: 'approval_flow', targetId: kind, ip: origin.ip, userAgent: origin.userAgent, details: { steps, autoApprove } });
  });
}
