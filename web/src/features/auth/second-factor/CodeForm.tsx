import { useMutation } from '@tanstack/react-query';
import { Button, Flex, Form, Input, type FormInstance } from 'antd';
import type { ReactNode } from 'react';

import { describeError } from '../../../app/describe-error.js';
import { useT } from '../../../i18n/index.js';

/** The kind of code the form takes. It sets the input's keyboard, autofill hint and format check. */
export type CodeKind = 'totp' | 'sms' | 'recovery';

interface CodeValues {
  code: string;
}

// TOTP codes have 6 digits (RFC 6238 with the usual parameters); the server sends SMS codes of 4
// to 8 digits. Recovery codes are checked by the server only, which accepts hyphens and spaces.
const CODE_FORMATS: Record<Exclude<CodeKind, 'recovery'>, RegExp> = {
  totp: /^\d{6}$/,
  sms: /^\d{4,8}$/,
};

/**
 * Folds what people paste or type through a Chinese input method: full-width digits and letters
 * become ASCII, and spaces go, so "１２３ ４５６" is read as "123456".
 */
export function normalizeCode(input: string): string {
  return input.normalize('NFKC').replace(/\s/g, '');
}

interface CodeFormProps {
  kind: CodeKind;
  label: string;
  inputTestId: string;
  submitTestId: string;
  submitLabel: string;
  /** Sends the normalized code. A rejection is shown under the input. */
  onSubmit: (code: string) => Promise<unknown>;
  /** Handles an error in place of showing it at the field; returns true when it did. */
  onError?: (error: unknown) => boolean;
  /** Lets a parent show its own errors at the code field, such as a failed SMS send. */
  form?: FormInstance<CodeValues>;
  /** Shown beside the input, such as the button that sends an SMS code. */
  addon?: ReactNode;
  autoFocus?: boolean;
  /** Shown under the input while it has no error. */
  hint?: ReactNode;
}

/** Asks for one second-factor code and puts the server's rejection under the code field. */
export function CodeForm({ kind, label, inputTestId, submitTestId, submitLabel, onSubmit, onError, form: givenForm, addon, autoFocus = false, hint }: CodeFormProps) {
  const t = useT();
  const [ownForm] = Form.useForm<CodeValues>();
  const form = givenForm ?? ownForm;

  const mutation = useMutation({
    mutationFn: onSubmit,
    onError: (error) => {
      if (onError?.(error) === true) return;
      form.setFields([{ name: 'code', errors: [describeError(error, t)] }]);
    },
  });

  const format = kind === 'recovery' ? undefined : CODE_FORMATS[kind];

  // Named after the test id, so two code forms on one page (a dialog over a page) get distinct ids.
  const formName = inputTestId;

  return (
    <Form<CodeValues> form={form} name={formName} layout="vertical" requiredMark={false} disabled={mutation.isPending} onFinish={({ code }) => mutation.mutate(normalizeCode(code))}>
      {/* The outer item carries the label and shows the inner field's errors, so a button can sit beside the input. */}
      <Form.Item label={label} htmlFor={`${formName}_code`} extra={hint}>
        <Flex gap={8}>
          <Form.Item
            name="code"
            noStyle
            rules={[
              { required: true, whitespace: true, message: t(`mfa.code.required.${kind}`) },
              {
                validator: (_rule, value: unknown) => {
                  if (format === undefined || typeof value !== 'string' || value.trim() === '') return Promise.resolve();
                  return format.test(normalizeCode(value)) ? Promise.resolve() : Promise.reject(new Error(t(kind === 'totp' ? 'mfa.code.format.totp' : 'mfa.code.format.sms')));
                },
              },
            ]}
          >
            <Input
              data-testid={inputTestId}
              autoFocus={autoFocus}
              autoComplete="one-time-code"
              inputMode={kind === 'recovery' ? 'text' : 'numeric'}
              maxLength={kind === 'recovery' ? 64 : 12}
              spellCheck={false}
              style={{ flex: 1 }}
            />
          </Form.Item>
          {addon}
        </Flex>
      </Form.Item>
      <Form.Item style={{ marginBottom: 0 }}>
        <Button type="primary" htmlType="submit" block loading={mutation.isPending} data-testid={submitTestId}>
          {submitLabel}
        </Button>
      </Form.Item>
    </Form>
  );
}
