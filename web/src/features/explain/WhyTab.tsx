import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Form, Input, Result, Select } from 'antd';
import { useState } from 'react';

import { isApiError } from '../../api/index.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { actionLabel } from '../access/request-labels.js';
import { CLIENT_FIELDS } from './client-fields.js';
import { EXPLAINED_ACTIONS, explainAccess, type ExplainedAction, type ExplainQuery } from './explain.api.js';
import { MemberIdInput } from './MemberIdInput.js';
import { ReasonTags } from './ReasonTags.js';

interface WhyForm {
  userId: string;
  clientId: string;
  action: ExplainedAction;
  field?: string;
}

const FORM_FIELDS = ['userId', 'clientId', 'action', 'field'] as const;

/** 为什么: whether one member may perform one client action on one client, and the reasons. */
export function WhyTab() {
  const t = useT();
  const [form] = Form.useForm<WhyForm>();
  const [errorText, setErrorText] = useState<string | null>(null);
  const action = Form.useWatch('action', form);

  const explain = useMutation({
    mutationFn: (query: ExplainQuery) => explainAccess(query),
    onMutate: () => setErrorText(null),
    onError: (error) => {
      // The server does not say whether the member or the client is missing, so the message stays above the form.
      if (isApiError(error) && error.code === 'not_found') setErrorText(t('explain.why.notFound'));
      else setErrorText(showServerErrorAtFields({ form, error, t, fields: FORM_FIELDS }));
    },
  });

  const submit = ({ userId, clientId, action: chosen, field }: WhyForm) => {
    explain.mutate({ userId, clientId: clientId.trim(), action: chosen, ...(field === undefined ? {} : { field }) });
  };

  const result = explain.data;
  return (
    <>
      <Form<WhyForm> form={form} layout="inline" initialValues={{ action: 'client:read' }} onFinish={submit} style={{ rowGap: 12, marginBottom: 16 }}>
        <Form.Item name="userId" label={t('explain.member')} rules={[{ required: true, message: t('explain.memberRequired') }]}>
          <MemberIdInput testId="explain-why-user" />
        </Form.Item>
        <Form.Item name="clientId" label={t('explain.clientId')} rules={[{ required: true, whitespace: true, message: t('explain.clientIdRequired') }]}>
          <Input data-testid="explain-why-client" placeholder={t('explain.clientIdPlaceholder')} allowClear style={{ width: 240 }} />
        </Form.Item>
        <Form.Item name="action" label={t('explain.action')}>
          <Select data-testid="explain-why-action" style={{ width: 180 }} options={EXPLAINED_ACTIONS.map((value) => ({ value, label: value === 'client:import' ? t('explain.action.import') : actionLabel(value, t) }))} />
        </Form.Item>
        <Form.Item name="field" label={t('explain.field')} extra={action === 'client:reveal' ? t('explain.why.fieldHint') : undefined}>
          <Select data-testid="explain-why-field" allowClear style={{ width: 200 }} placeholder={t('explain.fieldOptional')} options={CLIENT_FIELDS.map((field) => ({ value: field.key, label: t(field.label) }))} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={explain.isPending} data-testid="explain-why-submit">
            {t('explain.submit')}
          </Button>
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type="error" showIcon title={errorText} data-testid="explain-why-error" />}
      {result !== undefined && !explain.isPending && (
        <Result
          data-testid="explain-why-result"
          data-allow={String(result.allow)}
          status={result.allow ? 'success' : 'warning'}
          title={result.allow ? t('explain.why.allow') : t('explain.why.deny')}
          extra={
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('explain.why.reasons')}>
                <ReasonTags reasons={result.reasons} />
              </Descriptions.Item>
            </Descriptions>
          }
        />
      )}
    </>
  );
}
