import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert as AntdAlert, Badge, Card, Col, Flex, Row, Tag } from 'antd';
import { useEffect, useRef, useState } from 'react';

import { describeError } from '../../app/describe-error.js';
import { useT, type MessageKey } from '../../i18n/index.js';
import { memberName } from './alert-text.js';
import { AlertCounts } from './AlertCounts.js';
import { AlertDetailDrawer } from './AlertDetailDrawer.js';
import { AlertTable } from './AlertTable.js';
import { ChainStatusCard } from './ChainStatusCard.js';
import { mergeLiveAlert, type AlertPage } from './live-alerts.js';
import { ALERT_COUNTS_QUERY_KEY, ALERTS_QUERY_KEY, alertDetailQueryKey, alertListQueryKey, fetchAlerts, type Alert, type AlertDetail, type AlertQuery } from './security.api.js';
import { useAlertStream, type StreamState } from './use-alert-stream.js';

// After live arrivals the list and the counts are reloaded once, which corrects totals and rows the
// merge could not place. Arrivals within this time share one reload.
const RECONCILE_MILLISECONDS = 1000;

const STREAM_BADGES: Readonly<Record<StreamState, { status: 'success' | 'processing' | 'error'; label: MessageKey }>> = {
  live: { status: 'success', label: 'security.stream.live' },
  connecting: { status: 'processing', label: 'security.stream.connecting' },
  reconnecting: { status: 'error', label: 'security.stream.reconnecting' },
};

function StreamIndicator({ state }: { state: StreamState }) {
  const t = useT();
  const badge = STREAM_BADGES[state];
  return (
    <span data-testid="alert-stream-state" data-state={state} role="status">
      <Badge status={badge.status} text={t(badge.label)} />
    </span>
  );
}

interface AlertsDashboardProps {
  query: AlertQuery;
  onQueryChange: (query: AlertQuery) => void;
}

/** 告警: the live feed's state, alert counts, the chain status and the alert list with its detail drawer. */
export function AlertsDashboard({ query, onQueryChange }: AlertsDashboardProps) {
  const t = useT();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<Alert | null>(null);
  const [highlighted, setHighlighted] = useState<ReadonlySet<string>>(() => new Set());
  const reconcileTimer = useRef<number | undefined>(undefined);

  const listKey = alertListQueryKey(query);
  const alerts = useQuery({ queryKey: listKey, queryFn: () => fetchAlerts(query), placeholderData: keepPreviousData });

  useEffect(() => () => window.clearTimeout(reconcileTimer.current), []);

  const scheduleReconcile = () => {
    if (reconcileTimer.current !== undefined) return;
    reconcileTimer.current = window.setTimeout(() => {
      reconcileTimer.current = undefined;
      void queryClient.invalidateQueries({ queryKey: ALERTS_QUERY_KEY });
      void queryClient.invalidateQueries({ queryKey: ALERT_COUNTS_QUERY_KEY });
    }, RECONCILE_MILLISECONDS);
  };

  const streamState = useAlertStream({
    onAlert: (alert) => {
      // The row shows at once; the reload afterwards only corrects totals and order.
      queryClient.setQueryData<AlertPage>(listKey, (page) => (page === undefined ? page : mergeLiveAlert(page, alert, query)));
      queryClient.setQueryData<AlertDetail>(alertDetailQueryKey(alert.id), (detail) => (detail === undefined ? detail : { ...detail, ...alert }));

      // Raised and repeated alerts are marked; a status change, often the member's own, is not.
      if (alert.status === 'new') setHighlighted((previous) => new Set(previous).add(alert.id));
      scheduleReconcile();
    },
    onResume: () => {
      void queryClient.invalidateQueries({ queryKey: ALERTS_QUERY_KEY });
      void queryClient.invalidateQueries({ queryKey: ALERT_COUNTS_QUERY_KEY });
    },
  });

  const open = (alert: Alert) => {
    setSelected(alert);
    setHighlighted((previous) => {
      if (!previous.has(alert.id)) return previous;
      const next = new Set(previous);
      next.delete(alert.id);
      return next;
    });
  };

  // The list carries member names, so the filter tag names the member from any of its rows.
  const filteredMember = alerts.data?.items.find((alert) => alert.userId === query.userId);
  const filterTag =
    query.userId === undefined ? null : (
      <Tag closable onClose={() => onQueryChange({ ...query, userId: undefined, page: 1 })} data-testid="alert-member-filter">
        {t('security.alerts.memberFilter', { name: (filteredMember === undefined ? null : memberName(filteredMember)) ?? query.userId })}
      </Tag>
    );

  return (
    <Flex vertical gap={16}>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card title={t('security.counts.title')} extra={<StreamIndicator state={streamState} />} style={{ height: '100%' }}>
            <AlertCounts />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <ChainStatusCard />
        </Col>
      </Row>
      <Card title={t('security.alerts.title')} extra={filterTag}>
        <Flex vertical gap={16}>
          {alerts.isError && <AntdAlert type="error" showIcon title={describeError(alerts.error, t)} />}
          <AlertTable query={query} onQueryChange={onQueryChange} page={alerts.data} loading={alerts.isPending || (alerts.isFetching && alerts.isPlaceholderData)} highlighted={highlighted} onOpen={open} />
        </Flex>
      </Card>
      {selected !== null && (
        <AlertDetailDrawer
          alert={selected}
          onClose={() => setSelected(null)}
          onShowMemberAlerts={(userId) => {
            setSelected(null);
            onQueryChange({ ...query, userId, page: 1 });
          }}
        />
      )}
    </Flex>
  );
}
