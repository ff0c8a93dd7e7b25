import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App as AntdApp, Button, Flex, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { useMe } from '../../app/auth-context.js';
import { ConfirmButton } from '../../app/ConfirmButton.js';
import { describeError } from '../../app/describe-error.js';
import { useT } from '../../i18n/index.js';
import { ACCESS_REQUESTS_QUERY_KEY, withdrawAccessRequest, type AccessRequest } from './access.api.js';
import { useMemberName } from './member-names.js';
import { requestColumns } from './request-columns.js';
import { RequestDetailDrawer } from './RequestDetailDrawer.js';
import { kindLabel } from './request-labels.js';

interface MyRequestsTableProps {
  requests: AccessRequest[];
  loading: boolean;
}

/** 我的申请: requests the member filed or that would change the member's access, newest first. */
export function MyRequestsTable({ requests, loading }: MyRequestsTableProps) {
  const t = useT();
  const me = useMe();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const nameOf = useMemberName();
  const [selected, setSelected] = useState<AccessRequest | null>(null);

  const withdraw = useMutation({
    mutationFn: (request: AccessRequest) => withdrawAccessRequest(request.id),
    onSuccess: () => void message.success(t('access.withdrawn')),
    onError: (error) => void message.error(describeError(error, t)),
    // A request decided meanwhile fails with `request_not_pending`, and the list shows why.
    onSettled: () => queryClient.invalidateQueries({ queryKey: ACCESS_REQUESTS_QUERY_KEY }),
  });

  // A break-glass review is the security administrator's task about the member, not the member's
  // own request, so the member is not offered to withdraw it.
  const canWithdraw = (request: AccessRequest) => request.status === 'pending' && request.filedBy === me.id && request.kind !== 'break_glass_review';

  const columns = requestColumns(t, nameOf);
  const tableColumns: ColumnsType<AccessRequest> = [
    columns.kind,
    columns.beneficiary,
    columns.change,
    columns.reason,
    columns.status,
    columns.step,
    columns.createdAt,
    columns.expiresAt,
    columns.decidedAt,
    {
      key: 'actions',
      title: t('common.actions'),
      fixed: 'right',
      width: 140,
      render: (_, request) => (
        <Flex gap={8}>
          <Button
            size="small"
            type="link"
            data-testid="request-detail-open"
            aria-label={t('access.detail.openLabel', { kind: kindLabel(request.kind, t) })}
            onClick={() => setSelected(request)}
          >
            {t('access.detail.open')}
          </Button>
          {canWithdraw(request) && (
            <ConfirmButton
              testId="request-withdraw"
              size="small"
              label={t('access.withdraw')}
              ariaLabel={t('access.withdrawLabel', { kind: kindLabel(request.kind, t) })}
              title={t('access.withdrawTitle')}
              okText={t('access.withdraw')}
              loading={withdraw.isPending && withdraw.variables.id === request.id}
              onConfirm={() => withdraw.mutate(request)}
            />
          )}
        </Flex>
      ),
    },
  ];

  return (
    <>
      <Table<AccessRequest>
        data-testid="requests-mine-table"
        rowKey="id"
        size="small"
        loading={loading}
        columns={tableColumns}
        dataSource={requests}
        scroll={{ x: 1640 }}
        locale={{ emptyText: t('access.mine.empty') }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('access.total', { total }) }}
      />
      {selected !== null && <RequestDetailDrawer request={selected} nameOf={nameOf} onClose={() => setSelected(null)} />}
    </>
  );
}
