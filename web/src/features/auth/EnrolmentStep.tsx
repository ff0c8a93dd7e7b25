import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Flex, Segmented, Spin, Typography } from 'antd';
import { useState } from 'react';

import { isApiError, type Me } from '../../api/index.js';
import { describeError } from '../../app/describe-error.js';
import { useRunOnce } from '../../app/use-run-once.js';
import { useT, type MessageKey } from '../../i18n/index.js';
import { completePasskeyEnrolment, confirmTotpEnrolment, fetchEnrolmentPasskeyOptions, startTotpEnrolment, type EnrolmentMethod, type SignInChallenge } from './mfa.api.js';
import { registerPasskey } from './second-factor/passkey-ceremony.js';
import { PasskeyNameForm } from './second-factor/PasskeyNameForm.js';
import { TotpSetupPanel } from './second-factor/TotpSetupPanel.js';

export interface Enrolled {
  user: Me;
  recoveryCodes: string[];
}

interface EnrolmentStepProps {
  challenge: SignInChallenge;
  onEnrolled: (enrolled: Enrolled) => void;
  onChallengeLost: (error: unknown) => void;
  onBack: () => void;
}

const ENROLMENT_ORDER: readonly EnrolmentMethod[] = ['totp', 'passkey'];

const ENROLMENT_LABELS: Readonly<Record<EnrolmentMethod, MessageKey>> = {
  totp: 'enrol.method.totp',
  passkey: 'enrol.method.passkey',
};

interface EnrolmentPanelProps {
  onEnrolled: (enrolled: Enrolled) => void;
  takeChallengeLoss: (error: unknown) => boolean;
}

function TotpEnrolment({ onEnrolled, takeChallengeLoss }: EnrolmentPanelProps) {
  const t = useT();
  const start = useMutation({ mutationFn: startTotpEnrolment, onError: takeChallengeLoss });

  // Each start makes a new pending secret on the server, so it must not run twice.
  useRunOnce(start.mutate);

  if (start.isError) {
    return (
      <Alert
        type="error"
        showIcon
        title={describeError(start.error, t)}
        action={
          <Button size="small" onClick={() => start.mutate()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  }

  if (start.data === undefined) return <Spin aria-label={t('common.loading')} style={{ display: 'block', padding: 32 }} />;

  return (
    <TotpSetupPanel
      setup={start.data}
      testIdPrefix="enrol"
      confirmLabel={t('enrol.totp.confirm')}
      onConfirm={(code) => confirmTotpEnrolment({ code }).then(onEnrolled)}
      onError={takeChallengeLoss}
    />
  );
}

function PasskeyEnrolment({ onEnrolled, takeChallengeLoss }: EnrolmentPanelProps) {
  const t = useT();
  return (
    <Flex vertical gap={12}>
      <Typography.Text type="secondary">{t('enrol.passkey.intro')}</Typography.Text>
      <PasskeyNameForm
        nameTestId="enrol-passkey-name"
        submitTestId="enrol-passkey"
        submitLabel={t('enrol.passkey.submit')}
        onSubmit={(name) => registerPasskey({ name, fetchOptions: fetchEnrolmentPasskeyOptions, complete: completePasskeyEnrolment }).then(onEnrolled)}
        onError={takeChallengeLoss}
      />
    </Flex>
  );
}

/** Signing in for a member who must first set up a second factor: an authenticator app or a passkey. */
export function EnrolmentStep({ challenge, onEnrolled, onChallengeLost, onBack }: EnrolmentStepProps) {
  const t = useT();
  const methods = ENROLMENT_ORDER.filter((method) => challenge.enrolmentMethods.includes(method));
  const [method, setMethod] = useState<EnrolmentMethod | undefined>(methods[0]);

  const takeChallengeLoss = (error: unknown): boolean => {
    if (!isApiError(error) || error.code !== 'mfa_challenge_invalid') return false;
    onChallengeLost(error);
    return true;
  };

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={4} style={{ marginTop: 0, marginBottom: 0 }}>
        {t('enrol.title')}
      </Typography.Title>
      <Typography.Text type="secondary">{t('enrol.intro')}</Typography.Text>
      {methods.length > 1 && (
        <Segmented<EnrolmentMethod>
          block
          value={method}
          onChange={setMethod}
          aria-label={t('enrol.methodLabel')}
          options={methods.map((option) => ({ value: option, label: <span data-testid={`enrol-method-${option}`}>{t(ENROLMENT_LABELS[option])}</span> }))}
        />
      )}
      {method === 'totp' && <TotpEnrolment onEnrolled={onEnrolled} takeChallengeLoss={takeChallengeLoss} />}
      {method === 'passkey' && <PasskeyEnrolment onEnrolled={onEnrolled} takeChallengeLoss={takeChallengeLoss} />}
      <Button type="link" data-testid="enrol-back" onClick={onBack} style={{ alignSelf: 'flex-start', paddingInline: 0 }}>
        {t('mfa.back')}
      </Button>
    </Flex>
  );
}
