import type { AuditEventInput } from '../audit/index.js';
import type { DbOrTrx } from '../db/index.js';
import type { AlertRaiser } from './alert-raiser.js';
import { addEvidence } from './alert.repository.js';
import { breakGlassFinding } from './rules/index.js';
import { loadRuleSettings } from './settings.repository.js';

/**
 * Raises the break-glass alert inside the transaction that opens the emergency grant, so the
 * alert exists (and is queued for notification) the moment the access does. The detector later
 * finds the event's `alertId` and does not raise it again.
 */
export class BreakGlassAlerts {
  readonly #raiser: AlertRaiser;
  readonly #onAlertsChanged: (() => void) | undefined;

  constructor({ raiser, onAlertsChanged }: { raiser: AlertRaiser; onAlertsChanged?: () => void }) {
    this.#raiser = raiser;
    this.#onAlertsChanged = onAlertsChanged;
  }

  /**
   * Raises (or repeats) the alert; the returned audit events go into the caller's final append,
   * after which `attachEvidence` names the break-glass event in the alert.
   */
  async raise(trx: DbOrTrx, { userId, clientId, grantId, endsAt, occurredAt }: { userId: string; clientId: string; grantId: string; endsAt: string; occurredAt: string }): Promise<{ alertId: string; audit: AuditEventInput[] }> {
    const settings = (await loadRuleSettings(trx)).get('break_glass')!;
    const finding = breakGlassFinding({ userId, clientId, grantId, endsAt, seq: null });
    const { alertId, audit } = await this.#raiser.raise(trx, { settings, finding, occurredAt, triggerSeq: null });
    return { alertId, audit };
  }

  async attachEvidence(trx: DbOrTrx, alertId: string, seq: number): Promise<void> {
    await addEvidence(trx, alertId, seq);
  }

  /** Tells live streams of this process to look now; call after the transaction committed. */
  committed(): void {
    this.#onAlertsChanged?.();
  }
}
