import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Divider, Form, Input, Result, Space } from 'antd';
import { useState } from 'react';
import { Link, Navigate, useLocation } from 'react-router';

import { renewCsrfToken, type Me } from '../../api/index.js';
import { useAuth } from '../../app/auth-context.js';
import { describeError } from '../../app/describe-error.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import type { SignInRedirect } from '../../app/guards.js';
import { findHomePath } from '../../app/navigation.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { fetchSetupStatus, login, type LoginResult } from './auth.api.js';
import { EnrolmentStep } from './EnrolmentStep.js';
import { fetchPasswordlessOptions, verifyPasswordless, type SignInChallenge } from './mfa.api.js';
import { RecoveryCodesPanel } from './second-factor/RecoveryCodesPanel.js';
import { authenticateWithPasskey } from './second-factor/passkey-ceremony.js';
import { PasskeyVerifyButton } from './second-factor/PasskeyVerifyButton.js';
import { SecondFactorStep } from './SecondFactorStep.js';

interface Credentials {
  username: string;
  password: string;
}

const FIELD_NAMES = ['username', 'password'] as const;

/** The step the sign-in card shows: the password, a second factor, enrolling one, or the new recovery codes. */
type SignInStep =
  | { kind: 'password' }
  | { kind: 'secondFactor'; challenge: SignInChallenge }
  | { kind: 'enrolment'; challenge: SignInChallenge }
  | { kind: 'noFactor' }
  | { kind: 'recoveryCodes'; user: Me; codes: string[] };

// Accepts only paths inside the app, so a crafted `from` cannot lead anywhere else.
function targetAfterSignIn(me: Me, redirect: SignInRedirect | null): string {
  const from = redirect?.from;
  if (from !== undefined && from.startsWith('/') && !from.startsWith('//') && from !== '/login') return from;
  return findHomePath(me) ?? '/';
}

function stepOfChallenge(challenge: SignInChallenge): SignInStep {
  if (challenge.enrolmentRequired && challenge.enrolmentMethods.length > 0) return { kind: 'enrolment', challenge };
  if (challenge.methods.length > 0) return { kind: 'secondFactor', challenge };
  return { kind: 'noFactor' };
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

/**
 * Signs a member in on one card: the password first, then, when the server requires it, a second
 * factor or its enrolment with the new recovery codes. A passkey alone also signs in.
 */
export function LoginPage() {
  const t = useT();
  const { state, signedIn } = useAuth();
  const location = useLocation();
  const [form] = Form.useForm<Credentials>();
  const [errorText, setErrorText] = useState<string | null>(null);
  const [step, setStep] = useState<SignInStep>({ kind: 'password' });
  useDocumentTitle(t('auth.signIn.title'));

  const mutation = useMutation({
    mutationFn: login,
    onMutate: () => setErrorText(null),
    onSuccess: (result: LoginResult) => {
      if ('user' in result) {
        signedIn(result.user);
        return;
      }

      // The password step set a challenge cookie, and the server may bind a new CSRF token to it.
      renewCsrfToken();
      setStep(stepOfChallenge(result));
    },
    onError: (error) => {
      setErrorText(showServerErrorAtFields({ form, error, t, fields: FIELD_NAMES }));
    },
  });

  const backToPassword = (error?: unknown) => {
    setStep({ kind: 'password' });
    form.resetFields(['password']);
    setErrorText(error === undefined ? null : describeError(error, t));
  };

  // A successful sign-in lands here too, through the new auth state.
  if (state.status === 'ready' && state.me !== null) {
    return <Navigate to={targetAfterSignIn(state.me, location.state as SignInRedirect | null)} replace />;
  }

  const cardStyle = { width: step.kind === 'password' ? 400 : 480, maxWidth: '100%' };

  if (step.kind === 'noFactor') {
    return (
      <Card style={cardStyle}>
        <Result
          status="info"
          title={t('auth.mfa.unavailableTitle')}
          subTitle={t('auth.mfa.unavailableHint')}
          extra={<Button onClick={() => backToPassword()}>{t('auth.mfa.back')}</Button>}
        />
      </Card>
    );
  }

  if (step.kind === 'secondFactor') {
    return (
      <Card title={t('app.name')} style={cardStyle}>
        <SecondFactorStep challenge={step.challenge} onSignedIn={signedIn} onChallengeLost={backToPassword} onBack={() => backToPassword()} />
      </Card>
    );
  }

  if (step.kind === 'enrolment') {
    return (
      <Card title={t('app.name')} style={cardStyle}>
        <EnrolmentStep
          challenge={step.challenge}
          onEnrolled={({ user, recoveryCodes }) => {
            // Enrolment completed the sign-in and changed the session cookie.
            renewCsrfToken();
            if (recoveryCodes.length === 0) signedIn(user);
            else setStep({ kind: 'recoveryCodes', user, codes: recoveryCodes });
          }}
          onChallengeLost={backToPassword}
          onBack={() => backToPassword()}
        />
      </Card>
    );
  }

  if (step.kind === 'recoveryCodes') {
    return (
      <Card title={t('recoveryCodes.title')} style={cardStyle}>
        <RecoveryCodesPanel codes={step.codes} username={step.user.username} doneLabel={t('recoveryCodes.continue')} onDone={() => signedIn(step.user)} />
      </Card>
    );
  }

  return (
    <Card title={t('app.name')} style={cardStyle}>
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
        <Divider plain style={{ margin: 0 }}>
          {t('auth.signIn.or')}
        </Divider>
        <PasskeyVerifyButton
          testId="login-passkey"
          label={t('auth.signIn.passkey')}
          hint={null}
          primary={false}
          run={async () => {
            const { user } = await authenticateWithPasskey({ fetchOptions: fetchPasswordlessOptions, verify: verifyPasswordless });
            signedIn(user);
          }}
        />
      </Space>
    </Card>
  );
}
