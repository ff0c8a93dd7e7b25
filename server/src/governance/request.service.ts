import { randomUUID } from 'node:crypto';
import { ADMINISTRATOR_ROLES, type RoleKey, isRoleKey, loadSubjectSnapshot } from '../access/index.js';
import type { AuditActor, AuditLog } from '../audit/index.js';
import type { Db, DbOrTrx } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { Logger } from 'pino';
import type { Mailer } from '../notify/mailer.js';
import { findApprovalFlow } from './approval-flows.js';
import { type ApprovalStep, PAYLOAD_SCHEMAS, REQUEST_LIFETIME_DAYS, type RequestKind } from './request-kinds.js';

export interface StoredRequest {
  id: string;
  kind: RequestKind;
  beneficiaryId: string;
  filedBy: string;
  payload: Record<string, unknown>;
  reason: string;
  status: 'pending' | 'applied' | 'rejected' | 'withdrawn' | 'expired';
  steps: ApprovalStep[];
  currentStep: number;
  autoApproved: boolean;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
}

interface Origin {
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

/** The shortest reason accepted for a request; an approver must be able to judge it. */
export const MIN_REQUEST_REASON = 4;

/**
 * Requests for every change of who may see what, their approval by someone other than the
 * filer and the beneficiary, and the change itself, applied in the transaction of the last
 * approval. There is no other way to change roles, departments, assignments or grants.
 */
export class AccessRequestService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #now: () => Date;
  readonly #autoApprovedKinds: ReadonlySet<RequestKind>;

  readonly #mailer: Mailer | undefined;
  readonly #logger: Logger | undefined;

  constructor({ db, audit, now = () => new Date(), autoApprovedKinds = [], mailer, logger }: { db: Db; audit: AuditLog; now?: () => Date; autoApprovedKinds?: readonly RequestKind[]; mailer?: Mailer; logger?: Logger }) {
    this.#db = db;
    this.#audit = audit;
    this.#mailer = mailer;
    this.#logger = logger;
    this.#now = now;
    this.#autoApprovedKinds = new Set(autoApprovedKinds);
  }

  async file({ kind, beneficiaryId, payload, reason, filer, origin }: { kind: RequestKind; beneficiaryId: string; payload: unknown; reason: string; filer: AuditActor & { id: string }; origin: Origin }): Promise<StoredRequest> {
    const parsed = PAYLOAD_SCHEMAS[kind].safeParse(payload);
    if (!parsed.success) {
      throw new AppError('request_invalid', { detail: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') }, parsed.error.issues.map((issue) => ({ path: `payload.${issue.path.join('.')}`, message: 'invalid' })));
    }
    if ([...reason.trim()].length < MIN_REQUEST_REASON) {
      throw new AppError('request_invalid', { detail: 'reason' }, [{ path: 'reason', message: 'reason_required' }]);
    }
    if (kind === 'department_share') {
      await this.#checkShareFilerOrThrow(filer.id, parsed.data as { fromDepartmentId: string });
    }
    const beneficiary = await this.#db.selectFrom('users').select(['id', 'status']).where('id', '=', beneficiaryId).executeTakeFirst();
    if (!beneficiary || beneficiary.status !== 'active') {
      throw new AppError('not_found');
    }
    await this.#checkFeasibleOrThrow(this.#db, kind, beneficiaryId, parsed.data as Record<string, unknown>);

    const now = this.#now();
    const flow = await findApprovalFlow(this.#db, kind);
    const mail: string[] = [];
    const autoApproved = flow.autoApprove || this.#autoApprovedKinds.has(kind);
    const request: StoredRequest = {
      id: randomUUID(),
      kind,
      beneficiaryId,
      filedBy: filer.id,
      payload: parsed.data as Record<string, unknown>,
      reason: reason.trim(),
      status: 'pending',
      steps: [...flow.steps],
      currentStep: 0,
      autoApproved,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + REQUEST_LIFETIME_DAYS * 86_400_000).toISOString(),
      decidedAt: null,
    };

    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('access_requests').values(toRow(request)).execute();
      await this.#audit.append(trx, { action: 'governance.request_filed', outcome: 'success', actor: filer, targetType: 'user', targetId: beneficiaryId, reason: request.reason, ip: origin.ip, userAgent: origin.userAgent, details: { requestId: request.id, kind, payload: request.payload, autoApproved } });
      // A kind the security administrator set to auto-approve is applied at once and recorded as such.
      if (autoApproved) {
        await this.#apply(trx, request, filer, origin);
      } else {
        mail.push(...(await this.#notifyApprovers(trx, request)));
      }
    });
    this.#sendMail(mail);
    return autoApproved ? { ...request, status: 'applied', decidedAt: now.toISOString() } : request;
  }

  async approve(args: { requestId: string; approver: AuditActor & { id: string }; note?: string | undefined; origin: Origin }): Promise<StoredRequest> {
    return this.#decide({ ...args, decision: 'approved' });
  }

  async reject(args: { requestId: string; approver: AuditActor & { id: string }; note?: string | undefined; origin: Origin }): Promise<StoredRequest> {
    return this.#decide({ ...args, decision: 'rejected' });
  }

  async withdraw({ requestId, actor, origin }: { requestId: string; actor: AuditActor & { id: string }; origin: Origin }): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const request = await findRequest(trx, requestId);
      if (!request || request.filedBy !== actor.id) throw new AppError('not_found');
      if (request.status !== 'pending') throw new AppError('request_not_pending');
      // A break-glass review is the security administrator's to close, never the member's.
      if ((request.kind as string) === 'break_glass_review') throw new AppError('forbidden');
      await trx.updateTable('access_requests').set({ status: 'withdrawn', decided_at: this.#now().toISOString() }).where('id', '=', requestId).where('status', '=', 'pending').execute();
      await this.#audit.append(trx, { action: 'governance.request_withdrawn', outcome: 'success', actor, targetType: 'access_request', targetId: requestId, ip: origin.ip, userAgent: origin.userAgent });
    });
  }

  async find(requestId: string): Promise<StoredRequest | undefined> {
    return findRequest(this.#db, requestId);
  }

  /** Lists the decisions taken on a request so far, with the approvers' notes. */
  async decisionsOf(requestId: string) {
    const rows = await this.#db.selectFrom('access_request_decisions').innerJoin('users', 'users.id', 'access_request_decisions.approver_id').select(['access_request_decisions.step', 'access_request_decisions.decision', 'access_request_decisions.note', 'access_request_decisions.decided_at', 'users.display_name']).where('request_id', '=', requestId).orderBy('step').execute();
    return rows.map((row) => ({ step: Number(row.step), decision: row.decision, note: row.note, decidedAt: row.decided_at, approverName: row.display_name }));
  }

  /** Requests filed by or for the member, and those waiting for the member's approval. */
  async listFor(userId: string): Promise<{ mine: StoredRequest[]; queue: StoredRequest[] }> {
    const rows = await this.#db.selectFrom('access_requests').selectAll().orderBy('created_at', 'desc').limit(500).execute();
    const requests = rows.map(fromRow);
    const mine = requests.filter((request) => request.filedBy === userId || request.beneficiaryId === userId);
    const queue: StoredRequest[] = [];
    for (const request of requests.filter((candidate) => candidate.status === 'pending' && candidate.filedBy !== userId && candidate.beneficiaryId !== userId)) {
      if (await this.#isEligible(this.#db, request, userId)) queue.push(request);
    }
    return { mine, queue };
  }

  async #decide({ requestId, approver, note, origin, decision }: { requestId: string; approver: AuditActor & { id: string }; note?: string | undefined; origin: Origin; decision: 'approved' | 'rejected' }): Promise<StoredRequest> {
    const now = this.#now().toISOString();
    await this.#expireIfLapsed(requestId, approver, origin, now);
    const mail: string[] = [];
    try {
      const decided = await this.#db.transaction().execute(async (trx) => {
        const request = await findRequest(trx, requestId);
        if (!request) throw new AppError('not_found');
        if (request.status !== 'pending') throw new AppError('request_not_pending');
        // Nobody approves what they asked for or what benefits them.
        if (request.filedBy === approver.id || request.beneficiaryId === approver.id) throw new AppError('self_approval_forbidden');
        if (!(await this.#isEligible(trx, request, approver.id))) throw new AppError('approver_not_eligible');

        await trx.insertInto('access_request_decisions').values({ request_id: requestId, step: request.currentStep, approver_id: approver.id, decision, note: note?.slice(0, 500) ?? null, decided_at: now }).execute();
        await this.#audit.append(trx, { action: decision === 'approved' ? 'governance.request_approved' : 'governance.request_rejected', outcome: 'success', actor: approver, targetType: 'access_request', targetId: requestId, reason: note, ip: origin.ip, userAgent: origin.userAgent, details: { step: request.currentStep, kind: request.kind } });

        if (decision === 'rejected') {
          await trx.updateTable('access_requests').set({ status: 'rejected', decided_at: now }).where('id', '=', requestId).execute();
          return { ...request, status: 'rejected' as const, decidedAt: now };
        }
        const nextStep = request.currentStep + 1;
        if (nextStep < request.steps.length) {
          await trx.updateTable('access_requests').set({ current_step: nextStep }).where('id', '=', requestId).execute();
          mail.push(...(await this.#notifyApprovers(trx, { ...request, currentStep: nextStep })));
          return { ...request, currentStep: nextStep };
        }
        await this.#apply(trx, request, approver, origin);
        return { ...request, status: 'applied' as const, decidedAt: now };
      });
      this.#sendMail(mail);
      return decided;
    } catch (error) {
      // The decision's primary key (request, step) rejects a second decision of the same step.
      if (!(error instanceof AppError) && /unique|duplicate|primary key/i.test(String((error as Error).message))) {
        throw new AppError('request_already_decided');
      }
      throw error;
    }
  }

  /**
   * Leaves an in-app notice for everyone who may approve the request's current step, and returns
   * their e-mail addresses; mail goes out after the transaction commits.
   */
  async #notifyApprovers(trx: DbOrTrx, request: StoredRequest): Promise<string[]> {
    const step = request.steps[request.currentStep];
    if (!step) return [];
    const role = step.approver === 'role' ? step.role : 'department_manager';
    const candidates = await trx
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .select(['users.id', 'users.email'])
      .where('users.status', '=', 'active')
      .where('user_roles.role_key', 'in', step.approver === 'role' ? [role] : ['department_manager', 'partner'])
      .execute();
    const now = this.#now().toISOString();
    const emails: string[] = [];
    const notified = new Set<string>();
    for (const { id, email } of candidates) {
      if (notified.has(id) || id === request.filedBy || id === request.beneficiaryId || !(await this.#isEligible(trx, request, id))) continue;
      notified.add(id);
      if (email) emails.push(email);
      await trx
        .insertInto('notifications')
        .values({ id: randomUUID(), user_id: id, kind: 'approval_pending', params: JSON.stringify({ kind: request.kind, requestId: request.id }), created_at: now, read_at: null })
        .execute();
    }
    return emails;
  }

  /** Sends the approval notice by e-mail; a mail failure never undoes the request. */
  #sendMail(recipients: readonly string[]): void {
    for (const to of recipients) {
      this.#mailer
        ?.send({ to, subject: '【账安】有权限申请待您审批 / An access request awaits your approval', text: '有一项权限申请等待您审批，请登录账安，在“权限申请 → 待我审批”中处理。\n\nAn access request is waiting for your approval. Sign in to LedgerGuard and open Access requests → Waiting for me.' })
        .catch((error: unknown) => this.#logger?.error({ err: error }, 'approval notice e-mail failed'));
    }
  }

  /** Marks every lapsed pending request expired and audits each; the schedule calls it. */
  async expireLapsed(now: Date = this.#now()): Promise<number> {
    const at = now.toISOString();
    const lapsed = await this.#db.selectFrom('access_requests').select('id').where('status', '=', 'pending').where('expires_at', '<=', at).execute();
    for (const { id } of lapsed) {
      await this.#db.transaction().execute(async (trx) => {
        const result = await trx.updateTable('access_requests').set({ status: 'expired', decided_at: at }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) {
          await this.#audit.append(trx, { action: 'governance.request_expired', outcome: 'success', actor: { id: null, username: 'scheduler' }, targetType: 'access_request', targetId: id });
        }
      });
    }
    await this.#recordEndedGrants(at);
    return lapsed.length;
  }

  /**
   * Writes the end of each grant whose window has closed to the audit log, once. Access already
   * ended at the window's end inside every decision; this only makes the end visible.
   */
  async #recordEndedGrants(at: string): Promise<void> {
    const ended = await this.#db.selectFrom('access_grants').select(['id', 'user_id', 'client_id', 'department_id', 'kind', 'ends_at']).where('ends_at', '<=', at).where('revoked_at', 'is', null).where('expiry_recorded_at', 'is', null).limit(1000).execute();
    for (const grant of ended) {
      await this.#db.transaction().execute(async (trx) => {
        const result = await trx.updateTable('access_grants').set({ expiry_recorded_at: at }).where('id', '=', grant.id).where('expiry_recorded_at', 'is', null).executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) {
          await this.#audit.append(trx, { action: 'governance.grant_expired', outcome: 'success', actor: { id: null, username: 'scheduler' }, targetType: 'user', targetId: grant.user_id, clientId: grant.client_id ?? undefined, details: { grantId: grant.id, kind: grant.kind, departmentId: grant.department_id, endedAt: grant.ends_at } });
        }
      });
    }
  }

  /** Marks a lapsed pending request expired (committed on its own) and throws `request_expired`. */
  async #expireIfLapsed(requestId: string, actor: AuditActor, origin: Origin, now: string): Promise<void> {
    const expired = await this.#db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('access_requests').set({ status: 'expired', decided_at: now }).where('id', '=', requestId).where('status', '=', 'pending').where('expires_at', '<=', now).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await this.#audit.append(trx, { action: 'governance.request_expired', outcome: 'success', actor, targetType: 'access_request', targetId: requestId, ip: origin.ip, userAgent: origin.userAgent });
      return true;
    });
    if (expired) throw new AppError('request_expired');
  }

  async #isEligible(db: DbOrTrx, request: StoredRequest, approverId: string): Promise<boolean> {
    const step = request.steps[request.currentStep];
    const approver = await loadSubjectSnapshot(db, approverId);
    if (!step || !approver) return false;
    if (step.approver === 'role') return approver.roles.includes(step.role);
    if (step.approver === 'owning_department_manager') {
      const owner = String(request.payload.toDepartmentId ?? '');
      return (approver.roles.includes('department_manager') && approver.departmentTreeIds.has(owner)) || approver.roles.includes('partner');
    }

    const beneficiary = await db.selectFrom('users').select('department_id').where('id', '=', request.beneficiaryId).executeTakeFirst();
    const managesBeneficiary = approver.roles.includes('department_manager') && beneficiary?.department_id != null && approver.departmentTreeIds.has(beneficiary.department_id);
    return managesBeneficiary || approver.roles.includes('partner');
  }

  /** Only the requesting department's manager (or a partner) can ask another department to share. */
  async #checkShareFilerOrThrow(filerId: string, share: { fromDepartmentId: string }): Promise<void> {
    const filer = await loadSubjectSnapshot(this.#db, filerId);
    const managesFrom = Boolean(filer?.roles.includes('department_manager') && filer.departmentTreeIds.has(share.fromDepartmentId));
    if (!filer || !(managesFrom || filer.roles.includes('partner'))) {
      throw new AppError('forbidden');
    }
  }

  /** Rejects at filing what could never be applied, such as breaking the three-administrator rule. */
  async #checkFeasibleOrThrow(db: DbOrTrx, kind: RequestKind, beneficiaryId: string, payload: Record<string, unknown>): Promise<void> {
    const roles = (await db.selectFrom('user_roles').select('role_key').where('user_id', '=', beneficiaryId).execute()).map((row) => row.role_key).filter(isRoleKey);
    if (kind === 'role_grant') {
      const role = payload.role as RoleKey;
      if (roles.includes(role)) throw new AppError('request_invalid', { detail: 'role already held' });
      if (violatesAdministratorSeparation([...roles, role])) throw new AppError('admin_roles_exclusive');
    }
    if (kind === 'role_revoke' && !roles.includes(payload.role as RoleKey)) {
      throw new AppError('request_invalid', { detail: 'role not held' });
    }
    if (typeof payload.clientId === 'string' && !(await db.selectFrom('clients').select('id').where('id', '=', payload.clientId).executeTakeFirst())) {
      throw new AppError('not_found');
    }
    for (const key of ['departmentId', 'fromDepartmentId', 'toDepartmentId'] as const) {
      const departmentId = payload[key];
      if (typeof departmentId === 'string' && !(await db.selectFrom('departments').select('id').where('id', '=', departmentId).executeTakeFirst())) {
        throw new AppError('not_found');
      }
    }
    if (Array.isArray(payload.clientIds)) {
      // Only clients of the owning department can be shared by it.
      const owned = await db.selectFrom('clients').select('id').where('id', 'in', payload.clientIds as string[]).where('department_id', '=', payload.toDepartmentId as string).execute();
      if (owned.length !== new Set(payload.clientIds as string[]).size) throw new AppError('request_invalid', { detail: 'clientIds' });
    }
  }

  async #apply(trx: DbOrTrx, request: StoredRequest, actor: AuditActor, origin: Origin): Promise<void> {
    const now = this.#now().toISOString();
    const payload = request.payload;
    switch (request.kind) {
      case 'role_grant': {
        const roles = (await trx.selectFrom('user_roles').select('role_key').where('user_id', '=', request.beneficiaryId).execute()).map((row) => row.role_key).filter(isRoleKey);
        // Checked again here: another request may have granted a role since this one was filed.
        if (violatesAdministratorSeparation([...roles, payload.role as RoleKey])) throw new AppError('admin_roles_exclusive');
        await trx.insertInto('user_roles').values({ user_id: request.beneficiaryId, role_key: payload.role as string, created_at: now }).onConflict((conflict) => conflict.doNothing()).execute();
        break;
      }
      case 'role_revoke':
        await trx.deleteFrom('user_roles').where('user_id', '=', request.beneficiaryId).where('role_key', '=', payload.role as string).execute();
        break;
      case 'department_change':
        await trx.updateTable('users').set({ department_id: payload.departmentId as string }).where('id', '=', request.beneficiaryId).execute();
        break;
      case 'assignment_add':
        await trx.insertInto('client_assignments').values({ client_id: payload.clientId as string, user_id: request.beneficiaryId, created_at: now }).onConflict((conflict) => conflict.doNothing()).execute();
        break;
      case 'assignment_remove':
        await trx.deleteFrom('client_assignments').where('client_id', '=', payload.clientId as string).where('user_id', '=', request.beneficiaryId).execute();
        break;
      case 'department_share': {
        // Every current member of the requesting department receives the share as grants.
        const members = await trx.selectFrom('users').select('id').where('department_id', '=', payload.fromDepartmentId as string).where('status', '=', 'active').where('client_id', 'is', null).execute();
        const targets = Array.isArray(payload.clientIds) ? (payload.clientIds as string[]).map((clientId) => ({ clientId, departmentId: null })) : [{ clientId: null, departmentId: payload.toDepartmentId as string }];
        for (const member of members) {
          for (const target of targets) {
            await trx
              .insertInto('access_grants')
              .values({ id: randomUUID(), user_id: member.id, client_id: target.clientId, department_id: target.departmentId, categories: JSON.stringify(payload.categories), actions: JSON.stringify(payload.actions), starts_at: new Date(payload.startsAt as string).toISOString(), ends_at: new Date(payload.endsAt as string).toISOString(), kind: 'temporary', reason: request.reason, created_by: request.filedBy, created_at: now })
              .execute();
          }
        }
        break;
      }
      case 'temporary_grant':
        await trx
          .insertInto('access_grants')
          .values({
            id: randomUUID(),
            user_id: request.beneficiaryId,
            client_id: (payload.clientId as string | undefined) ?? null,
            department_id: (payload.departmentId as string | undefined) ?? null,
            categories: JSON.stringify(payload.categories),
            actions: JSON.stringify(payload.actions),
            starts_at: new Date(payload.startsAt as string).toISOString(),
            ends_at: new Date(payload.endsAt as string).toISOString(),
            kind: 'temporary',
            reason: request.reason,
            created_by: request.filedBy,
            created_at: now,
          })
          .execute();
        break;
    }
    await trx.updateTable('access_requests').set({ status: 'applied', decided_at: now }).where('id', '=', request.id).execute();
    await this.#audit.append(trx, { action: 'governance.request_applied', outcome: 'success', actor, targetType: 'user', targetId: request.beneficiaryId, clientId: typeof payload.clientId === 'string' ? payload.clientId : undefined, ip: origin.ip, userAgent: origin.userAgent, details: { requestId: request.id, kind: request.kind, payload, autoApproved: request.autoApproved } });
  }
}

/**
 * Separation of the three administrators (三员分立): an account holding the system, security or
 * audit administrator role holds no other role, so nobody can grant access, use it and erase
 * the traces.
 */
export function violatesAdministratorSeparation(roles: readonly RoleKey[]): boolean {
  const distinct = [...new Set(roles)];
  return distinct.some((role) => ADMINISTRATOR_ROLES.includes(role)) && distinct.length > 1;
}

async function findRequest(db: DbOrTrx, id: string): Promise<StoredRequest | undefined> {
  const row = await db.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row && fromRow(row);
}

type RequestRow = { id: string; kind: string; beneficiary_id: string; filed_by: string; payload: string; reason: string; status: StoredRequest['status']; steps: string; current_step: number; auto_approved: number; created_at: string; expires_at: string; decided_at: string | null };

function toRow(request: StoredRequest): RequestRow {
  return {
    id: request.id,
    kind: request.kind,
    beneficiary_id: request.beneficiaryId,
    filed_by: request.filedBy,
    payload: JSON.stringify(request.payload),
    reason: request.reason,
    status: request.status,
    steps: JSON.stringify(request.steps),
    current_step: request.currentStep,
    auto_approved: request.autoApproved ? 1 : 0,
    created_at: request.createdAt,
    expires_at: request.expiresAt,
    decided_at: request.decidedAt,
  };
}

function fromRow(row: RequestRow): StoredRequest {
  return {
    id: row.id,
    kind: row.kind as RequestKind,
    beneficiaryId: row.beneficiary_id,
    filedBy: row.filed_by,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    reason: row.reason,
    status: row.status,
    steps: JSON.parse(row.steps) as ApprovalStep[],
    currentStep: Number(row.current_step),
    autoApproved: Number(row.auto_approved) === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
  };
}

