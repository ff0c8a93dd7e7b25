import { Watermark } from 'antd';
import type { ReactNode } from 'react';

import { formatFirmTime } from './firm-time.js';
import { useMe } from './auth-context.js';
import { useNow } from './use-now.js';

/**
 * Covers a page that shows client data with a faint watermark naming the member and the time,
 * so a photo or screenshot of the screen can be traced to who took it. Ant Design draws it in
 * an overlay with `pointer-events: none` and redraws it when the overlay is removed or restyled
 * in the page's DOM, so deleting it casually in the developer tools does not last.
 */
export function PageWatermark({ children }: { children: ReactNode }) {
  const me = useMe();
  // The minute is enough to place a screenshot in the audit log, and a new image each second would be wasteful.
  const now = useNow({ intervalMs: 60_000 });
  const time = (formatFirmTime(new Date(now).toISOString()) ?? '').slice(0, 16);

  return (
    <Watermark data-testid="page-watermark" content={[`${me.displayName} (${me.username})`, time]} gap={[120, 120]} font={{ color: 'rgba(0, 0, 0, 0.07)', fontSize: 15 }} zIndex={1000}>
      {children}
    </Watermark>
  );
}
