import dayjs from 'dayjs';
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
