import { type DetectorEvent, isSessionOpened, minutesBefore } from '../detector-event.js';
import { findFailedSignIns, findLastSignInBefore, findMemberEvents, findUserIdByUsernameKey } from '../history.repository.js';
import { booleanParam, numberParam } from '../rule-catalog.js';
import { type DetectionRule, type Finding, type RuleContext, newestEvidence } from './rule.types.js';

const SIGN_IN = new Set(['auth.login']);
const DAY_MINUTES = 24 * 60;

function isFailedSignIn(event: DetectorEvent): boolean {
  return event.action === 'auth.login' && event.outcome === 'failure';
}

/**
 * Repeated failed sign-ins for one account name. Failures carry the NFKC-folded name even for
 * names without an account, so guessing at a name that does not exist is counted too.
 */
export const failedSignInsRule: DetectionRule = {
  key: 'failed_sign_ins',
  actions: SIGN_IN,
  async evaluate(event, { db, settings }) {
    if (!isFailedSignIn(event) || !event.actorUsername) return undefined;

    const windowMinutes = numberParam(settings, 'windowMinutes');
    const failures = await findFailedSignIns(db, { by: 'account', value: event.actorUsername, since: minutesBefore(event.occurredAt, windowMinutes), throughSeq: event.seq });
    if (failures.length < numberParam(settings, 'failures')) return undefined;

    const addresses = new Set(failures.map((row) => row.ip).filter((ip): ip is string => ip !== null));
    // An attempt on a locked account is recorded without the account's id, so the response cannot
    // tell a locked account from a missing one. The name finds the member, so such attempts join
    // the alert of the failures before them.
    const userId = event.actorId ?? (await findUserIdByUsernameKey(db, event.actorUsername)) ?? null;
    return {
      userId,
      groupKey: `account:${event.actorUsername}`,
      facts: { account: shownAccountName(event.actorUsername), failures: failures.length, windowMinutes, addresses: addresses.size, ip: event.ip ?? '' },
      evidence: newestEvidence(failures.map((row) => Number(row.seq)), event.seq),
    };
  },
};

/**
 * Returns an attempted account name fit for alert texts. A name without an account is whatever
 * the sign-in form received, so characters outside usernames are replaced before it reaches a
 * dashboard or a group-chat robot that renders markup.
 */
function shownAccountName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._@-]/gu, '?');
}

/** Many different account names failing from one address: a list of stolen passwords being tried. */
export const credentialStuffingRule: DetectionRule = {
  key: 'credential_stuffing',
  actions: SIGN_IN,
  async evaluate(event, { db, settings }) {
    if (!isFailedSignIn(event) || !event.ip) return undefined;

    const windowMinutes = numberParam(settings, 'windowMinutes');
    const failures = await findFailedSignIns(db, { by: 'address', value: event.ip, since: minutesBefore(event.occurredAt, windowMinutes), throughSeq: event.seq });
    const accounts = new Set(failures.map((row) => row.actor_username).filter((name): name is string => name !== null));
    if (accounts.size < numberParam(settings, 'accounts')) return undefined;

    return {
      userId: null,
      groupKey: `ip:${event.ip}`,
      facts: { ip: event.ip, accounts: accounts.size, attempts: failures.length, windowMinutes },
      evidence: newestEvidence(failures.map((row) => Number(row.seq)), event.seq),
    };
  },
};

/**
 * A sign-in from a device the member never used (the `auth.new_device` event the sign-in writes)
 * or, when `checkAddress` is on, from an address none of the member's sign-ins of the last
 * `lookbackDays` came from. A member with no sign-in in that period has no known addresses, and
 * is left to the dormant-account rule.
 */
export const newDeviceRule: DetectionRule = {
  key: 'new_device',
  actions: new Set(['auth.new_device', 'auth.login']),
  async evaluate(event, context) {
    if (!event.actorId || event.outcome !== 'success') return undefined;
    const lookbackDays = numberParam(context.settings, 'lookbackDays');

    if (event.action === 'auth.new_device') {
      return { userId: event.actorId, groupKey: `ip:${event.ip ?? ''}`, facts: { ip: event.ip ?? '', reason: 'new_device', lookbackDays }, evidence: [event.seq] };
    }
    // A sign-in from a new device has its own `auth.new_device` event just before it.
    if (!isSessionOpened(event) || event.details.newDevice === true || !event.ip || !booleanParam(context.settings, 'checkAddress')) return undefined;

    return newAddressFinding(event, context, lookbackDays);
  },
};

async function newAddressFinding(event: DetectorEvent, { db }: RuleContext, lookbackDays: number): Promise<Finding | undefined> {
  const earlier = await findMemberEvents(db, { actorId: event.actorId!, actions: ['auth.login'], outcome: 'success', since: minutesBefore(event.occurredAt, lookbackDays * DAY_MINUTES), throughSeq: event.seq - 1 });
  const signIns = earlier.filter((row) => isSessionOpened({ action: 'auth.login', outcome: 'success', details: JSON.parse(row.details) as Record<string, unknown> }));
  if (signIns.length === 0 || signIns.some((row) => row.ip === event.ip)) return undefined;

  return {
    userId: event.actorId,
    groupKey: `ip:${event.ip}`,
    facts: { ip: event.ip!, reason: 'new_address', lookbackDays, knownAddresses: new Set(signIns.map((row) => row.ip)).size },
    evidence: [event.seq],
  };
}

/**
 * A sign-in by an account whose previous sign-in lies more than `dormantDays` back, or that was
 * created that long ago and never signed in. Only the first step of a sign-in can fire: the
 * second step finds the first one just before it.
 */
export const dormantAccountRule: DetectionRule = {
  key: 'dormant_account',
  actions: SIGN_IN,
  async evaluate(event, { db, settings, directory }) {
    if (event.outcome !== 'success' || !event.actorId) return undefined;

    const dormantDays = numberParam(settings, 'dormantDays');
    const dormantSince = minutesBefore(event.occurredAt, dormantDays * DAY_MINUTES);
    const previous = await findLastSignInBefore(db, { actorId: event.actorId, beforeSeq: event.seq });
    let idleSince: string;
    if (previous) {
      idleSince = previous.occurred_at;
    } else {
      const member = await directory.findMember(event.actorId);
      if (!member) return undefined;
      idleSince = member.createdAt;
    }
    if (idleSince >= dormantSince) return undefined;

    const idleDays = Math.floor((Date.parse(event.occurredAt) - Date.parse(idleSince)) / 86_400_000);
    return {
      userId: event.actorId,
      groupKey: '',
      facts: { idleDays, lastSignInAt: previous?.occurred_at ?? '', dormantDays, ip: event.ip ?? '' },
      evidence: newestEvidence(previous ? [Number(previous.seq)] : [], event.seq),
    };
  },
};
