import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Modal, Select, Typography } from 'antd';
import { useState } from 'react';

import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT, type MessageKey } from '../../i18n/index.js';
import { isStepUpRequired, useStepUp } from '../auth/step-up.js';
import { revealField } from './clients.api.js';

export interface RevealTarget {
  /** A client field key or `people.<personId>.<field>`. */
  path: string;
  label: string;
}

interface RevealDialogProps {
  clientId: string;
  target: RevealTarget;
  onClose: () => void;
  onRevealed: (path: string, value: string) => void;
}

// The reasons staff give most often. Choosing one fills the text, which stays editable.
const COMMON_REASONS: readonly MessageKey[] = ['reveal.reason.taxFiling', 'reveal.reason.registrationChange', 'reveal.reason.banking', 'reveal.reason.callVerification'];

const MIN_REASON_LENGTH = 4;

// An error about the reason as a whole belongs under the reason field rather than in the banner.
const FIELD_OF_CODE = { reason_required: 'reason' } as const;

interface RevealValues {
  reason: string;
}

/** Asks for a reason and reveals one masked value. Rendered only while a reveal is in progress. */
export function RevealDialog({ clientId, target, onClose, onRevealed }: RevealDialogProps) {
  const t = useT();
  const [form] = Form.useForm<RevealValues>();
  const [errorText, setErrorText] = useState<string | null>(null);
  const runWithStepUp = useStepUp();

  // After a step-up the same reason is sent again, so the member does not type it twice.
  const mutation = useMutation({
    mutationFn: (reason: string) => runWithStepUp(() => revealField(clientId, { field: target.path, reason })),
    onMutate: () => setErrorText(null),
    onSuccess: ({ value }) => {
      onRevealed(target.path, value);
      onClose();
    },
    onError: (error) => setErrorText(showServerErrorAtFields({ form, error, t, fields: ['reason'], fieldOfCode: FIELD_OF_CODE })),
  });

  return (
    <Modal
      open
      title={t('reveal.title', { label: target.label })}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" loading={mutation.isPending} data-testid="reveal-submit" onClick={() => form.submit()}>
          {t('reveal.submit')}
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">{t('reveal.auditNotice')}</Typography.Paragraph>
      <Form<RevealValues> form={form} layout="vertical" disabled={mutation.isPending} onFinish={({ reason }) => mutation.mutate(reason.trim())}>
        <Form.Item label={t('reveal.commonReason')} htmlFor="reveal-common-reason">
          <Select
            id="reveal-common-reason"
            allowClear
            placeholder={t('reveal.commonReason.placeholder')}
            options={COMMON_REASONS.map((key) => ({ value: key, label: t(key) }))}
            onChange={(key: MessageKey | undefined) => {
              if (key === undefined) return;
              form.setFieldValue('reason', t(key));
              void form.validateFields(['reason']).catch(() => {});
            }}
          />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('reveal.reason')}
          rules={[
            { required: true, whitespace: true, message: t('reveal.reason.required') },
            {
              validator: (_rule, value: unknown) =>
                typeof value !== 'string' || value.trim() === '' || value.trim().length >= MIN_REASON_LENGTH
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('reveal.reason.tooShort', { min: MIN_REASON_LENGTH }))),
            },
          ]}
        >
          <Input.TextArea data-testid="reveal-reason" rows={3} maxLength={200} showCount autoFocus />
        </Form.Item>
      </Form>
      {/* A step-up cancelled in its prompt leaves `step_up_required` here, which is a warning, not a failure. */}
      {errorText !== null && <Alert type={isStepUpRequired(mutation.error) ? 'warning' : 'error'} showIcon title={errorText} data-testid="reveal-error" />}
    </Modal>
  );
}
