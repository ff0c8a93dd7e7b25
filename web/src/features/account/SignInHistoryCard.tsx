import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Card, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { describeError } from '../../app/describe-error.js';
import { DeviceText } from '../../app/DeviceText.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import { fetchSignIns, SIGN_INS_QUERY_KEY, type SignInRecord } from './account.api.js';
import { SignInOutcomeTag, useAuthMethodLabel, useSignInFailureLabel } from './sign-in-labels.js';

const PAGE_SIZES = [10, 20, 50];

/** Lists the member's own sign-in attempts in the server's order, paged on the server. */
export function SignInHistoryCard() {
  const t = useT();
  const methodLabel = useAuthMethodLabel();
  const failureLabel = useSignInFailureLabel();
  const [paging, setPaging] = useState({ page: 1, pageSize: 10 });

  const signIns = useQuery({ queryKey: [...SIGN_INS_QUERY_KEY, paging], queryFn: () => fetchSignIns(paging), placeholderData: keepPreviousData });

  const empty = <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;
  const columns: ColumnsType<SignInRecord> = [
    { key: 'time', title: t('security.signIns.time'), render: (_, record) => <span style={{ whiteSpace: 'nowrap' }}>{formatFirmTime(record.occurredAt)}</span> },
    { key: 'outcome', title: t('security.signIns.outcome'), render: (_, record) => <SignInOutcomeTag outcome={record.outcome} step={record.step} /> },
    { key: 'method', title: t('security.signIns.method'), render: (_, record) => methodLabel(record.method) },
    { key: 'ip', title: t('security.signIns.ip'), render: (_, record) => record.ip ?? empty },
    { key: 'device', title: t('security.signIns.device'), render: (_, record) => <DeviceText userAgent={record.userAgent} /> },
    { key: 'failure', title: t('security.signIns.failure'), render: (_, record) => failureLabel(record.failure) ?? empty },
  ];

  return (
    <Card title={t('security.signIns.title')} extra={<Typography.Text type="secondary">{t('security.timeZoneNote')}</Typography.Text>}>
      {signIns.isError && <Alert type="error" showIcon title={describeError(signIns.error, t)} style={{ marginBottom: 16 }} />}
      <Table<SignInRecord>
        data-testid="sign-in-history"
        rowKey={(record) => [record.occurredAt, record.outcome, record.step, record.method, record.ip, record.userAgent].join('|')}
        size="small"
        loading={signIns.isFetching}
        columns={columns}
        dataSource={signIns.data?.items ?? []}
        scroll={{ x: 860 }}
        locale={{ emptyText: t('security.signIns.empty') }}
        pagination={{
          current: paging.page,
          pageSize: paging.pageSize,
          total: signIns.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: PAGE_SIZES.map(String),
          showTotal: (total) => t('security.signIns.total', { total }),
        }}
        onChange={(pagination) => {
          const pageSize = pagination.pageSize ?? paging.pageSize;
          setPaging({ page: pageSize === paging.pageSize ? (pagination.current ?? 1) : 1, pageSize });
        }}
      />
    </Card>
  );
}
