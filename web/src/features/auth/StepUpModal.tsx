import { Alert, Divider, Flex, Modal, Tabs, Typography } from 'antd';
import { useState, type ReactNode } from 'react';

import { useT } from '../../i18n/index.js';
import { CodeForm } from './second-factor/CodeForm.js';
import { knownMethods, METHOD_LABELS } from './second-factor/method-labels.js';
import { authenticateWithPasskey } from './second-factor/passkey-ceremony.js';
import { PasskeyVerifyButton } from './second-factor/PasskeyVerifyButton.js';
import { SmsCodeForm } from './second-factor/SmsCodeForm.js';
import { fetchStepUpPasskeyOptions, sendStepUpSms, STEP_UP_METHODS, stepUpWithPasskey, stepUpWithSms, stepUpWithTotp, type StepUpMethod } from './step-up.api.js';

type CodeMethod = Exclude<StepUpMethod, 'passkey'>;

interface StepUpModalProps {
  /** The methods sent with the `step_up_required` error. */
  methods: readonly string[];
  onVerified: () => void;
  onCancel: () => void;
}

/**
 * Asks for a second factor again before a sensitive action, with the methods the server offered.
 * A passkey, when offered, is one click and resists phishing, so it comes first and the code
 * methods follow on tabs.
 */
export function StepUpModal({ methods: offered, onVerified, onCancel }: StepUpModalProps) {
  const t = useT();
  const methods = knownMethods(offered, STEP_UP_METHODS);
  const codeMethods = methods.filter((method): method is CodeMethod => method !== 'passkey');
  const [active, setActive] = useState<CodeMethod | undefined>(codeMethods[0]);

  const codePanels: Record<CodeMethod, ReactNode> = {
    totp: (
      <CodeForm
        kind="totp"
        label={t('mfa.totp.codeLabel')}
        hint={t('mfa.totp.hint')}
        inputTestId="stepup-totp-code"
        submitTestId="stepup-submit"
        submitLabel={t('stepUp.submit')}
        autoFocus
        onSubmit={(code) => stepUpWithTotp({ code }).then(onVerified)}
      />
    ),
    sms: <SmsCodeForm testIdPrefix="stepup" phoneMasked={null} submitLabel={t('stepUp.submit')} send={sendStepUpSms} onSubmit={(code) => stepUpWithSms({ code }).then(onVerified)} />,
  };

  return (
    <Modal open title={t('stepUp.title')} onCancel={onCancel} footer={null} destroyOnHidden mask={{ closable: false }} width={440}>
      <Flex vertical gap={8}>
        <Typography.Text type="secondary">{t('stepUp.intro')}</Typography.Text>
        {methods.length === 0 && <Alert type="warning" showIcon title={t('stepUp.noMethods')} data-testid="stepup-no-methods" />}
        {methods.includes('passkey') && (
          <PasskeyVerifyButton
            testId="stepup-passkey"
            label={t('mfa.passkey.button')}
            run={() => authenticateWithPasskey({ fetchOptions: fetchStepUpPasskeyOptions, verify: stepUpWithPasskey }).then(onVerified)}
          />
        )}
        {methods.includes('passkey') && codeMethods.length > 0 && (
          <Divider plain style={{ margin: '8px 0 0' }}>
            {t('stepUp.orCode')}
          </Divider>
        )}
        {codeMethods.length > 0 && (
          <Tabs
            activeKey={active}
            onChange={(key) => setActive(key as CodeMethod)}
            destroyOnHidden
            items={codeMethods.map((method) => ({
              key: method,
              label: <span data-testid={`stepup-method-${method}`}>{t(METHOD_LABELS[method])}</span>,
              children: codePanels[method],
            }))}
          />
        )}
      </Flex>
    </Modal>
  );
}
