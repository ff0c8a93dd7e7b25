import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/index.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { type AlertListFilter, type AlertStatus, findAlert, insertAlertNote, listAlerts, nextAlertRevision, updateAlert } from './alert.repository.js';
import { presentAlert, presentAlertDetail } from './alert.presenter.js';

interface Actor {
  readonly id: string;
  readonly username: string;
}

interface Origin {
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

/** The status flow: resolved and false positive are final, so a closed alert's record stays as it was closed. */
const TRANSITIONS: Readonly<Record<AlertStatus, readonly AlertStatus[]>> = Object.freeze({
  new: ['acknowledged', 'resolved', 'false_positive'],
  acknowledged: ['resolved', 'false_positive'],
  resolved: [],
  false_positive: [],
});

/** Minimum characters of a note that closes an alert, so the record states why it was closed. */
export const MIN_CLOSING_NOTE = 4;

/** The security administrator's view of alerts and the status changes they make. */
export class AlertService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #onAlertsChanged: (() => void) | undefined;
  readonly #now: () => Date;

  constructor({ db, audit, onAlertsChanged, now = () => new Date() }: { db: Db; audit: AuditLog; onAlertsChanged?: () => void; now?: () => Date }) {
    this.#db = db;
    this.#audit = audit;
    this.#onAlertsChanged = onAlertsChanged;
    this.#now = now;
  }

  async list(filter: AlertListFilter) {
    const { total, items } = await listAlerts(this.#db, filter);
    return { total, items: items.map(presentAlert) };
  }

  async detailOrThrow(id: string) {
    const row = await findAlert(this.#db, id);
    if (!row) throw new AppError('not_found');
    return presentAlertDetail(this.#db, row);
  }

  /** Moves an alert along the status flow with a note; the change and its audit event commit together. */
  async changeStatus({ id, status, note, actor, origin }: { id: string; status: Exclude<AlertStatus, 'new'>; note: string; actor: Actor; origin: Origin }) {
    const trimmed = note.trim();
    if (status !== 'acknowledged' && [...trimmed].length < MIN_CLOSING_NOTE) {
      throw new AppError('validation_failed', {}, [{ path: 'note', message: 'reason_required' }]);
    }

    await this.#db.transaction().execute(async (trx) => {
      const revision = await nextAlertRevision(trx);
      const alert = await findAlert(trx, id);
      if (!alert) throw new AppError('not_found');
      if (!TRANSITIONS[alert.status].includes(status)) {
        throw new AppError('alert_transition_invalid', { from: alert.status, to: status });
      }

      const at = this.#now().toISOString();
      await updateAlert(trx, id, { status, updatedAt: at, revision });
      await insertAlertNote(trx, { id: randomUUID(), alertId: id, at, userId: actor.id, username: actor.username, from: alert.status, to: status, note: trimmed });
      await this.#audit.append(trx, {
        action: 'security.alert_updated',
        outcome: 'success',
        actor,
        targetType: 'alert',
        targetId: id,
        clientId: alert.clientId ?? undefined,
        reason: trimmed.length > 0 ? trimmed : undefined,
        ip: origin.ip,
        userAgent: origin.userAgent,
        details: { alertId: id, rule: alert.rule, from: alert.status, to: status },
      });
    });

    this.#onAlertsChanged?.();
    return this.detailOrThrow(id);
  }
}
