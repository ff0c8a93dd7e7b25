import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Card, Flex, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';

import { ConfirmButton } from '../../app/ConfirmButton.js';
import { describeError } from '../../app/describe-error.js';
import { DeviceText } from '../../app/DeviceText.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import { useStepUp } from '../auth/step-up.js';
import { fetchOwnSessions, revokeOtherSessions, revokeOwnSession, SESSIONS_QUERY_KEY, type OwnSession } from './account.api.js';
import { useAuthMethodLabel } from './sign-in-labels.js';

/** Lists the member's open sessions with the current one marked, and signs out one or all others. */
export function SessionsCard() {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();
  const methodLabel = useAuthMethodLabel();

  const sessions = useQuery({ queryKey: SESSIONS_QUERY_KEY, queryFn: fetchOwnSessions });
  const refresh = () => queryClient.invalidateQueries({ queryKey: SESSIONS_QUERY_KEY });

  const revokeOne = useMutation({
    mutationFn: (id: string) => runWithStepUp(() => revokeOwnSession(id)),
    onSuccess: async () => {
      await refresh();
      void message.success(t('security.sessions.revoked'));
    },
    onError: (error) => void message.error(describeError(error, t)),
  });

  const revokeOthers = useMutation({
    mutationFn: () => runWithStepUp(revokeOtherSessions),
    onSuccess: async ({ revoked }) => {
      await refresh();
      void message.success(t('security.sessions.othersRevoked', { count: revoked }));
    },
    onError: (error) => void message.error(describeError(error, t)),
  });

  const items = sessions.data?.items ?? [];
  const columns: ColumnsType<OwnSession> = [
    {
      key: 'device',
      title: t('security.sessions.device'),
      render: (_, session) => (
        <Flex gap={8} align="center" wrap>
          <DeviceText userAgent={session.userAgent} />
          {session.current && (
            <Tag color="green" data-testid="session-current">
              {t('security.sessions.current')}
            </Tag>
          )}
        </Flex>
      ),
    },
    { key: 'ip', title: t('security.sessions.ip'), render: (_, session) => session.ip ?? t('common.empty') },
    { key: 'method', title: t('security.sessions.method'), render: (_, session) => methodLabel(session.authMethod) },
    { key: 'createdAt', title: t('security.sessions.createdAt'), render: (_, session) => formatFirmTime(session.createdAt) },
    { key: 'lastSeenAt', title: t('security.sessions.lastSeenAt'), render: (_, session) => formatFirmTime(session.lastSeenAt) },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, session) =>
        session.current ? (
          <Typography.Text type="secondary">{t('security.sessions.thisDevice')}</Typography.Text>
        ) : (
          <ConfirmButton
            testId="account-session-revoke"
            size="small"
            danger
            label={t('security.sessions.revoke')}
            title={t('security.sessions.revokeTitle')}
            okText={t('security.sessions.revoke')}
            loading={revokeOne.isPending && revokeOne.variables === session.id}
            onConfirm={() => revokeOne.mutate(session.id)}
          />
        ),
    },
  ];

  return (
    <Card
      title={t('security.sessions.title')}
      extra={
        <ConfirmButton
          testId="sessions-revoke-others"
          label={t('security.sessions.revokeOthers')}
          title={t('security.sessions.revokeOthersTitle')}
          description={t('security.sessions.revokeOthersHint')}
          okText={t('security.sessions.revokeOthers')}
          danger
          disabled={!items.some((session) => !session.current)}
          loading={revokeOthers.isPending}
          onConfirm={() => revokeOthers.mutate()}
        />
      }
    >
      {sessions.isError ? (
        <Alert type="error" showIcon title={describeError(sessions.error, t)} />
      ) : (
        <Table<OwnSession> data-testid="own-sessions-table" rowKey="id" size="small" loading={sessions.isPending} columns={columns} dataSource={items} pagination={false} scroll={{ x: 800 }} />
      )}
    </Card>
  );
}
