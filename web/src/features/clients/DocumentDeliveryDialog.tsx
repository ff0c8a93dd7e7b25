import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';

import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useI18n } from '../../i18n/index.js';
import { isStepUpRequired, useStepUp } from '../auth/step-up.js';
import { type ClientDocument, fetchDocumentBlob } from './documents.api.js';

const MIN_REASON_LENGTH = 4;
const FIELD_OF_CODE = { reason_required: 'reason' } as const;

interface DeliveryProps {
  clientId: string;
  document: ClientDocument;
  delivery: 'download' | 'preview';
  onClose: () => void;
  /** Receives a preview's object URL; the caller shows it and revokes it when closed. */
  onPreview: (url: string) => void;
}

function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  // The browser has started the download once click() returns; the URL is not needed after that.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Asks for a reason, runs the step-up when the server demands one, then downloads or previews. */
export function DocumentDeliveryDialog({ clientId, document: item, delivery, onClose, onPreview }: DeliveryProps) {
  const { t, locale } = useI18n();
  const [form] = Form.useForm<{ reason: string }>();
  const [errorText, setErrorText] = useState<string | null>(null);
  const runWithStepUp = useStepUp();

  const mutation = useMutation({
    mutationFn: (reason: string) => runWithStepUp(() => fetchDocumentBlob({ clientId, documentId: item.id, reason, delivery, locale })),
    onMutate: () => setErrorText(null),
    onSuccess: ({ blob }) => {
      if (delivery === 'download') saveBlob(blob, item.fileName);
      else onPreview(URL.createObjectURL(blob));
      onClose();
    },
    onError: (error) => setErrorText(showServerErrorAtFields({ form, error, t, fields: ['reason'], fieldOfCode: FIELD_OF_CODE })),
  });

  return (
    <Modal
      open
      title={t(delivery === 'download' ? 'documents.delivery.title.download' : 'documents.delivery.title.preview', { name: item.fileName })}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" loading={mutation.isPending} data-testid="document-delivery-submit" onClick={() => form.submit()}>
          {t('documents.delivery.submit')}
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">{t('documents.delivery.notice')}</Typography.Paragraph>
      <Typography.Paragraph type="secondary">{t(item.watermarked ? 'documents.watermarked' : 'documents.notWatermarked')}</Typography.Paragraph>
      <Form<{ reason: string }> form={form} layout="vertical" disabled={mutation.isPending} onFinish={({ reason }) => mutation.mutate(reason.trim())}>
        <Form.Item
          name="reason"
          label={t('reveal.reason')}
          rules={[
            { required: true, whitespace: true, message: t('reveal.reason.required') },
            { validator: (_rule, value: unknown) => (typeof value !== 'string' || value.trim() === '' || value.trim().length >= MIN_REASON_LENGTH ? Promise.resolve() : Promise.reject(new Error(t('reveal.reason.tooShort', { min: MIN_REASON_LENGTH })))) },
          ]}
        >
          <Input.TextArea data-testid="document-reason" rows={3} maxLength={200} showCount autoFocus />
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type={isStepUpRequired(mutation.error) ? 'warning' : 'error'} showIcon title={errorText} />}
    </Modal>
  );
}
