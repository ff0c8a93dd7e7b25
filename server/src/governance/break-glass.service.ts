import { randomUUID } from 'node:crypto';
import type { RoleKey, SubjectSnapshot } from '../access/index.js';
import type { AuditEventInput, AuditLog } from '../audit/index.js';
import type { Db, DbOrTrx } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { MIN_REQUEST_REASON } from './request.service.js';

/** Portal accounts of a client company: they list their own company (`client:list`) and are not staff. */
const PORTAL_ROLES: readonly RoleKey[] = ['client_contact'];

/** The sink that raises break-glass alerts inside the transaction that opens the grant. */
export interface BreakGlassAlertSink {
  raise(trx: DbOrTrx, input: { userId: string; clientId: string; grantId: string; endsAt: string; occurredAt: string }): Promise<{ alertId: string; audit: AuditEventInput[] }>;
  attachEvidence(trx: DbOrTrx, alertId: string, seq: number): Promise<void>;
  committed(): void;
}

/**
 * Break-glass: emergency access to one client without prior approval. It lasts a short time,
 * raises a high-severity alert at once and leaves a review task for the security
 * administrator, so an emergency is never a quiet way around the approval flow.
 */
export class BreakGlassService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #alerts: BreakGlassAlertSink;
  readonly #minutes: number;
  readonly #now: () => Date;

  constructor({ db, audit, alerts, minutes, now = () => new Date() }: { db: Db; audit: AuditLog; alerts: BreakGlassAlertSink; minutes: number; now?: () => Date }) {
    this.#db = db;
    this.#audit = audit;
    this.#alerts = alerts;
    this.#minutes = minutes;
    this.#now = now;
  }

  async open({ subject, clientId, reason, origin }: { subject: SubjectSnapshot; clientId: string; reason: string; origin: { ip: string | undefined; userAgent: string | undefined } }) {
    // Emergency access is for the firm's staff. A client company's contact must never reach
    // another company, so the check comes before the client is looked up.
    if (subject.roles.every((role) => PORTAL_ROLES.includes(role))) {
      await this.#audit.record({ action: 'access.denied', outcome: 'denied', actor: { id: subject.userId, username: subject.username }, targetType: 'client', targetId: clientId.slice(0, 64), ip: origin.ip, userAgent: origin.userAgent, details: { attempted: 'governance.break_glass', reasons: ['portal_account'] } });
      throw new AppError('forbidden');
    }
    if ([...reason.trim()].length < MIN_REQUEST_REASON) {
      throw new AppError('request_invalid', { detail: 'reason' }, [{ path: 'reason', message: 'reason_required' }]);
    }
    const client = await this.#db.selectFrom('clients').select('id').where('id', '=', clientId).where('status', '=', 'active').executeTakeFirst();
    if (!client) {
      throw new AppError('not_found');
    }

    const now = this.#now();
    const endsAt = new Date(now.getTime() + this.#minutes * 60_000).toISOString();
    const grantId = randomUUID();
    const reviewId = randomUUID();
    const actor = { id: subject.userId, username: subject.username };

    const alertId = await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('access_grants')
        .values({ id: grantId, user_id: subject.userId, client_id: clientId, department_id: null, categories: JSON.stringify(['basic', 'financial', 'sensitive']), actions: JSON.stringify(['client:list', 'client:read', 'client:reveal']), starts_at: now.toISOString(), ends_at: endsAt, kind: 'break_glass', reason: reason.trim(), created_by: subject.userId, created_at: now.toISOString() })
        .execute();
      // The review task is a request the security administrator must close, like any approval.
      await trx
        .insertInto('access_requests')
        .values({ id: reviewId, kind: 'break_glass_review', beneficiary_id: subject.userId, filed_by: subject.userId, payload: JSON.stringify({ grantId, clientId, endsAt }), reason: reason.trim(), status: 'pending', steps: JSON.stringify([{ approver: 'role', role: 'security_admin' }]), current_step: 0, auto_approved: 0, created_at: now.toISOString(), expires_at: new Date(now.getTime() + 30 * 86_400_000).toISOString(), decided_at: null })
        .execute();

      // The grant exists before the alert, so a response configured for the rule (ending grants) reaches it.
      const alert = await this.#alerts.raise(trx, { userId: subject.userId, clientId, grantId, endsAt, occurredAt: now.toISOString() });
      const [event] = await this.#audit.append(trx, { action: 'governance.break_glass', outcome: 'success', actor, targetType: 'client', targetId: clientId, clientId, reason: reason.trim(), ip: origin.ip, userAgent: origin.userAgent, details: { grantId, alertId: alert.alertId, reviewId, endsAt } }, ...alert.audit);
      await this.#alerts.attachEvidence(trx, alert.alertId, event!.seq);
      return alert.alertId;
    });

    this.#alerts.committed();
    return { grantId, alertId, reviewId, endsAt };
  }
}
