import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Flex, Form, Input } from 'antd';
import { useState } from 'react';

import { describeUserAgent } from '../../../app/user-agent.js';
import { useT } from '../../../i18n/index.js';
import { describePasskeyError, isPasskeySupported } from './passkey-ceremony.js';

export const MAX_PASSKEY_NAME_LENGTH = 64;

/** Suggests a name after this device, such as "Windows · Chrome 131", so that passkeys in the list are easy to distinguish. */
export function suggestPasskeyName(fallback: string): string {
  const { browser, system } = describeUserAgent(navigator.userAgent);
  const parts = [system, browser].filter((part): part is string => part !== null);
  return parts.length === 0 ? fallback : parts.join(' · ');
}

interface PasskeyNameFormProps {
  nameTestId: string;
  submitTestId: string;
  submitLabel: string;
  /** Runs the registration ceremony for a passkey with this name. */
  onSubmit: (name: string) => Promise<unknown>;
  onError?: (error: unknown) => boolean;
  /** Laid out in one row and kept after success, for a card; otherwise stacked, for the sign-in card. */
  inline?: boolean;
}

/** Asks for a passkey's name and registers a passkey on this device under it. */
export function PasskeyNameForm({ nameTestId, submitTestId, submitLabel, onSubmit, onError, inline = false }: PasskeyNameFormProps) {
  const t = useT();
  const [form] = Form.useForm<{ name: string }>();
  const [errorText, setErrorText] = useState<string | null>(null);
  const [initialName] = useState(() => suggestPasskeyName(t('passkey.defaultName')));
  const supported = isPasskeySupported();

  const mutation = useMutation({
    mutationFn: onSubmit,
    onMutate: () => setErrorText(null),
    // Only the card form stays on screen after success; it goes back to the suggested name.
    onSuccess: () => {
      if (inline) form.resetFields();
    },
    onError: (error) => {
      if (onError?.(error) === true) return;
      setErrorText(describePasskeyError(error, t));
    },
  });

  return (
    <Flex vertical gap={12}>
      <Form<{ name: string }>
        form={form}
        name={nameTestId}
        layout={inline ? 'inline' : 'vertical'}
        requiredMark={false}
        initialValues={{ name: initialName }}
        disabled={mutation.isPending || !supported}
        onFinish={({ name }) => mutation.mutate(name.trim())}
      >
        <Form.Item
          name="name"
          label={t('passkey.name')}
          extra={inline ? undefined : t('passkey.name.hint')}
          rules={[{ required: true, whitespace: true, message: t('passkey.name.required') }]}
          style={inline ? { flex: 1, minWidth: 220 } : undefined}
        >
          <Input data-testid={nameTestId} maxLength={MAX_PASSKEY_NAME_LENGTH} autoComplete="off" />
        </Form.Item>
        <Form.Item style={{ marginBottom: 0, marginInlineEnd: 0 }}>
          <Button type="primary" htmlType="submit" block={!inline} loading={mutation.isPending} data-testid={submitTestId}>
            {submitLabel}
          </Button>
        </Form.Item>
      </Form>
      {!supported && <Alert type="info" showIcon title={t('passkey.error.unsupported')} />}
      {errorText !== null && <Alert type="error" showIcon title={errorText} data-testid={`${submitTestId}-error`} />}
    </Flex>
  );
}
