import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Empty, Flex, Popover, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';

import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT, type MessageKey } from '../../i18n/index.js';
import { fetchNotifications, markNotificationsRead, NOTIFICATIONS_QUERY_KEY, type AccountNotification } from './account.api.js';

// New-device sign-ins, added second factors and requests awaiting approval should show up without a reload.
const POLL_MILLISECONDS = 60_000;

const KIND_LABELS: Readonly<Record<string, MessageKey>> = {
  new_device: 'notifications.kind.newDevice',
  factor_added: 'notifications.kind.factorAdded',
  approval_pending: 'notifications.kind.approvalPending',
};

// The notice names no request, so it opens the approver's queue, where every request waiting for them is.
const KIND_LINKS: Readonly<Record<string, string>> = {
  approval_pending: '/access/requests?tab=queue',
};

function BellIcon() {
  return (
    <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

/** Renders one notification with its kind's label. A kind that calls for action links to the page where it is taken. */
function NotificationItem({ item, onNavigate }: { item: AccountNotification; onNavigate: () => void }) {
  const t = useT();
  const unread = item.readAt === null;
  const label = Object.hasOwn(KIND_LABELS, item.kind) ? t(KIND_LABELS[item.kind]!) : undefined;
  const link = Object.hasOwn(KIND_LINKS, item.kind) ? KIND_LINKS[item.kind] : undefined;
  const text = <Typography.Text strong={unread}>{item.message}</Typography.Text>;

  return (
    <Flex vertical gap={2} data-testid="notification-item" data-kind={item.kind} data-unread={unread} style={{ padding: '8px 0', borderBottom: '1px solid #f0f0f0' }}>
      <Flex gap={6} align="baseline">
        {unread && <Badge status="processing" />}
        {link === undefined ? (
          text
        ) : (
          <Link to={link} onClick={onNavigate} data-testid="notification-link">
            {text}
          </Link>
        )}
      </Flex>
      <Flex gap={6} align="center">
        {label !== undefined && (
          <Tag bordered={false} style={{ marginInlineEnd: 0 }}>
            {label}
          </Tag>
        )}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {formatFirmTime(item.createdAt)}
        </Typography.Text>
      </Flex>
    </Flex>
  );
}

/** Renders the header's bell: the count of unread notifications and a list of recent ones. */
export function NotificationBell() {
  const t = useT();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);

  const notifications = useQuery({ queryKey: NOTIFICATIONS_QUERY_KEY, queryFn: fetchNotifications, refetchInterval: POLL_MILLISECONDS });
  const markRead = useMutation({
    mutationFn: markNotificationsRead,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_QUERY_KEY }),
  });

  const unread = notifications.data?.unread ?? 0;
  const items = notifications.data?.items ?? [];

  let list;
  if (notifications.isError) list = <Typography.Text type="danger">{describeError(notifications.error, t)}</Typography.Text>;
  else if (items.length === 0) list = <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} />;
  else list = items.map((item) => <NotificationItem key={item.id} item={item} onNavigate={() => setOpen(false)} />);

  const content = (
    <Flex vertical style={{ width: 340, maxHeight: 420 }} data-testid="notifications-list">
      <div style={{ overflowY: 'auto' }}>{list}</div>
      {markRead.isError && <Typography.Text type="danger">{describeError(markRead.error, t)}</Typography.Text>}
      <Flex justify="flex-end" style={{ paddingTop: 8 }}>
        <Button size="small" type="link" data-testid="notifications-read-all" disabled={unread === 0} loading={markRead.isPending} onClick={() => markRead.mutate()}>
          {t('notifications.markAllRead')}
        </Button>
      </Flex>
    </Flex>
  );

  return (
    <Popover content={content} title={t('notifications.title')} trigger="click" placement="bottomRight" open={open} onOpenChange={setOpen}>
      {/* The span takes the pop-up's click handler; a Badge does not pass it on. */}
      <span>
        <Badge count={unread} size="small" overflowCount={99}>
          <Button type="text" data-testid="notifications-bell" data-unread={unread} aria-label={t('notifications.bellLabel', { count: unread })} icon={<BellIcon />} />
        </Badge>
      </span>
    </Popover>
  );
}
