import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Result, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, Navigate } from 'react-router';

import { isApiError } from '../../api/index.js';
import { useAuth } from '../../app/auth-context.js';
import { describeError } from '../../app/describe-error.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import { PageSpinner } from '../../app/guards.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { completeSetup, fetchSetupStatus } from './auth.api.js';
import { MIN_PASSWORD_LENGTH } from './password-policy.js';
import { newPasswordRule, sameAsRule } from './password-rules.js';
import { clearUrlFragment, readSetupTokenFromHash } from './setup-token.js';

interface SetupValues {
  token?: string;
  username: string;
  displayName: string;
  password: string;
  confirmPassword: string;
}

// Error codes whose message concerns one field, shown under that field in place of the banner.
const FIELD_OF_CODE = { password_too_weak: 'password', username_taken: 'username' } as const;

export function SetupPage() {
  const t = useT();
  const { state, signedIn } = useAuth();
  const [form] = Form.useForm<SetupValues>();
  const [errorText, setErrorText] = useState<string | null>(null);
  const [tokenFromUrl, setTokenFromUrl] = useState(() => readSetupTokenFromHash(window.location.hash));
  useDocumentTitle(t('setup.title'));

  useEffect(clearUrlFragment, []);

  const status = useQuery({ queryKey: ['setup', 'status'], queryFn: fetchSetupStatus });

  const mutation = useMutation({
    mutationFn: completeSetup,
    onMutate: () => setErrorText(null),
    onSuccess: ({ user }) => signedIn(user),
    onError: (error) => {
      // A rejected link token can only be fixed by typing the right one, so show its field.
      if (isApiError(error) && error.code.includes('token')) setTokenFromUrl(null);

      // The token field is not on the form while the token comes from the link.
      const fields = tokenFromUrl === null ? ['token', 'username', 'displayName', 'password'] : ['username', 'displayName', 'password'];
      setErrorText(showServerErrorAtFields({ form, error, t, fields, fieldOfCode: FIELD_OF_CODE }));
    },
  });

  // Finishing set-up signs the new administrator in, and the auth state change lands here.
  if (state.status === 'ready' && state.me !== null) return <Navigate to="/" replace />;

  if (status.isPending) return <PageSpinner />;

  if (status.isError) {
    return <Result status="error" title={t('setup.statusFailed')} subTitle={describeError(status.error, t)} extra={<Button onClick={() => void status.refetch()}>{t('common.retry')}</Button>} />;
  }

  if (!status.data.needed) {
    return <Result status="success" title={t('setup.done.title')} subTitle={t('setup.done.hint')} extra={<Link to="/login">{t('setup.toSignIn')}</Link>} />;
  }

  const submit = ({ token, username, displayName, password }: SetupValues) => {
    mutation.mutate({ token: tokenFromUrl ?? token?.trim() ?? '', username: username.trim(), displayName: displayName.trim(), password });
  };

  return (
    <Card title={t('setup.title')} style={{ width: 480, maxWidth: '100%' }}>
      <Typography.Paragraph type="secondary">{t('setup.intro')}</Typography.Paragraph>
      <Form<SetupValues> form={form} layout="vertical" onFinish={submit} disabled={mutation.isPending}>
        {tokenFromUrl === null && (
          <Form.Item name="token" label={t('setup.token')} extra={t('setup.token.hint')} rules={[{ required: true, whitespace: true, message: t('setup.token.required') }]}>
            <Input.Password data-testid="setup-token" autoComplete="off" />
          </Form.Item>
        )}
        <Form.Item name="username" label={t('auth.username')} rules={[{ required: true, whitespace: true, message: t('auth.username.required') }]}>
          <Input data-testid="setup-username" autoComplete="username" />
        </Form.Item>
        <Form.Item name="displayName" label={t('setup.displayName')} rules={[{ required: true, whitespace: true, message: t('setup.displayName.required') }]}>
          <Input data-testid="setup-display-name" autoComplete="name" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('auth.password')}
          extra={t('setup.password.hint', { min: MIN_PASSWORD_LENGTH })}
          rules={[{ required: true, message: t('auth.password.required') }, newPasswordRule(t)]}
        >
          <Input.Password data-testid="setup-password" autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirmPassword"
          label={t('setup.confirmPassword')}
          dependencies={['password']}
          rules={[{ required: true, message: t('setup.confirmPassword.required') }, sameAsRule('password', t('setup.confirmPassword.mismatch'))]}
        >
          <Input.Password data-testid="setup-confirm-password" autoComplete="new-password" />
        </Form.Item>
        {errorText !== null && (
          <Form.Item>
            <Alert type="error" showIcon title={errorText} data-testid="setup-error" />
          </Form.Item>
        )}
        <Form.Item style={{ marginBottom: 0 }}>
          <Button type="primary" htmlType="submit" block loading={mutation.isPending} data-testid="setup-submit">
            {t('setup.submit')}
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}
