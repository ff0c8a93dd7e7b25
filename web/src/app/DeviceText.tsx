import { Tooltip, Typography } from 'antd';

import { useT } from '../i18n/index.js';
import { describeUserAgent } from './user-agent.js';

/** Shows a user agent as browser and system, with the full string in a tooltip. */
export function DeviceText({ userAgent }: { userAgent: string | null }) {
  const t = useT();
  if (userAgent === null || userAgent === '') return <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;

  const { browser, system } = describeUserAgent(userAgent);
  const parts = [browser, system].filter((part): part is string => part !== null);
  const short = parts.length === 0 ? userAgent : parts.join(' · ');

  return (
    <Tooltip placement="topLeft" title={userAgent}>
      <span>{short}</span>
    </Tooltip>
  );
}
