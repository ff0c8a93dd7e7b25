import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';

import { isApiError } from '../../api/index.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { isStepUpRequired, useStepUp } from '../auth/step-up.js';
import { ClientPicker } from '../clients/ClientPicker.js';
import { GRANTS_QUERY_KEY, MIN_REQUEST_REASON, openBreakGlass } from './access.api.js';
import { reasonRules } from './request-form.js';

// The server accepts reasons of up to 500 characters.
const MAX_REASON_LENGTH = 500;

interface BreakGlassValues {
  clientId: string;
  reason: string;
}

/**
 * Opens emergency access (break-glass) to one client after a mandatory reason, then goes to the
 * client's page. The server raises a high-severity alert and a review task at once, and the
 * dialog warns of both before the member confirms. Rendered only while it is open.
 */
export function BreakGlassDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();
  const [form] = Form.useForm<BreakGlassValues>();
  const [errorText, setErrorText] = useState<string | null>(null);

  const open = useMutation({
    mutationFn: (values: BreakGlassValues) => runWithStepUp(() => openBreakGlass(values)),
    onMutate: () => setErrorText(null),
    onSuccess: async ({ endsAt }, { clientId }) => {
      // The grant widens what the member may see, so cached client lists and pages are stale.
      await queryClient.invalidateQueries({ queryKey: ['clients'] });
      await queryClient.invalidateQueries({ queryKey: GRANTS_QUERY_KEY });
      void message.warning(t('breakGlass.opened', { endsAt: formatFirmTime(endsAt) ?? endsAt }), 8);
      onClose();
      void navigate(`/clients/${encodeURIComponent(clientId)}`);
    },
    onError: (error) => {
      // The server's message for a short reason is worded for reveals, so this one replaces it.
      if (isApiError(error) && error.code === 'reason_required') {
        form.setFields([{ name: 'reason', errors: [t('access.form.reasonTooShort', { min: MIN_REQUEST_REASON })] }]);
        setErrorText(null);
        return;
      }

      // `not_found` covers an unknown client and a closed one alike, so it stays above the form.
      setErrorText(showServerErrorAtFields({ form, error, t, fields: ['clientId', 'reason'] }));
    },
  });

  return (
    <Modal
      open
      title={t('breakGlass.title')}
      onCancel={onClose}
      destroyOnHidden
      width={600}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" danger loading={open.isPending} data-testid="break-glass-submit" onClick={() => form.submit()}>
          {t('breakGlass.submit')}
        </Button>,
      ]}
    >
      <Alert type="error" showIcon title={t('breakGlass.warningTitle')} description={t('breakGlass.warning')} style={{ marginBottom: 16 }} data-testid="break-glass-warning" />
      <Form<BreakGlassValues> form={form} layout="vertical" disabled={open.isPending} onFinish={(values) => open.mutate({ clientId: values.clientId.trim(), reason: values.reason.trim() })}>
        <Form.Item name="clientId" label={t('breakGlass.client')} extra={t('breakGlass.clientHint')} rules={[{ required: true, whitespace: true, message: t('access.form.clientRequired') }]}>
          <ClientPicker testId="break-glass-client" />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('breakGlass.reason')}
          rules={reasonRules(t)}
        >
          <Input.TextArea data-testid="break-glass-reason" rows={3} maxLength={MAX_REASON_LENGTH} showCount placeholder={t('breakGlass.reasonPlaceholder')} />
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type={isStepUpRequired(open.error) ? 'warning' : 'error'} showIcon title={errorText} data-testid="break-glass-error" />}
    </Modal>
  );
}
