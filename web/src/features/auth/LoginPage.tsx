import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Result, Space } from 'antd';
import { useState } from 'react';
import { Link, Navigate, useLocation } from 'react-router';

import type { Me } from '../../api/index.js';
import { useAuth } from '../../app/auth-context.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import type { SignInRedirect } from '../../app/guards.js';
import { findHomePath } from '../../app/navigation.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { fetchSetupStatus, login, type LoginResult } from './auth.api.js';

interface Credentials {
  username: string;
  password: string;
}

const FIELD_NAMES = ['username', 'password'] as const;

// Accepts only paths inside the app, so a crafted `from` cannot lead anywhere else.
function targetAfterSignIn(me: Me, redirect: SignInRedirect | null): string {
  const from = redirect?.from;
  if (from !== undefined && from.startsWith('/') && !from.startsWith('//') && from !== '/login') return from;
  return findHomePath(me) ?? '/';
}

function SetupNotice() {
  const t = useT();
  const status = useQuery({ queryKey: ['setup', 'status'], queryFn: fetchSetupStatus });

  if (status.data?.needed !== true) return null;
  return (
    <Alert
      type="info"
      showIcon
      title={t('auth.setupNeeded.title')}
      description={t('auth.setupNeeded.hint')}
      action={<Link to="/setup">{t('auth.setupLink')}</Link>}
    />
  );
}

export function LoginPage() {
  const t = useT();
  const { state, signedIn } = useAuth();
  const location = useLocation();
  const [form] = Form.useForm<Credentials>();
  const [errorText, setErrorText] = useState<string | null>(null);
  const [mfaRequired, setMfaRequired] = useState(false);
  useDocumentTitle(t('auth.signIn.title'));

  const mutation = useMutation({
    mutationFn: login,
    onMutate: () => setErrorText(null),
    onSuccess: (result: LoginResult) => {
      if ('user' in result) signedIn(result.user);
      else setMfaRequired(true);
    },
    onError: (error) => {
      setErrorText(showServerErrorAtFields({ form, error, t, fields: FIELD_NAMES }));
    },
  });

  // A successful sign-in lands here too, through the new auth state.
  if (state.status === 'ready' && state.me !== null) {
    return <Navigate to={targetAfterSignIn(state.me, location.state as SignInRedirect | null)} replace />;
  }

  if (mfaRequired) {
    return (
      <Card style={{ width: 480 }}>
        <Result
          status="info"
          title={t('auth.mfa.unavailableTitle')}
          subTitle={t('auth.mfa.unavailableHint')}
          extra={
            <Button
              onClick={() => {
                setMfaRequired(false);
                form.resetFields(['password']);
              }}
            >
              {t('auth.mfa.back')}
            </Button>
          }
        />
      </Card>
    );
  }

  return (
    <Card title={t('app.name')} style={{ width: 400, maxWidth: '100%' }}>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <SetupNotice />
        <Form<Credentials> form={form} layout="vertical" requiredMark={false} onFinish={(values) => mutation.mutate(values)} disabled={mutation.isPending}>
          <Form.Item name="username" label={t('auth.username')} rules={[{ required: true, whitespace: true, message: t('auth.username.required') }]}>
            <Input data-testid="login-username" autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.password.required') }]}>
            <Input.Password data-testid="login-password" autoComplete="current-password" />
          </Form.Item>
          {errorText !== null && (
            <Form.Item>
              <Alert type="error" showIcon title={errorText} data-testid="login-error" />
            </Form.Item>
          )}
          <Form.Item style={{ marginBottom: 0 }}>
            <Button type="primary" htmlType="submit" block loading={mutation.isPending} data-testid="login-submit">
              {t('auth.signIn.submit')}
            </Button>
          </Form.Item>
        </Form>
      </Space>
    </Card>
  );
}
