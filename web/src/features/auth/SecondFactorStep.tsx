import { App as AntdApp, Button, Checkbox, Flex, Tabs, Typography } from 'antd';
import { useState, type ReactNode } from 'react';

import { isApiError, type Me } from '../../api/index.js';
import { useT } from '../../i18n/index.js';
import {
  fetchSignInPasskeyOptions,
  sendSignInSms,
  verifyRecoveryCode,
  verifySignInPasskey,
  verifySms,
  verifyTotp,
  type SecondFactorMethod,
  type SignInChallenge,
} from './mfa.api.js';
import { CodeForm } from './second-factor/CodeForm.js';
import { knownMethods, METHOD_LABELS, METHOD_ORDER } from './second-factor/method-labels.js';
import { authenticateWithPasskey } from './second-factor/passkey-ceremony.js';
import { PasskeyVerifyButton } from './second-factor/PasskeyVerifyButton.js';
import { SmsCodeForm } from './second-factor/SmsCodeForm.js';

interface SecondFactorStepProps {
  challenge: SignInChallenge;
  onSignedIn: (user: Me) => void;
  /** The challenge expired or was ended; the member must enter the password again. */
  onChallengeLost: (error: unknown) => void;
  onBack: () => void;
}

/** Renders the second step of signing in: one of the member's second factors, chosen on tabs. */
export function SecondFactorStep({ challenge, onSignedIn, onChallengeLost, onBack }: SecondFactorStepProps) {
  const t = useT();
  const { message } = AntdApp.useApp();
  const methods = knownMethods(challenge.methods, METHOD_ORDER);
  const [active, setActive] = useState<SecondFactorMethod | undefined>(methods[0]);
  const [rememberDevice, setRememberDevice] = useState(false);

  // A lost challenge cannot be fixed by another code, so it goes back to the password.
  const takeChallengeLoss = (error: unknown): boolean => {
    if (!isApiError(error) || error.code !== 'mfa_challenge_invalid') return false;
    onChallengeLost(error);
    return true;
  };

  const finish = ({ user }: { user: Me }) => onSignedIn(user);

  const panels: Record<SecondFactorMethod, ReactNode> = {
    totp: (
      <CodeForm
        kind="totp"
        label={t('mfa.totp.codeLabel')}
        hint={t('mfa.totp.hint')}
        inputTestId="mfa-totp-code"
        submitTestId="mfa-submit"
        submitLabel={t('mfa.submit')}
        autoFocus
        onSubmit={(code) => verifyTotp({ code, rememberDevice }).then(finish)}
        onError={takeChallengeLoss}
      />
    ),
    sms: (
      <SmsCodeForm
        testIdPrefix="mfa"
        phoneMasked={challenge.phoneMasked}
        submitLabel={t('mfa.submit')}
        send={sendSignInSms}
        onSubmit={(code) => verifySms({ code, rememberDevice }).then(finish)}
        onError={takeChallengeLoss}
      />
    ),
    passkey: (
      <PasskeyVerifyButton
        testId="mfa-passkey"
        label={t('mfa.passkey.button')}
        run={() => authenticateWithPasskey({ fetchOptions: fetchSignInPasskeyOptions, verify: (assertion) => verifySignInPasskey({ ...assertion, rememberDevice }) }).then(finish)}
        onError={takeChallengeLoss}
      />
    ),
    recovery: (
      <CodeForm
        kind="recovery"
        label={t('mfa.recovery.codeLabel')}
        hint={t('mfa.recovery.hint')}
        inputTestId="mfa-recovery-code"
        submitTestId="mfa-submit"
        submitLabel={t('mfa.submit')}
        autoFocus
        onSubmit={async (code) => {
          const { user, recoveryCodesRemaining } = await verifyRecoveryCode({ code });
          void message.warning(t('mfa.recovery.remaining', { count: recoveryCodesRemaining }), 8);
          onSignedIn(user);
        }}
        onError={takeChallengeLoss}
      />
    ),
  };

  return (
    <Flex vertical gap={8}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('mfa.title')}
      </Typography.Title>
      <Typography.Text type="secondary">{t('mfa.intro')}</Typography.Text>
      <Tabs
        data-testid="mfa-methods"
        activeKey={active}
        onChange={(key) => setActive(key as SecondFactorMethod)}
        destroyOnHidden
        items={methods.map((method) => ({
          key: method,
          label: <span data-testid={`mfa-method-${method}`}>{t(METHOD_LABELS[method])}</span>,
          children: panels[method],
        }))}
      />
      {/* Recovery codes are for a lost device, so signing in with one never trusts the device. */}
      {active !== 'recovery' && (
        <Checkbox data-testid="mfa-remember-device" checked={rememberDevice} onChange={(event) => setRememberDevice(event.target.checked)}>
          {t('mfa.rememberDevice')}
        </Checkbox>
      )}
      {active !== 'recovery' && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('mfa.rememberDevice.hint')}
        </Typography.Text>
      )}
      <Button type="link" data-testid="mfa-back" onClick={onBack} style={{ alignSelf: 'flex-start', paddingInline: 0 }}>
        {t('mfa.back')}
      </Button>
    </Flex>
  );
}
