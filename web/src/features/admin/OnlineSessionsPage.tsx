import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Card, Flex, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';

import { ConfirmButton } from '../../app/ConfirmButton.js';
import { describeError } from '../../app/describe-error.js';
import { DeviceText } from '../../app/DeviceText.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { useAuthMethodLabel } from '../account/sign-in-labels.js';
import { useStepUp } from '../auth/step-up.js';
import { fetchOnlineSessions, ONLINE_SESSIONS_QUERY_KEY, revokeSession, type OnlineSession } from './admin.api.js';

// Sessions come and go all the time; a minute keeps the list close to the truth at little cost.
const REFRESH_MILLISECONDS = 60_000;

/** 在线用户: every open session of the firm, with forced sign-out per session. */
export function OnlineSessionsPage() {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();
  const methodLabel = useAuthMethodLabel();
  useDocumentTitle(t('menu.adminSessions'));

  const sessions = useQuery({ queryKey: ONLINE_SESSIONS_QUERY_KEY, queryFn: fetchOnlineSessions, refetchInterval: REFRESH_MILLISECONDS });

  const revoke = useMutation({
    mutationFn: (id: string) => runWithStepUp(() => revokeSession(id)),
    onSuccess: async (_result, id) => {
      const session = sessions.data?.items.find((item) => item.id === id);
      await queryClient.invalidateQueries({ queryKey: ONLINE_SESSIONS_QUERY_KEY });
      void message.success(t('admin.sessions.revoked', { name: session?.displayName ?? '' }));
    },
    onError: (error) => void message.error(describeError(error, t)),
  });

  const items = sessions.data?.items ?? [];
  const showDepartment = items.some((session) => session.departmentName !== undefined && session.departmentName !== null);
  const empty = <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;

  const columns: ColumnsType<OnlineSession> = [
    {
      key: 'member',
      title: t('admin.sessions.member'),
      render: (_, session) => (
        <Flex vertical>
          <span>{session.displayName}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {session.username}
          </Typography.Text>
        </Flex>
      ),
    },
    ...(showDepartment ? [{ key: 'department', title: t('admin.sessions.department'), render: (_: unknown, session: OnlineSession) => session.departmentName ?? empty }] : []),
    { key: 'createdAt', title: t('admin.sessions.createdAt'), render: (_, session) => formatFirmTime(session.createdAt) },
    { key: 'lastSeenAt', title: t('admin.sessions.lastSeenAt'), render: (_, session) => formatFirmTime(session.lastSeenAt) },
    { key: 'ip', title: t('admin.sessions.ip'), render: (_, session) => session.ip ?? empty },
    { key: 'device', title: t('admin.sessions.device'), render: (_, session) => <DeviceText userAgent={session.userAgent} /> },
    { key: 'method', title: t('admin.sessions.method'), render: (_, session) => methodLabel(session.authMethod) },
    {
      key: 'actions',
      title: t('common.actions'),
      fixed: 'right',
      render: (_, session) => (
        <ConfirmButton
          testId="session-revoke"
          size="small"
          danger
          label={t('admin.sessions.revoke')}
          ariaLabel={t('admin.sessions.revokeLabel', { name: session.displayName })}
          title={t('admin.sessions.revokeTitle', { name: session.displayName })}
          description={t('admin.sessions.revokeHint')}
          okText={t('admin.sessions.revoke')}
          loading={revoke.isPending && revoke.variables === session.id}
          onConfirm={() => revoke.mutate(session.id)}
        />
      ),
    },
  ];

  return (
    <Card
      title={t('menu.adminSessions')}
      extra={
        <Button data-testid="sessions-refresh" loading={sessions.isFetching} onClick={() => void sessions.refetch()}>
          {t('common.refresh')}
        </Button>
      }
    >
      <Flex vertical gap={16}>
        <Typography.Text type="secondary">{t('admin.sessions.intro')}</Typography.Text>
        {sessions.isError && <Alert type="error" showIcon title={describeError(sessions.error, t)} />}
        <Table<OnlineSession>
          data-testid="online-sessions-table"
          rowKey="id"
          size="small"
          loading={sessions.isPending}
          columns={columns}
          dataSource={items}
          scroll={{ x: 1000 }}
          locale={{ emptyText: t('admin.sessions.empty') }}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('admin.sessions.total', { total }) }}
        />
      </Flex>
    </Card>
  );
}
