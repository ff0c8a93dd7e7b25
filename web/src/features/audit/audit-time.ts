import dayjs, { type Dayjs } from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * Audit times are shown and entered in China Standard Time, whatever the browser's own zone,
 * so that two people reading the same event agree on when it happened.
 */
export const AUDIT_TIME_ZONE = 'Asia/Shanghai';

const WALL_CLOCK = 'YYYY-MM-DDTHH:mm:ss';

export function formatAuditTime(instant: string): string {
  return dayjs(instant).tz(AUDIT_TIME_ZONE).format('YYYY-MM-DD HH:mm:ss');
}

/** Reads the date and time picked on screen as a time in Shanghai and returns the instant. */
export function pickedTimeToInstant(picked: Dayjs): string {
  return dayjs.tz(picked.format(WALL_CLOCK), AUDIT_TIME_ZONE).toISOString();
}

/** Returns a picker value that shows the instant's Shanghai date and time. */
export function instantToPickedTime(instant: string): Dayjs | null {
  const parsed = dayjs(instant);
  if (!parsed.isValid()) return null;
  return dayjs(parsed.tz(AUDIT_TIME_ZONE).format(WALL_CLOCK));
}
