import { Button, Flex, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { useT } from '../../i18n/index.js';
import type { AccessRequest } from './access.api.js';
import { DecisionModal, type Decision } from './DecisionModal.js';
import { useMemberName } from './member-names.js';
import { requestColumns } from './request-columns.js';
import { RequestDetailDrawer } from './RequestDetailDrawer.js';
import { kindLabel } from './request-labels.js';

interface ApprovalQueueTableProps {
  requests: AccessRequest[];
  loading: boolean;
}

/** 待我审批: pending requests whose current step the member may decide, as the server lists them. */
export function ApprovalQueueTable({ requests, loading }: ApprovalQueueTableProps) {
  const t = useT();
  const nameOf = useMemberName();
  const [open, setOpen] = useState<{ request: AccessRequest; decision: Decision } | null>(null);
  const [selected, setSelected] = useState<AccessRequest | null>(null);

  const columns = requestColumns(t, nameOf);
  const tableColumns: ColumnsType<AccessRequest> = [
    columns.kind,
    columns.beneficiary,
    columns.filedBy,
    columns.change,
    columns.reason,
    columns.step,
    columns.createdAt,
    columns.expiresAt,
    {
      key: 'actions',
      title: t('common.actions'),
      fixed: 'right',
      width: 200,
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
          <Button size="small" type="primary" data-testid="request-approve" aria-label={t('access.approveLabel', { kind: kindLabel(request.kind, t) })} onClick={() => setOpen({ request, decision: 'approve' })}>
            {t('access.approve')}
          </Button>
          <Button size="small" danger data-testid="request-reject" aria-label={t('access.rejectLabel', { kind: kindLabel(request.kind, t) })} onClick={() => setOpen({ request, decision: 'reject' })}>
            {t('access.reject')}
          </Button>
        </Flex>
      ),
    },
  ];

  return (
    <>
      <Table<AccessRequest>
        data-testid="requests-queue-table"
        rowKey="id"
        size="small"
        loading={loading}
        columns={tableColumns}
        dataSource={requests}
        scroll={{ x: 1550 }}
        locale={{ emptyText: t('access.queue.empty') }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('access.total', { total }) }}
      />
      {selected !== null && <RequestDetailDrawer request={selected} nameOf={nameOf} onClose={() => setSelected(null)} />}
      {open !== null && <DecisionModal request={open.request} decision={open.decision} nameOf={nameOf} onClose={() => setOpen(null)} />}
    </>
  );
}
