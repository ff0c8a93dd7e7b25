import { useQueryClient } from '@tanstack/react-query';
import { App as AntdApp, Card, Descriptions, Flex, Tag } from 'antd';

import { useAuth } from '../../app/auth-context.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import { SECURITY_QUERY_KEY, SESSIONS_QUERY_KEY, type AccountSecurity } from './account.api.js';
import { ChangePasswordForm } from './ChangePasswordForm.js';

/** Renders the password section: when it was last changed, when it expires, and the change form. */
export function PasswordCard({ password }: { password: AccountSecurity['password'] }) {
  const t = useT();
  const { signedIn } = useAuth();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();

  const expired = password.expiresAt !== null && Date.parse(password.expiresAt) <= Date.now();
  const expiry = password.expiresAt === null ? t('security.password.noExpiry') : formatFirmTime(password.expiresAt);

  return (
    <Card title={t('security.password.title')}>
      <Flex vertical gap={16}>
        <Descriptions
          column={1}
          size="small"
          items={[
            { key: 'changedAt', label: t('security.password.changedAt'), children: <span data-testid="password-changed-at">{formatFirmTime(password.changedAt) ?? t('common.empty')}</span> },
            {
              key: 'expiresAt',
              label: t('security.password.expiresAt'),
              children: (
                <Flex gap={8} align="center">
                  <span data-testid="password-expires-at">{expiry}</span>
                  {expired && <Tag color="error">{t('security.password.expired')}</Tag>}
                </Flex>
              ),
            },
          ]}
        />
        <ChangePasswordForm
          onChanged={(user) => {
            // The change ended every other session, and the server renewed this one.
            signedIn(user);
            void queryClient.invalidateQueries({ queryKey: SECURITY_QUERY_KEY });
            void queryClient.invalidateQueries({ queryKey: SESSIONS_QUERY_KEY });
            void message.success(t('security.password.changed'));
          }}
        />
      </Flex>
    </Card>
  );
}
