import { type SubjectSnapshot, decide } from '../access/index.js';
import type { AuditLog } from '../audit/index.js';
import { findClientRow } from '../clients/client.repository.js';
import { MIN_REASON_LENGTH, type RequestContext } from '../clients/client.service.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { insertClientArchive } from './retention.repository.js';

/** Archives a client that ended its engagement (终止委托); its records then wait out their retention periods read-only. */
export class ClientArchiveService {
  readonly #db: Db;
  readonly #audit: AuditLog;

  constructor({ db, audit }: { db: Db; audit: AuditLog }) {
    this.#db = db;
    this.#audit = audit;
  }

  async archive({ clientId, reason, context, now = new Date() }: { clientId: string; reason: string; context: RequestContext; now?: Date }): Promise<{ id: string; status: 'archived'; archivedAt: string }> {
    // A client out of scope answers like a missing one, and the attempt is audited as a denial.
    const row = await findClientRow(this.#db, clientId);
    const decision = row ? decide(context.subject, 'client:archive', { type: 'client', id: row.id, departmentId: row.department_id }) : undefined;
    if (!row || !decision?.allow) {
      await this.#audit.record({ action: 'access.denied', outcome: 'denied', actor: actorOf(context.subject), targetType: 'client', targetId: (row?.id ?? clientId).slice(0, 64), clientId: row?.id, ip: context.ip, userAgent: context.userAgent, details: { attempted: 'client.archived', reasons: decision?.reasons ?? ['not_found'] } });
      throw new AppError('not_found');
    }

    const trimmedReason = reason.trim();
    if ([...trimmedReason].length < MIN_REASON_LENGTH) {
      throw new AppError('validation_failed', {}, [{ path: 'reason', message: 'reason_required' }]);
    }
    if (row.status !== 'active') {
      throw new AppError('client_not_active');
    }

    const archivedAt = now.toISOString();
    await this.#db.transaction().execute(async (trx) => {
      // The status condition makes a concurrent second archive change nothing, and the insert then fails on the key.
      await trx.updateTable('clients').set({ status: 'archived', updated_at: archivedAt }).where('id', '=', row.id).where('status', '=', 'active').execute();
      await insertClientArchive(trx, { clientId: row.id, archivedAt, archivedBy: context.subject.userId, reason: trimmedReason });
      await this.#audit.append(trx, { action: 'client.archived', outcome: 'success', actor: actorOf(context.subject), targetType: 'client', targetId: row.id, clientId: row.id, reason: trimmedReason, ip: context.ip, userAgent: context.userAgent, details: { decision: decision.reasons } });
    });
    return { id: row.id, status: 'archived', archivedAt };
  }
}

function actorOf(subject: SubjectSnapshot) {
  return { id: subject.userId, username: subject.username };
}
