import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Drawer, Flex, Skeleton, Typography } from 'antd';
import type { DescriptionsProps } from 'antd';

import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import { accessRequestQueryKey, fetchAccessRequest, type AccessRequest, type AccessRequestDetail } from './access.api.js';
import { ApprovalTimeline } from './ApprovalTimeline.js';
import { MemberText } from './member-names.js';
import { kindLabel, RequestChange, RequestStatusTag } from './request-labels.js';

interface RequestDetailDrawerProps {
  /** The row the drawer opened from, shown until the server's copy with the decisions arrives. */
  request: AccessRequest;
  nameOf: (userId: string) => string | undefined;
  onClose: () => void;
}

/** Says up front why a request was rejected, from the rejecting decision's note. */
function RejectionNotice({ request }: { request: AccessRequestDetail }) {
  const t = useT();
  const rejection = request.decisions.find((decision) => decision.decision === 'rejected');
  if (request.status !== 'rejected' || rejection === undefined) return null;

  const note = rejection.note === null || rejection.note === '' ? t('access.detail.noNote') : t('access.detail.note', { note: rejection.note });
  return (
    <Alert
      type="error"
      showIcon
      data-testid="request-rejection"
      title={t('access.detail.rejectedBy', { name: rejection.approverName, time: formatFirmTime(rejection.decidedAt) ?? '' })}
      description={<span style={{ whiteSpace: 'pre-wrap' }}>{note}</span>}
    />
  );
}

/** Shows one request in full: what it changes, its status, and each approval step with its decision and note. */
export function RequestDetailDrawer({ request, nameOf, onClose }: RequestDetailDrawerProps) {
  const t = useT();
  const detail = useQuery({ queryKey: accessRequestQueryKey(request.id), queryFn: () => fetchAccessRequest(request.id) });
  const latest: AccessRequest = detail.data ?? request;
  const empty = t('common.empty');

  const items: DescriptionsProps['items'] = [
    { key: 'status', label: t('access.column.status'), children: <RequestStatusTag request={latest} /> },
    { key: 'beneficiary', label: t('access.column.beneficiary'), children: <MemberText userId={latest.beneficiaryId} nameOf={nameOf} /> },
    { key: 'filedBy', label: t('access.column.filedBy'), children: <MemberText userId={latest.filedBy} nameOf={nameOf} /> },
    { key: 'change', label: t('access.column.change'), children: <RequestChange request={latest} /> },
    { key: 'reason', label: t('access.column.reason'), children: <span style={{ whiteSpace: 'pre-wrap' }}>{latest.reason}</span> },
    { key: 'createdAt', label: t('access.column.createdAt'), children: formatFirmTime(latest.createdAt) },
    // Only a pending request can still lapse, so a decided one shows its decision time instead.
    latest.status === 'pending'
      ? { key: 'expiresAt', label: t('access.column.expiresAt'), children: formatFirmTime(latest.expiresAt) }
      : { key: 'decidedAt', label: t('access.column.decidedAt'), children: formatFirmTime(latest.decidedAt) ?? empty },
  ];

  let decisions;
  if (detail.isPending) {
    decisions = <Skeleton active paragraph={{ rows: 3 }} />;
  } else if (detail.isError) {
    decisions = (
      <Alert
        type="error"
        showIcon
        title={describeError(detail.error, t)}
        action={
          <Button size="small" onClick={() => void detail.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  } else {
    decisions = (
      <Flex vertical gap={16}>
        <RejectionNotice request={detail.data} />
        {detail.data.autoApproved && <Alert type="info" showIcon title={t('access.detail.autoApproved')} />}
        <ApprovalTimeline request={detail.data} />
      </Flex>
    );
  }

  return (
    <Drawer open onClose={onClose} size="large" title={t('access.detail.title', { kind: kindLabel(latest.kind, t) })} data-testid="request-detail">
      <Flex vertical gap={24}>
        <Descriptions column={1} bordered size="small" items={items} />
        <Flex vertical gap={12}>
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('access.detail.steps')}
          </Typography.Title>
          {decisions}
        </Flex>
      </Flex>
    </Drawer>
  );
}
