import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Card, Flex, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { ConfirmButton } from '../../app/ConfirmButton.js';
import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useI18n } from '../../i18n/index.js';
import { useStepUp } from '../auth/step-up.js';
import { disableUser, enableUser, fetchUsers, resetPassword, unlockUser, USERS_QUERY_KEY, type ManagedUser } from './admin.api.js';
import { TemporaryPasswordModal } from './TemporaryPasswordModal.js';

type StatusAction = 'disable' | 'enable';

/** 用户管理: the firm's accounts, with disable, enable, unlock and password reset. */
export function UsersPage() {
  const { t, findMessage } = useI18n();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();
  const [temporary, setTemporary] = useState<{ displayName: string; password: string } | null>(null);
  useDocumentTitle(t('menu.adminUsers'));

  const users = useQuery({ queryKey: USERS_QUERY_KEY, queryFn: fetchUsers });
  const refresh = () => queryClient.invalidateQueries({ queryKey: USERS_QUERY_KEY });

  const changeStatus = useMutation({
    mutationFn: ({ user, action }: { user: ManagedUser; action: StatusAction }) => runWithStepUp(() => (action === 'disable' ? disableUser(user.id) : enableUser(user.id))),
    onSuccess: async (_result, { user, action }) => {
      await refresh();
      void message.success(t(action === 'disable' ? 'admin.users.disabled' : 'admin.users.enabled', { name: user.displayName }));
    },
    onError: (error) => void message.error(describeError(error, t)),
  });

  const unlock = useMutation({
    mutationFn: (user: ManagedUser) => runWithStepUp(() => unlockUser(user.id)),
    onSuccess: async (_result, user) => {
      await refresh();
      void message.success(t('admin.users.unlocked', { name: user.displayName }));
    },
    onError: (error) => void message.error(describeError(error, t)),
  });

  const reset = useMutation({
    mutationFn: (user: ManagedUser) => runWithStepUp(() => resetPassword(user.id)),
    onSuccess: async ({ temporaryPassword }, user) => {
      setTemporary({ displayName: user.displayName, password: temporaryPassword });
      await refresh();
    },
    onError: (error) => void message.error(describeError(error, t)),
  });

  const empty = <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;
  const columns: ColumnsType<ManagedUser> = [
    { key: 'username', title: t('auth.username'), render: (_, user) => user.username },
    { key: 'displayName', title: t('setup.displayName'), render: (_, user) => user.displayName },
    {
      key: 'roles',
      title: t('admin.users.roles'),
      render: (_, user) => (user.roles.length === 0 ? empty : user.roles.map((role) => <Tag key={role}>{findMessage(`role.${role}`) ?? role}</Tag>)),
    },
    { key: 'department', title: t('admin.users.department'), render: (_, user) => user.departmentName ?? empty },
    {
      key: 'status',
      title: t('admin.users.status'),
      render: (_, user) => (
        <Flex gap={4} wrap>
          <Tag color={user.status === 'active' ? 'success' : 'default'} data-testid="user-status">
            {user.status === 'active' ? t('admin.users.status.active') : t('admin.users.status.disabled')}
          </Tag>
          {user.locked && <Tag color="warning">{t('admin.users.locked')}</Tag>}
        </Flex>
      ),
    },
    { key: 'lastLoginAt', title: t('admin.users.lastLoginAt'), render: (_, user) => formatFirmTime(user.lastLoginAt) ?? t('admin.users.neverSignedIn') },
    {
      key: 'actions',
      title: t('common.actions'),
      fixed: 'right',
      // Room for three buttons, so a locked account's 解除锁定 does not push 重置密码 out of view.
      width: 260,
      render: (_, user) => {
        const busy =
          (changeStatus.isPending && changeStatus.variables.user.id === user.id) || (unlock.isPending && unlock.variables.id === user.id) || (reset.isPending && reset.variables.id === user.id);
        const action: StatusAction = user.status === 'active' ? 'disable' : 'enable';
        return (
          <Flex gap={8}>
            <ConfirmButton
              testId={`user-${action}`}
              size="small"
              danger={action === 'disable'}
              label={t(`admin.users.${action}`)}
              ariaLabel={t(`admin.users.${action}Label`, { name: user.displayName })}
              title={t(`admin.users.${action}Title`, { name: user.displayName })}
              description={action === 'disable' ? t('admin.users.disableHint') : undefined}
              okText={t(`admin.users.${action}`)}
              disabled={busy}
              onConfirm={() => changeStatus.mutate({ user, action })}
            />
            {user.locked && (
              <ConfirmButton
                testId="user-unlock"
                size="small"
                label={t('admin.users.unlock')}
                ariaLabel={t('admin.users.unlockLabel', { name: user.displayName })}
                title={t('admin.users.unlockTitle', { name: user.displayName })}
                description={t('admin.users.unlockHint')}
                okText={t('admin.users.unlock')}
                loading={unlock.isPending && unlock.variables.id === user.id}
                disabled={busy}
                onConfirm={() => unlock.mutate(user)}
              />
            )}
            <ConfirmButton
              testId="user-reset-password"
              size="small"
              label={t('admin.users.resetPassword')}
              ariaLabel={t('admin.users.resetPasswordLabel', { name: user.displayName })}
              title={t('admin.users.resetPasswordTitle', { name: user.displayName })}
              description={t('admin.users.resetPasswordHint')}
              okText={t('admin.users.resetPassword')}
              disabled={busy}
              onConfirm={() => reset.mutate(user)}
            />
          </Flex>
        );
      },
    },
  ];

  return (
    <Card title={t('menu.adminUsers')}>
      <Flex vertical gap={16}>
        {users.isError && <Alert type="error" showIcon title={describeError(users.error, t)} />}
        <Table<ManagedUser>
          data-testid="users-table"
          rowKey="id"
          size="small"
          loading={users.isPending}
          columns={columns}
          dataSource={users.data?.items ?? []}
          scroll={{ x: 1000 }}
          locale={{ emptyText: t('admin.users.empty') }}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('admin.users.total', { total }) }}
        />
      </Flex>
      {temporary !== null && <TemporaryPasswordModal displayName={temporary.displayName} password={temporary.password} onClose={() => setTemporary(null)} />}
    </Card>
  );
}
