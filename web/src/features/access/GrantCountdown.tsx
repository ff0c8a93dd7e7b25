import { Tooltip, Typography } from 'antd';

import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import type { Grant } from './access.api.js';

const SECOND_MS = 1000;
const DAY_SECONDS = 86_400;

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/** Formats whole seconds as `HH:mm:ss`, with the full days apart so a 30-day grant stays readable. */
function splitRemaining(totalSeconds: number): { days: number; time: string } {
  const days = Math.floor(totalSeconds / DAY_SECONDS);
  const rest = totalSeconds % DAY_SECONDS;
  const time = `${twoDigits(Math.floor(rest / 3600))}:${twoDigits(Math.floor((rest % 3600) / 60))}:${twoDigits(rest % 60)}`;
  return { days, time };
}

/**
 * Renders the time a grant has left, from `now` (the caller's ticking clock) to `endsAt`. The
 * server's `active` flag records whether the grant was in force when the list loaded. The end is
 * then checked against the browser's clock, which may differ from the server's by a few seconds.
 */
export function GrantCountdown({ grant, now }: { grant: Grant; now: number }) {
  const t = useT();
  const endsAt = Date.parse(grant.endsAt);
  const startsAt = Date.parse(grant.startsAt);

  // A server from before `revokedAt` leaves the field out, so only a time marks a revoked grant.
  if (typeof grant.revokedAt === 'string') {
    return (
      <Tooltip title={t('grants.revokedAt', { time: formatFirmTime(grant.revokedAt) ?? '' })}>
        <Typography.Text type="secondary" data-testid="grant-countdown" data-state="revoked">
          {t('grants.revoked')}
        </Typography.Text>
      </Tooltip>
    );
  }

  if (!grant.active && now < startsAt) {
    return (
      <Typography.Text type="secondary" data-testid="grant-countdown" data-state="scheduled">
        {t('grants.notStarted')}
      </Typography.Text>
    );
  }

  if (!grant.active || now >= endsAt) {
    return (
      <Typography.Text type="secondary" data-testid="grant-countdown" data-state="ended">
        {t('grants.ended')}
      </Typography.Text>
    );
  }

  const { days, time } = splitRemaining(Math.ceil((endsAt - now) / SECOND_MS));
  return (
    <Typography.Text strong data-testid="grant-countdown" data-state="active" style={{ fontVariantNumeric: 'tabular-nums' }}>
      {days > 0 ? t('grants.remainingDays', { days, time }) : t('grants.remaining', { time })}
    </Typography.Text>
  );
}
