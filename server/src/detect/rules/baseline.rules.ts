import { findActivityDay, findActivityDays, findDepartmentsAccessed, hasAccessedClientSince } from '../activity.repository.js';
import { anomalyThreshold, computeBaseline } from '../baseline.js';
import type { DetectorEvent } from '../detector-event.js';
import { numberParam } from '../rule-catalog.js';
import { addDays } from '../zoned-time.js';
import type { DetectionRule, Finding, RuleContext } from './rule.types.js';

const ACCESS_ACTIONS = new Set(['client.view', 'client.reveal']);

function isClientAccess(event: DetectorEvent): event is DetectorEvent & { actorId: string; clientId: string } {
  return ACCESS_ACTIONS.has(event.action) && event.outcome === 'success' && event.actorId !== null && event.clientId !== null;
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * A member opening far more clients, or revealing far more values, today than on their own
 * usual day: above `deviations` standard deviations over their mean of the last `baselineDays`
 * days with activity, and above a floor. Members with fewer than `minHistoryDays` such days have
 * no baseline yet and are not judged by this rule.
 */
export const volumeAnomalyRule: DetectionRule = {
  key: 'volume_anomaly',
  actions: ACCESS_ACTIONS,
  async evaluate(event, context) {
    if (!isClientAccess(event) || !(await context.directory.isStaff(event.actorId))) return undefined;

    const today = await findActivityDay(context.db, { userId: event.actorId, day: context.local.date });
    if (event.action === 'client.reveal') {
      const finding = await judgeDay(event, context, 'reveals', today.valuesRevealed + 1);
      if (finding) return finding;
    }
    // Opening the same client again today does not change the count of clients.
    if (await hasAccessedClientSince(context.db, { userId: event.actorId, clientId: event.clientId, fromDay: context.local.date })) return undefined;
    return judgeDay(event, context, 'clients', today.clientsAccessed + 1);
  },
};

async function judgeDay(event: DetectorEvent & { actorId: string }, { db, settings, local }: RuleContext, metric: 'clients' | 'reveals', value: number): Promise<Finding | undefined> {
  const floor = numberParam(settings, metric === 'clients' ? 'minClients' : 'minReveals');
  // Cheap exit first: nothing at or under the floor is ever anomalous.
  if (value <= floor) return undefined;

  const baselineDays = numberParam(settings, 'baselineDays');
  const history = await findActivityDays(db, { userId: event.actorId, fromDay: addDays(local.date, -baselineDays), toDay: local.date });
  if (history.length < numberParam(settings, 'minHistoryDays')) return undefined;

  const baseline = computeBaseline(history.map((day) => (metric === 'clients' ? day.clientsAccessed : day.valuesRevealed)));
  const threshold = anomalyThreshold(baseline, { deviations: numberParam(settings, 'deviations'), floor });
  if (value <= threshold) return undefined;

  return {
    userId: event.actorId,
    groupKey: `${metric}:${local.date}`,
    facts: { metric, value, baseline: round(baseline.mean), stddev: round(baseline.stddev), threshold: round(threshold), historyDays: baseline.days, day: local.date },
    evidence: [event.seq],
  };
}

/**
 * A member opening a client of a department outside their usual ones, which they have not
 * opened in the last `lookbackDays` days. Usual departments are the member's own department and
 * those below it (a manager's scope), the departments of assigned clients and of open grants,
 * and the departments the member worked in on earlier days of the period. A member with fewer
 * than `minHistoryDays` active days in the period is not judged yet.
 */
export const unusualDepartmentRule: DetectionRule = {
  key: 'unusual_department',
  actions: ACCESS_ACTIONS,
  async evaluate(event, { db, settings, local, directory }) {
    if (!isClientAccess(event)) return undefined;

    const lookbackDays = numberParam(settings, 'lookbackDays');
    const fromDay = addDays(local.date, -lookbackDays);
    if (await hasAccessedClientSince(db, { userId: event.actorId, clientId: event.clientId, fromDay })) return undefined;

    const department = await directory.clientDepartment(event.clientId);
    const member = await directory.findMember(event.actorId);
    if (!department || !member || member.portalClientId !== null) return undefined;
    if ((await directory.structuralDepartments(member, event.occurredAt)).has(department)) return undefined;

    const activeDays = await findActivityDays(db, { userId: event.actorId, fromDay, toDay: local.date });
    if (activeDays.length < numberParam(settings, 'minHistoryDays')) return undefined;
    if ((await findDepartmentsAccessed(db, { userId: event.actorId, fromDay, toDay: local.date })).has(department)) return undefined;

    return {
      userId: event.actorId,
      clientId: event.clientId,
      groupKey: `department:${department}`,
      facts: { department: (await directory.departmentName(department)) ?? '', lookbackDays },
      evidence: [event.seq],
    };
  },
};
