import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';

import { isApiError } from '../../api/index.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { archiveClient } from './clients.api.js';

interface ArchiveClientDialogProps {
  clientId: string;
  clientName: string;
  onClose: () => void;
  onArchived: () => void;
}

// The server counts characters of the trimmed reason and rejects fewer than 4 with `reason_required`.
const MIN_REASON_LENGTH = 4;
const MAX_REASON_LENGTH = 500;

interface ArchiveValues {
  reason: string;
}

/**
 * Asks for a reason and archives a client that ended its engagement. The dialog explains what
 * archiving changes before anything is sent, and is rendered only while the member is archiving.
 */
export function ArchiveClientDialog({ clientId, clientName, onClose, onArchived }: ArchiveClientDialogProps) {
  const t = useT();
  const [form] = Form.useForm<ArchiveValues>();
  const [errorText, setErrorText] = useState<string | null>(null);

  const mutation = useMutation({
    mutationFn: (reason: string) => archiveClient(clientId, { reason }),
    onMutate: () => setErrorText(null),
    onSuccess: () => {
      onArchived();
      onClose();
    },
    onError: (error) => {
      const banner = showServerErrorAtFields({ form, error, t, fields: ['reason'] });

      // The top-level message of `reason_required` is worded for revealing data, so only the field's issue is shown.
      const reasonMarked = isApiError(error) && error.code === 'reason_required' && error.issues.some((issue) => issue.path === 'reason');
      setErrorText(reasonMarked ? null : banner);
    },
  });

  return (
    <Modal
      open
      title={t('client.archive.title', { name: clientName })}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" danger loading={mutation.isPending} data-testid="client-archive-submit" onClick={() => form.submit()}>
          {t('client.archive.submit')}
        </Button>,
      ]}
    >
      <Typography.Paragraph>{t('client.archive.effect')}</Typography.Paragraph>
      <Typography.Paragraph type="secondary">{t('client.archive.retention')}</Typography.Paragraph>
      <Form<ArchiveValues> form={form} layout="vertical" disabled={mutation.isPending} onFinish={({ reason }) => mutation.mutate(reason.trim())}>
        <Form.Item
          name="reason"
          label={t('client.archive.reason')}
          rules={[
            { required: true, whitespace: true, message: t('client.archive.reason.required') },
            {
              validator: (_rule, value: unknown) =>
                typeof value !== 'string' || value.trim() === '' || [...value.trim()].length >= MIN_REASON_LENGTH
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('client.archive.reason.tooShort', { min: MIN_REASON_LENGTH }))),
            },
          ]}
        >
          <Input.TextArea data-testid="client-archive-reason" rows={3} maxLength={MAX_REASON_LENGTH} showCount placeholder={t('client.archive.reason.placeholder')} autoFocus />
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type="error" showIcon title={errorText} data-testid="client-archive-error" />}
    </Modal>
  );
}
