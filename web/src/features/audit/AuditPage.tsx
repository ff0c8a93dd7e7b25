import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useSearchParams } from 'react-router';

import type { AuditEvent } from '../../api/index.js';
import { describeError } from '../../app/describe-error.js';
import { TruncatedText } from '../../app/TruncatedText.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { AuditEventDrawer } from './AuditEventDrawer.js';
import { AuditExportButtons } from './AuditExportButtons.js';
import { AuditFilterForm } from './AuditFilterForm.js';
import { ChainVerifyButton, ChainVerifyResult, useChainVerification } from './ChainVerifyPanel.js';
import { OutcomeTag, useActionLabel, useFieldLabel } from './audit-labels.js';
import { AUDIT_PAGE_SIZES, parseAuditQuery, toAuditSearch } from './audit-query.js';
import { formatAuditTime } from './audit-time.js';
import { fetchAuditEvents, type AuditFilter, type AuditQuery } from './audit.api.js';

// Column widths in pixels for the small table. The reason takes the rest and is cut with an
// ellipsis, and the details button stays fixed at the right edge when the table scrolls.
const WIDTHS = {
  time: 170,
  actor: 120,
  action: 140,
  outcome: 96,
  client: 160,
  ip: 130,
  fields: 170,
  details: 80,
};

const MIN_REASON_WIDTH = 180;

// Narrower windows scroll the table sideways, with the details column still in view.
const AUDIT_TABLE_MIN_WIDTH = Object.values(WIDTHS).reduce((sum, width) => sum + width, MIN_REASON_WIDTH);

/** Shows the audit log, filtered and paged on the server, in the order the server returns. */
export function AuditPage() {
  const t = useT();
  const actionLabel = useActionLabel();
  const fieldLabel = useFieldLabel();
  const [searchParams, setSearchParams] = useSearchParams();
  const query = parseAuditQuery(searchParams);
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const verification = useChainVerification();
  useDocumentTitle(t('menu.audit'));

  const events = useQuery({ queryKey: ['audit', 'events', query], queryFn: () => fetchAuditEvents(query), placeholderData: keepPreviousData });

  const empty = <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;
  const columns: ColumnsType<AuditEvent> = [
    { key: 'time', title: t('audit.column.time'), width: WIDTHS.time, render: (_, event) => <span style={{ whiteSpace: 'nowrap' }}>{formatAuditTime(event.occurredAt)}</span> },
    {
      key: 'actor',
      title: t('audit.column.actor'),
      width: WIDTHS.actor,
      ellipsis: { showTitle: false },
      render: (_, event) => {
        const actor = event.actorUsername ?? event.actorId;
        return actor === null ? empty : <TruncatedText text={actor} />;
      },
    },
    {
      key: 'action',
      title: t('audit.column.action'),
      width: WIDTHS.action,
      ellipsis: { showTitle: false },
      render: (_, event) => {
        const label = actionLabel(event.action);

        // The tooltip also gives the raw action name that the server stores.
        return <TruncatedText text={label === event.action ? label : `${label} (${event.action})`}>{label}</TruncatedText>;
      },
    },
    { key: 'outcome', title: t('audit.column.outcome'), width: WIDTHS.outcome, render: (_, event) => <OutcomeTag outcome={event.outcome} /> },
    {
      key: 'client',
      title: t('audit.column.client'),
      width: WIDTHS.client,
      ellipsis: { showTitle: false },
      render: (_, event) => {
        const client = event.clientName ?? event.clientId;
        return client === null ? empty : <TruncatedText text={client} />;
      },
    },
    { key: 'ip', title: t('audit.event.ip'), width: WIDTHS.ip, ellipsis: { showTitle: false }, render: (_, event) => (event.ip === null ? empty : <TruncatedText text={event.ip} />) },
    {
      key: 'fields',
      title: t('audit.column.fields'),
      width: WIDTHS.fields,
      ellipsis: { showTitle: false },
      render: (_, event) => (event.fields.length === 0 ? empty : <TruncatedText text={event.fields.map(fieldLabel).join(t('common.listSeparator'))} />),
    },
    { key: 'reason', title: t('audit.column.reason'), ellipsis: { showTitle: false }, render: (_, event) => (event.reason === null ? empty : <TruncatedText text={event.reason} />) },
    {
      key: 'details',
      title: t('audit.column.details'),
      width: WIDTHS.details,
      fixed: 'right',
      render: (_, event) => (
        <Button type="link" size="small" aria-label={t('audit.event.open', { seq: event.seq })} onClick={() => setSelectedSeq(event.seq)}>
          {t('audit.event.openShort')}
        </Button>
      ),
    },
  ];

  return (
    <Card title={t('menu.audit')} extra={<ChainVerifyButton verification={verification} />}>
      <Flex vertical gap={16}>
        <ChainVerifyResult verification={verification} />
        <AuditFilterForm filter={query} onChange={(filter) => setSearchParams(toAuditSearch({ ...query, ...filter, page: 1 }))} />
        <Flex justify="space-between" align="start" gap={16} wrap>
          <Typography.Text type="secondary">{t('audit.timeZoneNote')}</Typography.Text>
          <AuditExportButtons filter={filterOf(query)} />
        </Flex>
        {events.isError && <Alert type="error" showIcon title={describeError(events.error, t)} />}
        <Table<AuditEvent>
          data-testid="audit-table"
          rowKey="seq"
          size="small"
          columns={columns}
          dataSource={events.data?.items ?? []}
          loading={events.isFetching}
          scroll={{ x: AUDIT_TABLE_MIN_WIDTH }}
          pagination={{
            current: query.page,
            pageSize: query.pageSize,
            total: events.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: AUDIT_PAGE_SIZES.map(String),
            showTotal: (total) => t('audit.total', { total }),
          }}
          onChange={(pagination) => {
            const pageSize = pagination.pageSize ?? query.pageSize;
            const page = pageSize === query.pageSize ? (pagination.current ?? 1) : 1;
            setSearchParams(toAuditSearch({ ...query, page, pageSize }));
          }}
        />
      </Flex>
      <AuditEventDrawer seq={selectedSeq} onClose={() => setSelectedSeq(null)} />
    </Card>
  );
}

/** Returns the filter part of the query, because an export covers every page. */
function filterOf({ page: _page, pageSize: _pageSize, ...filter }: AuditQuery): AuditFilter {
  return filter;
}
