import { Button, Table, Tag, Typography, theme } from 'antd';
import type { TableProps } from 'antd';
import type { ColumnsType, SortOrder } from 'antd/es/table/interface';
import type { HTMLAttributes } from 'react';

import { formatFirmTime } from '../../app/firm-time.js';
import { TruncatedText } from '../../app/TruncatedText.js';
import { useT } from '../../i18n/index.js';
import { ALERT_PAGE_SIZES, DEFAULT_ALERT_SORT } from './security-query.js';
import { AlertStatusTag, SeverityTag, severityLabelKey, statusLabelKey, useSecurityLabels } from './security-labels.js';
import { ALERT_SEVERITIES, ALERT_STATUSES, RULE_KEYS, type Alert, type AlertQuery, type AlertSort } from './security.api.js';
import type { AlertPage } from './live-alerts.js';
import { memberName } from './alert-text.js';

interface AlertTableProps {
  query: AlertQuery;
  onQueryChange: (query: AlertQuery) => void;
  page: AlertPage | undefined;
  loading: boolean;
  /** Alerts that arrived on the live feed and were not opened yet. */
  highlighted: ReadonlySet<string>;
  onOpen: (alert: Alert) => void;
}

// Column widths in pixels. The facts take the rest and are cut with an ellipsis.
// The time of a live arrival carries a mark, so its column is wider than the other time column.
const WIDTHS = { createdAt: 195, rule: 165, severity: 125, status: 120, member: 150, count: 64, lastSeenAt: 165, details: 76 };
const MIN_FACTS_WIDTH = 150;
const TABLE_MIN_WIDTH = Object.values(WIDTHS).reduce((sum, width) => sum + width, MIN_FACTS_WIDTH);

function sortOrderOf(sort: AlertSort, field: 'createdAt' | 'severity'): SortOrder {
  if (sort === field) return 'ascend';
  if (sort === `-${field}`) return 'descend';
  return null;
}

function sortOf(field: unknown, order: SortOrder | undefined): AlertSort {
  if ((field !== 'createdAt' && field !== 'severity') || order === null || order === undefined) return DEFAULT_ALERT_SORT;
  return order === 'ascend' ? field : `-${field}`;
}

// The list route filters by one value per field, so each column filter takes one value.
function firstFilterValue(values: readonly unknown[] | null | undefined): string | undefined {
  const [first] = values ?? [];
  return typeof first === 'string' ? first : undefined;
}

/** Renders the alert list: filtered, sorted and paged on the server, with live arrivals marked. */
export function AlertTable({ query, onQueryChange, page, loading, highlighted, onOpen }: AlertTableProps) {
  const t = useT();
  const labels = useSecurityLabels();
  const { token } = theme.useToken();

  const factsText = (alert: Alert) => Object.entries(alert.facts).map(([name, value]) => t('security.alert.factPair', { name: labels.fact(name), value: labels.factValue(name, value) })).join(t('common.listSeparator'));

  const columns: ColumnsType<Alert> = [
    {
      key: 'createdAt',
      dataIndex: 'createdAt',
      title: t('security.alert.createdAt'),
      width: WIDTHS.createdAt,
      sorter: true,
      sortDirections: ['descend', 'ascend'],
      sortOrder: sortOrderOf(query.sort, 'createdAt'),
      render: (_, alert) => (
        <span style={{ whiteSpace: 'nowrap' }}>
          {highlighted.has(alert.id) && (
            <Tag color="red" data-testid="alert-live-mark">
              {t('security.alerts.liveMark')}
            </Tag>
          )}
          {formatFirmTime(alert.createdAt)}
        </span>
      ),
    },
    {
      key: 'rule',
      title: t('security.alert.rule'),
      width: WIDTHS.rule,
      ellipsis: { showTitle: false },
      filters: RULE_KEYS.map((key) => ({ value: key, text: labels.rule(key) })),
      filterMultiple: false,
      filteredValue: query.rule === undefined ? null : [query.rule],
      render: (_, alert) => (
        <span data-testid="alert-rule" data-rule={alert.rule}>
          <TruncatedText text={labels.rule(alert.rule)} />
        </span>
      ),
    },
    {
      key: 'severity',
      dataIndex: 'severity',
      title: t('security.alert.severity'),
      width: WIDTHS.severity,
      sorter: true,
      sortDirections: ['descend', 'ascend'],
      sortOrder: sortOrderOf(query.sort, 'severity'),
      filters: ALERT_SEVERITIES.map((severity) => ({ value: severity, text: t(severityLabelKey(severity)) })),
      filterMultiple: false,
      filteredValue: query.severity === undefined ? null : [query.severity],
      render: (_, alert) => <SeverityTag severity={alert.severity} />,
    },
    {
      key: 'status',
      title: t('security.alert.status'),
      width: WIDTHS.status,
      filters: ALERT_STATUSES.map((status) => ({ value: status, text: t(statusLabelKey(status)) })),
      filterMultiple: false,
      filteredValue: query.status === undefined ? null : [query.status],
      render: (_, alert) => <AlertStatusTag status={alert.status} />,
    },
    {
      key: 'member',
      title: t('security.alert.member'),
      width: WIDTHS.member,
      ellipsis: { showTitle: false },
      render: (_, alert) => {
        const name = memberName(alert);
        return name === null ? <Typography.Text type="secondary">{t('common.empty')}</Typography.Text> : <TruncatedText text={name} />;
      },
    },
    {
      key: 'facts',
      title: t('security.alert.facts'),
      ellipsis: { showTitle: false },
      render: (_, alert) => {
        const text = factsText(alert);
        return text === '' ? <Typography.Text type="secondary">{t('common.empty')}</Typography.Text> : <TruncatedText text={text} />;
      },
    },
    { key: 'count', title: t('security.alert.count'), width: WIDTHS.count, align: 'right', render: (_, alert) => <span data-testid="alert-count">{alert.count}</span> },
    { key: 'lastSeenAt', title: t('security.alert.lastSeenAt'), width: WIDTHS.lastSeenAt, render: (_, alert) => <span style={{ whiteSpace: 'nowrap' }}>{formatFirmTime(alert.lastSeenAt)}</span> },
    {
      key: 'details',
      title: t('security.alert.details'),
      width: WIDTHS.details,
      fixed: 'right',
      render: (_, alert) => (
        <Button type="link" size="small" data-testid="alert-open" aria-label={t('security.alert.openLabel', { rule: labels.rule(alert.rule), time: formatFirmTime(alert.createdAt) ?? '' })} onClick={() => onOpen(alert)}>
          {t('security.alert.open')}
        </Button>
      ),
    },
  ];

  const onChange: TableProps<Alert>['onChange'] = (pagination, filters, sorter) => {
    const single = Array.isArray(sorter) ? sorter[0] : sorter;
    const pageSize = pagination.pageSize ?? query.pageSize;
    const next: AlertQuery = {
      ...query,
      rule: firstFilterValue(filters.rule),
      severity: firstFilterValue(filters.severity) as AlertQuery['severity'],
      status: firstFilterValue(filters.status) as AlertQuery['status'],
      sort: sortOf(single?.columnKey, single?.order),
      pageSize,
      page: pageSize === query.pageSize ? (pagination.current ?? 1) : 1,
    };

    // Another filter or sort changes which rows exist, so the member starts again on page one.
    const reordered = next.rule !== query.rule || next.severity !== query.severity || next.status !== query.status || next.sort !== query.sort;
    onQueryChange(reordered ? { ...next, page: 1 } : next);
  };

  // Row options are not JSX, so the test attributes go in through a spread that skips the excess-property check.
  const onRow = (alert: Alert): HTMLAttributes<HTMLElement> => {
    const live = highlighted.has(alert.id);
    return { ...{ 'data-testid': 'alert-row', 'data-alert-id': alert.id, 'data-live': String(live) }, style: live ? { background: token.colorWarningBg } : undefined };
  };

  return (
    <Table<Alert>
      data-testid="alert-table"
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={page?.items ?? []}
      loading={loading}
      onRow={onRow}
      onChange={onChange}
      scroll={{ x: TABLE_MIN_WIDTH }}
      locale={{ emptyText: t('security.alerts.empty') }}
      pagination={{
        current: query.page,
        pageSize: query.pageSize,
        total: page?.total ?? 0,
        showSizeChanger: true,
        pageSizeOptions: ALERT_PAGE_SIZES.map(String),
        showTotal: (total) => t('security.alerts.total', { total }),
      }}
    />
  );
}
