import { randomUUID } from 'node:crypto';
import type { AuditEventInput } from '../audit/index.js';
import type { DbOrTrx } from '../db/index.js';
import type { AlertNotifier } from '../notify/alert-notice.js';
import { buildAlertNotice, isNotifiedCount } from './alert-notice.builder.js';
import { type AlertRecord, findAlertResponses, findOpenGroupAlert, insertAlert, insertAlertResponse, nextAlertRevision, updateAlert } from './alert.repository.js';
import { minutesBefore } from './detector-event.js';
import { takeResponse } from './responses.js';
import { numberParam, type RuleSettings } from './rule-catalog.js';
import type { Finding } from './rules/index.js';

export interface RaiseRequest {
  readonly settings: RuleSettings;
  readonly finding: Finding;
  /** When the triggering event occurred; grouping windows are measured in event time. */
  readonly occurredAt: string;
  readonly triggerSeq: number | null;
}

export interface RaiseResult {
  readonly alertId: string;
  readonly created: boolean;
  /**
   * Audit events describing the raise and its responses. The caller appends them as the last
   * write of its transaction, after every alert write, so the audit head lock is always the
   * last lock an alert writer takes.
   */
  readonly audit: AuditEventInput[];
}

/** Most recent evidence kept per alert; older sequence numbers stay findable in the audit log. */
const MAX_EVIDENCE = 100;

/**
 * Raises an alert for a finding, or joins the open alert of the same group, inside the caller's
 * transaction: the alert row, automatic responses, the notification queue and (through the
 * caller) the audit events commit together.
 */
export class AlertRaiser {
  readonly #notifier: AlertNotifier;
  readonly #now: () => Date;

  constructor({ notifier, now = () => new Date() }: { notifier: AlertNotifier; now?: () => Date }) {
    this.#notifier = notifier;
    this.#now = now;
  }

  async raise(trx: DbOrTrx, { settings, finding, occurredAt, triggerSeq }: RaiseRequest): Promise<RaiseResult> {
    const revision = await nextAlertRevision(trx);
    const now = this.#now();
    const nowText = now.toISOString();

    const seenSince = minutesBefore(occurredAt, numberParam(settings, 'groupMinutes'));
    const existing = await findOpenGroupAlert(trx, { rule: settings.key, userId: finding.userId, groupKey: finding.groupKey, seenSince });
    const alert = existing ? repeatOf(existing, finding, occurredAt, nowText, revision) : newAlert(settings, finding, occurredAt, nowText, revision);
    if (existing) {
      await updateAlert(trx, alert.id, { count: alert.count, evidence: alert.evidence, facts: alert.facts, lastSeenAt: alert.lastSeenAt, updatedAt: nowText, revision });
    } else {
      await insertAlert(trx, alert);
    }
    const audit: AuditEventInput[] = [raiseEvent(alert, existing === undefined, triggerSeq)];

    const taken = await this.#respond(trx, alert, settings, now, audit);
    const current = taken.length > 0 ? { ...alert, responses: [...alert.responses, ...taken] } : alert;
    if (taken.length > 0) {
      await updateAlert(trx, alert.id, { responses: current.responses, updatedAt: nowText, revision });
    }

    if (!existing || isNotifiedCount(current.count)) {
      const member = current.userId ? await trx.selectFrom('users').select('username').where('id', '=', current.userId).executeTakeFirst() : undefined;
      await this.#notifier.enqueue(trx, buildAlertNotice(current, member?.username ?? null));
    }
    return { alertId: alert.id, created: !existing, audit };
  }

  /**
   * Takes each configured response the alert has not tried yet; a repeat never locks or signs
   * out the member a second time. Returns the responses that took effect.
   */
  async #respond(trx: DbOrTrx, alert: AlertRecord, settings: RuleSettings, now: Date, audit: AuditEventInput[]): Promise<string[]> {
    const earlier = alert.count > 1 ? await findAlertResponses(trx, alert.id) : [];
    const tried = new Set(earlier.map((response) => response.kind));
    const taken: string[] = [];
    let position = earlier.length;
    for (const kind of settings.responses) {
      if (tried.has(kind)) continue;

      const result = await takeResponse(trx, { kind, userId: alert.userId, at: now });
      await insertAlertResponse(trx, { id: randomUUID(), alertId: alert.id, position, kind, at: now.toISOString(), outcome: result.outcome, detail: result.detail });
      position += 1;
      if (result.outcome === 'done') taken.push(kind);
      audit.push({
        action: 'security.response_taken',
        outcome: result.outcome === 'done' ? 'success' : 'failure',
        actor: null,
        targetType: 'user',
        targetId: alert.userId ?? undefined,
        details: { alertId: alert.id, rule: alert.rule, response: kind, result: result.outcome, detail: result.detail },
      });
    }
    return taken;
  }
}

function newAlert(settings: RuleSettings, finding: Finding, occurredAt: string, nowText: string, revision: number): AlertRecord {
  return {
    id: randomUUID(),
    rule: settings.key,
    severity: settings.severity,
    status: 'new',
    userId: finding.userId,
    clientId: finding.clientId ?? null,
    groupKey: finding.groupKey,
    evidence: [...finding.evidence].slice(-MAX_EVIDENCE),
    facts: finding.facts,
    count: 1,
    firstSeenAt: occurredAt,
    lastSeenAt: occurredAt,
    createdAt: nowText,
    updatedAt: nowText,
    responses: [],
    revision,
  };
}

function repeatOf(existing: AlertRecord, finding: Finding, occurredAt: string, nowText: string, revision: number): AlertRecord {
  const evidence = [...new Set([...existing.evidence, ...finding.evidence])].sort((a, b) => a - b).slice(-MAX_EVIDENCE);
  return {
    ...existing,
    count: existing.count + 1,
    evidence,
    facts: finding.facts,
    lastSeenAt: occurredAt > existing.lastSeenAt ? occurredAt : existing.lastSeenAt,
    updatedAt: nowText,
    revision,
  };
}

function raiseEvent(alert: AlertRecord, created: boolean, triggerSeq: number | null): AuditEventInput {
  return {
    action: created ? 'security.alert_raised' : 'security.alert_updated',
    outcome: 'success',
    actor: null,
    targetType: 'alert',
    targetId: alert.id,
    clientId: alert.clientId ?? undefined,
    details: { alertId: alert.id, rule: alert.rule, severity: alert.severity, userId: alert.userId, count: alert.count, triggerSeq, ...(created ? { facts: alert.facts } : { change: 'repeated' }) },
  };
}
