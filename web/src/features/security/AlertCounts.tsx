import { useQueries } from '@tanstack/react-query';
import { Flex, Statistic, Typography } from 'antd';

import { useT } from '../../i18n/index.js';
import { severityLabelKey, statusLabelKey } from './security-labels.js';
import { ALERT_COUNTS_QUERY_KEY, ALERT_SEVERITIES, ALERT_STATUSES, fetchAlerts, type AlertQuery } from './security.api.js';

// Colours of the severity counts, from the antd palette the severity tags use.
const SEVERITY_COLORS = { low: undefined, medium: '#d48806', high: '#d46b08', critical: '#cf1322' } as const;

type CountFilter = Pick<AlertQuery, 'status' | 'severity'>;

// The list route returns the total of any filter, so one row per filter is all a count costs.
function useAlertTotals(filters: readonly CountFilter[]) {
  return useQueries({
    queries: filters.map((filter) => ({
      queryKey: [...ALERT_COUNTS_QUERY_KEY, filter],
      queryFn: () => fetchAlerts({ ...filter, page: 1, pageSize: 1 }),
      select: (page: { total: number }) => page.total,
    })),
  });
}

/** Shows how many alerts are in each status, and how the new, unhandled ones split by severity. */
export function AlertCounts() {
  const t = useT();
  const byStatus = useAlertTotals(ALERT_STATUSES.map((status) => ({ status, severity: undefined })));
  const bySeverity = useAlertTotals(ALERT_SEVERITIES.map((severity) => ({ status: 'new', severity })));

  const value = (total: number | undefined) => total ?? t('common.empty');

  return (
    <Flex vertical gap={16}>
      <Flex vertical gap={8}>
        <Typography.Text type="secondary">{t('security.counts.newBySeverity')}</Typography.Text>
        <Flex gap={32} wrap data-testid="alert-counts-severity">
          {[...ALERT_SEVERITIES].reverse().map((severity) => {
            const index = ALERT_SEVERITIES.indexOf(severity);
            return <Statistic key={severity} title={t(severityLabelKey(severity))} value={value(bySeverity[index]?.data)} styles={{ content: { color: SEVERITY_COLORS[severity] } }} data-testid={`alert-count-${severity}`} />;
          })}
        </Flex>
      </Flex>
      <Flex vertical gap={8}>
        <Typography.Text type="secondary">{t('security.counts.byStatus')}</Typography.Text>
        <Flex gap={32} wrap data-testid="alert-counts-status">
          {ALERT_STATUSES.map((status, index) => (
            <Statistic key={status} title={t(statusLabelKey(status))} value={value(byStatus[index]?.data)} data-testid={`alert-count-${status}`} />
          ))}
        </Flex>
      </Flex>
    </Flex>
  );
}
