import type { DbOrTrx } from '../../db/index.js';
import type { DetectorEvent } from '../detector-event.js';
import type { MemberDirectory } from '../member-directory.js';
import type { RuleKey, RuleSettings } from '../rule-catalog.js';
import type { CalendarDay } from '../settings.repository.js';
import type { LocalTime } from '../zoned-time.js';

/** Facts shown with an alert and filled into its notification text; counts, times and addresses only. */
export type AlertFacts = Record<string, string | number>;

/** A rule's finding in one event: whom it concerns and why. */
export interface Finding {
  /** The member concerned; `null` when the rule is about an address or an unknown account name. */
  readonly userId: string | null;
  readonly clientId?: string | null;
  /** Besides rule and member, what makes a repeat the same alert (an address, a day, a department). */
  readonly groupKey: string;
  readonly facts: AlertFacts;
  /** Sequence numbers of the events that show it, the triggering one included. */
  readonly evidence: readonly number[];
}

export interface RuleContext {
  /** The batch's transaction; rules only read through it. */
  readonly db: DbOrTrx;
  readonly settings: RuleSettings;
  /** The event's time in the firm's time zone. */
  readonly local: LocalTime;
  readonly timeZone: string;
  readonly calendar: ReadonlyMap<string, CalendarDay>;
  readonly directory: MemberDirectory;
}

export interface DetectionRule {
  readonly key: RuleKey;
  /** Actions the rule looks at; the detector skips it for any other event without a query. */
  readonly actions: ReadonlySet<string>;
  evaluate(event: DetectorEvent, context: RuleContext): Promise<Finding | undefined>;
}

/** Keeps the newest `limit` sequence numbers, the triggering event always among them. */
export function newestEvidence(seqs: Iterable<number>, triggerSeq: number, limit = 50): number[] {
  const unique = [...new Set([triggerSeq, ...seqs])].sort((a, b) => b - a);
  return unique.slice(0, limit).sort((a, b) => a - b);
}
