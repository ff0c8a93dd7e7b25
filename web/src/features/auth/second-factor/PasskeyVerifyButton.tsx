import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Flex, Typography } from 'antd';
import { useState } from 'react';

import { useT } from '../../../i18n/index.js';
import { describePasskeyError, isPasskeySupported } from './passkey-ceremony.js';

interface PasskeyVerifyButtonProps {
  testId: string;
  label: string;
  /** Text above the button; `null` for none. Defaults to how a passkey check works. */
  hint?: string | null;
  primary?: boolean;
  /** Runs the whole ceremony: options, the authenticator prompt, verification. */
  run: () => Promise<unknown>;
  /** Handles an error in place of showing it; returns true when it did. */
  onError?: (error: unknown) => boolean;
}

/** Starts a passkey check on click and shows why it failed under the button. */
export function PasskeyVerifyButton({ testId, label, hint, primary = true, run, onError }: PasskeyVerifyButtonProps) {
  const t = useT();
  const [errorText, setErrorText] = useState<string | null>(null);
  const supported = isPasskeySupported();

  const mutation = useMutation({
    mutationFn: run,
    onMutate: () => setErrorText(null),
    onError: (error) => {
      if (onError?.(error) === true) return;
      setErrorText(describePasskeyError(error, t));
    },
  });

  return (
    <Flex vertical gap={12}>
      {!supported && <Typography.Text type="secondary">{t('passkey.error.unsupported')}</Typography.Text>}
      {supported && hint !== null && <Typography.Text type="secondary">{hint ?? t('mfa.passkey.hint')}</Typography.Text>}
      <Button type={primary ? 'primary' : 'default'} block data-testid={testId} disabled={!supported} loading={mutation.isPending} onClick={() => mutation.mutate()}>
        {label}
      </Button>
      {errorText !== null && <Alert type="error" showIcon title={errorText} data-testid={`${testId}-error`} />}
    </Flex>
  );
}
