import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Form, Input } from 'antd';
import { useState } from 'react';

import { isApiError, type Me } from '../../api/index.js';
import { useMe } from '../../app/auth-context.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { MIN_PASSWORD_LENGTH } from '../auth/password-policy.js';
import { newPasswordRule, sameAsRule } from '../auth/password-rules.js';
import { changePassword } from './account.api.js';

interface PasswordValues {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

const FIELDS = ['currentPassword', 'newPassword'] as const;

// Codes that concern one field as a whole, used only when a response carries no issues. The
// server answers a wrong current password with 401 `invalid_credentials`, which keeps the member
// signed in, and an issue at `currentPassword`. That issue's text replaces the top-level message,
// which speaks of a wrong username or password. `password_rejected` lists its problems as issues.
const FIELD_OF_CODE_WITHOUT_ISSUES = { invalid_credentials: 'currentPassword', password_too_weak: 'newPassword', password_rejected: 'newPassword' } as const;

/** Takes the current password and a new one twice. Calls `onChanged` with the member the server returns. */
export function ChangePasswordForm({ onChanged }: { onChanged: (user: Me) => void }) {
  const t = useT();
  const me = useMe();
  const [form] = Form.useForm<PasswordValues>();
  const [errorText, setErrorText] = useState<string | null>(null);

  const mutation = useMutation({
    mutationFn: ({ currentPassword, newPassword }: PasswordValues) => changePassword({ currentPassword, newPassword }),
    onMutate: () => setErrorText(null),
    onSuccess: ({ user }) => {
      form.resetFields();
      onChanged(user);
    },
    onError: (error) => {
      const hasIssues = isApiError(error) && error.issues.length > 0;
      const text = showServerErrorAtFields({ form, error, t, fields: FIELDS, fieldOfCode: hasIssues ? {} : FIELD_OF_CODE_WITHOUT_ISSUES });

      // When every issue is shown at its field, a banner would only repeat them or, for a wrong
      // current password, contradict them with the sign-in page's wording.
      const allPlaced = hasIssues && error.issues.every((issue) => (FIELDS as readonly string[]).includes(issue.path));
      setErrorText(allPlaced ? null : text);
    },
  });

  return (
    <Form<PasswordValues> form={form} name="change-password" layout="vertical" requiredMark={false} disabled={mutation.isPending} onFinish={(values) => mutation.mutate(values)} style={{ maxWidth: 420 }}>
      {/* Tells password managers which account the new password belongs to. */}
      <input type="text" name="username" autoComplete="username" value={me.username} readOnly hidden />
      <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true, message: t('password.current.required') }]}>
        <Input.Password data-testid="password-current" autoComplete="current-password" />
      </Form.Item>
      <Form.Item
        name="newPassword"
        label={t('password.new')}
        extra={t('setup.password.hint', { min: MIN_PASSWORD_LENGTH })}
        dependencies={['currentPassword']}
        rules={[
          { required: true, message: t('password.new.required') },
          newPasswordRule(t),
          ({ getFieldValue }) => ({
            validator: (_rule, value: unknown) => (value === undefined || value === '' || value !== getFieldValue('currentPassword') ? Promise.resolve() : Promise.reject(new Error(t('password.new.sameAsCurrent')))),
          }),
        ]}
      >
        <Input.Password data-testid="password-new" autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="confirmPassword"
        label={t('password.confirm')}
        dependencies={['newPassword']}
        rules={[{ required: true, message: t('setup.confirmPassword.required') }, sameAsRule('newPassword', t('setup.confirmPassword.mismatch'))]}
      >
        <Input.Password data-testid="password-confirm" autoComplete="new-password" />
      </Form.Item>
      {errorText !== null && (
        <Form.Item>
          <Alert type="error" showIcon title={errorText} data-testid="password-error" />
        </Form.Item>
      )}
      <Form.Item style={{ marginBottom: 0 }}>
        <Button type="primary" htmlType="submit" loading={mutation.isPending} data-testid="password-submit">
          {t('password.submit')}
        </Button>
      </Form.Item>
    </Form>
  );
}
