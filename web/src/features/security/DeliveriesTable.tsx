import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Button, Flex, Select, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { TruncatedText } from '../../app/TruncatedText.js';
import { useT } from '../../i18n/index.js';
import { IdText } from '../access/IdText.js';
import { DeliveryStatusTag, deliveryStatusLabelKey } from './security-labels.js';
import { DELIVERIES_QUERY_KEY, DELIVERY_STATUSES, fetchDeliveries, type Channel, type Delivery, type DeliveryQuery } from './security.api.js';

// Failed sends are retried with a growing delay, so the list follows the retries on its own.
const REFRESH_MILLISECONDS = 30_000;
const PAGE_SIZES = [20, 50, 100];

/** 发送记录: every notification sent or still to send, with its attempts and the last error, paged on the server. */
export function DeliveriesTable({ channels }: { channels: Channel[] }) {
  const t = useT();
  const [query, setQuery] = useState<DeliveryQuery>({ status: undefined, channelId: undefined, page: 1, pageSize: 20 });

  const deliveries = useQuery({ queryKey: [...DELIVERIES_QUERY_KEY, query], queryFn: () => fetchDeliveries(query), placeholderData: keepPreviousData, refetchInterval: REFRESH_MILLISECONDS });
  const empty = <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;

  const columns: ColumnsType<Delivery> = [
    { key: 'createdAt', title: t('security.delivery.createdAt'), width: 170, render: (_, delivery) => <span style={{ whiteSpace: 'nowrap' }}>{formatFirmTime(delivery.createdAt)}</span> },
    { key: 'channel', title: t('security.delivery.channel'), width: 160, ellipsis: { showTitle: false }, render: (_, delivery) => <TruncatedText text={delivery.channelName} /> },
    { key: 'alert', title: t('security.delivery.alert'), width: 130, render: (_, delivery) => (delivery.alertId === null ? t('security.delivery.test') : <IdText id={delivery.alertId} />) },
    { key: 'status', title: t('security.delivery.status'), width: 100, render: (_, delivery) => <DeliveryStatusTag status={delivery.status} /> },
    { key: 'attempts', title: t('security.delivery.attempts'), width: 90, align: 'right', render: (_, delivery) => delivery.attempts },
    {
      key: 'nextAttemptAt',
      title: t('security.delivery.nextAttemptAt'),
      width: 170,
      render: (_, delivery) => (delivery.status === 'pending' && delivery.nextAttemptAt !== null ? <span style={{ whiteSpace: 'nowrap' }}>{formatFirmTime(delivery.nextAttemptAt)}</span> : empty),
    },
    { key: 'sentAt', title: t('security.delivery.sentAt'), width: 170, render: (_, delivery) => (delivery.sentAt === null ? empty : <span style={{ whiteSpace: 'nowrap' }}>{formatFirmTime(delivery.sentAt)}</span>) },
    {
      key: 'lastError',
      title: t('security.delivery.lastError'),
      ellipsis: { showTitle: false },
      render: (_, delivery) =>
        delivery.lastError === null ? (
          empty
        ) : (
          <Typography.Text type="danger">
            <TruncatedText text={delivery.lastError} />
          </Typography.Text>
        ),
    },
  ];

  return (
    <Flex vertical gap={12}>
      <Flex gap={12} wrap align="center">
        <Select<string>
          allowClear
          placeholder={t('security.delivery.allStatuses')}
          aria-label={t('security.delivery.status')}
          style={{ width: 160 }}
          value={query.status}
          options={DELIVERY_STATUSES.map((status) => ({ value: status, label: t(deliveryStatusLabelKey(status)) }))}
          onChange={(status) => setQuery({ ...query, status: status as DeliveryQuery['status'], page: 1 })}
        />
        <Select<string>
          allowClear
          placeholder={t('security.delivery.allChannels')}
          aria-label={t('security.delivery.channel')}
          style={{ width: 220 }}
          value={query.channelId}
          options={channels.map((channel) => ({ value: channel.id, label: channel.name }))}
          onChange={(channelId) => setQuery({ ...query, channelId, page: 1 })}
        />
        <Button onClick={() => void deliveries.refetch()} loading={deliveries.isFetching && !deliveries.isPending}>
          {t('common.refresh')}
        </Button>
      </Flex>
      {deliveries.isError && <Alert type="error" showIcon title={describeError(deliveries.error, t)} />}
      <Table<Delivery>
        data-testid="deliveries-table"
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={deliveries.data?.items ?? []}
        loading={deliveries.isPending || (deliveries.isFetching && deliveries.isPlaceholderData)}
        scroll={{ x: 1250 }}
        locale={{ emptyText: t('security.delivery.empty') }}
        pagination={{
          current: query.page,
          pageSize: query.pageSize,
          total: deliveries.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: PAGE_SIZES.map(String),
          showTotal: (total) => t('security.delivery.total', { total }),
        }}
        onChange={(pagination) => {
          const pageSize = pagination.pageSize ?? query.pageSize;
          setQuery({ ...query, pageSize, page: pageSize === query.pageSize ? (pagination.current ?? 1) : 1 });
        }}
      />
    </Flex>
  );
}
