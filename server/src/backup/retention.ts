/** How many daily, weekly and monthly backups to keep (BACKUP_KEEP_DAILY, _WEEKLY, _MONTHLY). */
export interface RetentionPolicy {
  readonly daily: number;
  readonly weekly: number;
  readonly monthly: number;
}

/**
 * Selects the backups to keep: the newest backup of each of the last `daily` days that have one,
 * likewise for ISO weeks and calendar months in the firm's time zone. A backup kept by any rule stays.
 */
export function selectBackupsToKeep(backups: readonly { id: string; createdAt: string }[], policy: RetentionPolicy, timeZone: string): Set<string> {
  const newestFirst = [...backups].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const kept = new Set<string>();
  const rules: [number, (day: string) => string][] = [
    [policy.daily, (day) => day],
    [policy.weekly, isoWeekOf],
    [policy.monthly, (day) => day.slice(0, 7)],
  ];

  for (const [count, periodOf] of rules) {
    const periods = new Set<string>();
    for (const backup of newestFirst) {
      const period = periodOf(localDay(backup.createdAt, timeZone));
      if (periods.has(period)) continue;
      if (periods.size >= count) break;
      periods.add(period);
      kept.add(backup.id);
    }
  }
  return kept;
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

function isoWeekOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  // ISO 8601 weeks start on Monday, and week 1 holds January 4; the week's Thursday names its year.
  const weekday = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - weekday + 3);
  const year = date.getUTCFullYear();
  const januaryFourth = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round(((date.getTime() - januaryFourth.getTime()) / 86_400_000 - 3 + ((januaryFourth.getUTCDay() + 6) % 7)) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}
