import type { CalendarDay } from './settings.repository.js';
import type { LocalTime } from './zoned-time.js';

export interface WorkingHours {
  /** Minutes since local midnight when work starts (inclusive) and ends (exclusive). */
  readonly start: number;
  readonly end: number;
  /** ISO weekdays worked in a usual week (1 = Monday). */
  readonly workDays: readonly number[];
}

export type TimeClass =
  | { readonly working: true }
  | { readonly working: false; readonly dayKind: 'holiday' | 'weekend' | 'after_hours'; readonly holiday?: string };

/**
 * Classifies a local time against the working week and the firm's calendar. A holiday is off
 * even on a weekday. A `workday` entry (a weekend day worked in exchange for a holiday, 调休) is
 * a working day with the usual hours.
 */
export function classifyLocalTime(local: LocalTime, hours: WorkingHours, calendar: ReadonlyMap<string, CalendarDay>): TimeClass {
  const entry = calendar.get(local.date);
  if (entry?.kind === 'holiday') {
    return { working: false, dayKind: 'holiday', holiday: entry.name };
  }

  const workingDay = entry?.kind === 'workday' || hours.workDays.includes(local.weekday);
  if (!workingDay) {
    return { working: false, dayKind: 'weekend' };
  }
  if (local.minutes < hours.start || local.minutes >= hours.end) {
    return { working: false, dayKind: 'after_hours' };
  }
  return { working: true };
}
