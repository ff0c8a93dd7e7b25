import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Form, Input, Modal, Select, Typography } from 'antd';
import { useState } from 'react';

import { useT } from '../../i18n/index.js';
import { ACCESS_REQUESTS_QUERY_KEY, fileAccessRequest, FILABLE_KINDS, GRANTS_QUERY_KEY, type NewAccessRequest } from './access.api.js';
import { BeneficiaryFields } from './BeneficiaryFields.js';
import { reasonRules, showRequestErrorAtFields, toNewRequest, type RequestFormValues } from './request-form.js';
import { kindLabel } from './request-labels.js';
import { RequestKindFields } from './RequestKindFields.js';

// The server accepts reasons of up to 500 characters.
const MAX_REASON_LENGTH = 500;

const INITIAL_VALUES: Partial<RequestFormValues> = {
  beneficiary: 'self',
  scope: 'client',
  categories: ['basic'],
  actions: ['client:list', 'client:read'],
};

/** Renders the form of a new access request in a dialog. Rendered only while it is open. */
export function NewRequestModal({ onClose, onFiled }: { onClose: () => void; onFiled: () => void }) {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const [form] = Form.useForm<RequestFormValues>();
  const [errorText, setErrorText] = useState<string | null>(null);

  const kind = Form.useWatch('kind', form);
  const beneficiary = Form.useWatch('beneficiary', form);
  const scope = Form.useWatch('scope', form);

  const file = useMutation({
    mutationFn: ({ body }: { body: NewAccessRequest; values: RequestFormValues }) => fileAccessRequest(body),
    onMutate: () => setErrorText(null),
    onSuccess: async (filed) => {
      await queryClient.invalidateQueries({ queryKey: ACCESS_REQUESTS_QUERY_KEY });

      // A kind the security administrator set to auto-approve is applied at once.
      if (filed.status === 'applied') {
        await queryClient.invalidateQueries({ queryKey: GRANTS_QUERY_KEY });
        void message.success(t('access.filedApplied'));
      } else {
        void message.success(t('access.filed'));
      }
      onFiled();
    },
    onError: (error, { values }) => setErrorText(showRequestErrorAtFields({ form, error, t, values })),
  });

  const submit = (values: RequestFormValues) => file.mutate({ body: toNewRequest(values), values });

  return (
    <Modal
      open
      title={t('access.new.title')}
      onCancel={onClose}
      destroyOnHidden
      width={640}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" loading={file.isPending} data-testid="request-submit" onClick={() => form.submit()}>
          {t('access.new.submit')}
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">{t('access.new.intro')}</Typography.Paragraph>
      <Form<RequestFormValues> form={form} layout="vertical" initialValues={INITIAL_VALUES} disabled={file.isPending} onFinish={submit}>
        <Form.Item name="kind" label={t('access.form.kind')} rules={[{ required: true, message: t('access.form.kindRequired') }]}>
          <Select data-testid="request-kind" options={FILABLE_KINDS.map((option) => ({ value: option, label: kindLabel(option, t) }))} />
        </Form.Item>
        <BeneficiaryFields beneficiary={beneficiary} />
        <RequestKindFields kind={kind} forSelf={beneficiary !== 'other'} scope={scope} />
        <Form.Item
          name="reason"
          label={t('access.form.reason')}
          rules={reasonRules(t)}
        >
          <Input.TextArea data-testid="request-reason" rows={3} maxLength={MAX_REASON_LENGTH} showCount placeholder={t('access.form.reasonPlaceholder')} />
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type="error" showIcon title={errorText} data-testid="request-error" />}
    </Modal>
  );
}
