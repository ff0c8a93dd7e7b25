import dayjs, { type Dayjs } from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * The firm's time zone. Sign-ins, sessions and notifications show their times in it, whatever
 * the browser's own zone, so a member and an administrator reading the same record agree.
 */
export const FIRM_TIME_ZONE = 'Asia/Shanghai';

/** Formats an ISO 8601 instant as `YYYY-MM-DD HH:mm:ss` in Shanghai time, or `null` for none. */
export function formatFirmTime(instant: string | null | undefined): string | null {
  if (instant === null || instant === undefined) return null;

  const parsed = dayjs(instant);
  return parsed.isValid() ? parsed.tz(FIRM_TIME_ZONE).format('YYYY-MM-DD HH:mm:ss') : null;
}

// Date pickers work in the browser's zone. Their values are read and written as this wall-clock
// text, so what the member picks is a Shanghai time wherever the browser runs.
const WALL_CLOCK = 'YYYY-MM-DDTHH:mm:ss';

/** Reads a date picker's value as a date and time in Shanghai and returns the ISO 8601 instant. */
export function firmPickerValueToInstant(picked: Dayjs): string {
  return dayjs.tz(picked.format(WALL_CLOCK), FIRM_TIME_ZONE).toISOString();
}

/** Returns a date picker value that shows the current date and time in Shanghai. */
export function firmNowForPicker(): Dayjs {
  return dayjs(dayjs().tz(FIRM_TIME_ZONE).format(WALL_CLOCK));
}
