import { Alert, App as AntdApp, Button, Card, Flex, Layout, Typography } from 'antd';
import { useState } from 'react';

import { useAuth, useMe } from '../../app/auth-context.js';
import { describeError } from '../../app/describe-error.js';
import { LanguageSwitch } from '../../app/LanguageSwitch.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { ChangePasswordForm } from './ChangePasswordForm.js';

/**
 * Shown on every route while the server demands a new password (first sign-in, a reset by an
 * administrator, an expired password). The server refuses every other call until then.
 */
export function ForcedPasswordChangePage() {
  const t = useT();
  const me = useMe();
  const { signedIn, signOut } = useAuth();
  const { message } = AntdApp.useApp();
  const [signingOut, setSigningOut] = useState(false);
  useDocumentTitle(t('password.forced.title'));

  const leave = async () => {
    setSigningOut(true);
    try {
      await signOut();
    } catch (error) {
      void message.warning(describeError(error, t));
    } finally {
      setSigningOut(false);
    }
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Flex justify="space-between" align="center" style={{ padding: '12px 24px' }}>
        <Typography.Text strong style={{ fontSize: 18 }}>
          {t('app.name')}
        </Typography.Text>
        <Flex gap={8} align="center">
          <Typography.Text data-testid="current-user">{me.displayName}</Typography.Text>
          <LanguageSwitch />
          <Button data-testid="logout" loading={signingOut} onClick={() => void leave()}>
            {t('auth.signOut')}
          </Button>
        </Flex>
      </Flex>
      <Layout.Content style={{ display: 'flex', justifyContent: 'center', alignItems: 'flex-start', padding: '48px 16px' }}>
        <Card title={t('password.forced.title')} style={{ width: 480, maxWidth: '100%' }} data-testid="forced-password-change">
          <Flex vertical gap={16}>
            <Alert type="warning" showIcon title={t('password.forced.hint')} />
            <ChangePasswordForm
              onChanged={(user) => {
                void message.success(t('password.changed'));
                signedIn(user);
              }}
            />
          </Flex>
        </Card>
      </Layout.Content>
    </Layout>
  );
}
