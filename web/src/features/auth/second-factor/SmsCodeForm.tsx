import { useMutation } from '@tanstack/react-query';
import { Button, Form } from 'antd';
import { useState } from 'react';

import { describeError } from '../../../app/describe-error.js';
import { useCountdown } from '../../../app/use-countdown.js';
import { useT } from '../../../i18n/index.js';
import type { SmsSent } from '../mfa.api.js';
import { CodeForm } from './CodeForm.js';

/** Seconds before another code may be requested; the server enforces its own limit as well. */
const RESEND_SECONDS = 60;

interface SmsCodeFormProps {
  /** Prefix of the test ids: `<prefix>-sms-send`, `<prefix>-sms-code` and `<prefix>-submit`. */
  testIdPrefix: string;
  /** The masked number the code goes to, when known before the first send. */
  phoneMasked: string | null;
  submitLabel: string;
  send: () => Promise<SmsSent>;
  onSubmit: (code: string) => Promise<unknown>;
  onError?: (error: unknown) => boolean;
}

/** Sends an SMS code on request, with a resend countdown, and takes the code. */
export function SmsCodeForm({ testIdPrefix, phoneMasked, submitLabel, send, onSubmit, onError }: SmsCodeFormProps) {
  const t = useT();
  const [form] = Form.useForm<{ code: string }>();
  const [secondsLeft, startCountdown] = useCountdown();
  const [sentTo, setSentTo] = useState<string | null>(null);

  const sending = useMutation({
    mutationFn: send,
    onMutate: () => form.setFields([{ name: 'code', errors: [] }]),
    onSuccess: (sent) => {
      setSentTo(sent.phoneMasked);
      startCountdown(RESEND_SECONDS);
      form.getFieldInstance('code')?.focus?.();
    },
    onError: (error) => {
      if (onError?.(error) === true) return;
      form.setFields([{ name: 'code', errors: [describeError(error, t)] }]);
    },
  });

  const sendLabel = secondsLeft > 0 ? t('mfa.sms.resendIn', { seconds: secondsLeft }) : sentTo === null ? t('mfa.sms.send') : t('mfa.sms.resend');
  const sendButton = (
    <Button data-testid={`${testIdPrefix}-sms-send`} loading={sending.isPending} disabled={secondsLeft > 0} onClick={() => sending.mutate()}>
      {sendLabel}
    </Button>
  );

  let hint: string;
  if (sentTo !== null) hint = t('mfa.sms.sentTo', { phone: sentTo });
  else if (phoneMasked !== null) hint = t('mfa.sms.willSendTo', { phone: phoneMasked });
  else hint = t('mfa.sms.willSend');

  return (
    <CodeForm
      form={form}
      kind="sms"
      label={t('mfa.sms.codeLabel')}
      inputTestId={`${testIdPrefix}-sms-code`}
      submitTestId={`${testIdPrefix}-submit`}
      submitLabel={submitLabel}
      addon={sendButton}
      hint={<span data-testid={`${testIdPrefix}-sms-hint`}>{hint}</span>}
      onSubmit={onSubmit}
      onError={onError}
    />
  );
}
