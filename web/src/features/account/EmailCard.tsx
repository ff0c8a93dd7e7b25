import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Card, Descriptions, Flex, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';

import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { useStepUp } from '../auth/step-up.js';
import { changeEmail, SECURITY_QUERY_KEY } from './account.api.js';

function EmailDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();
  const [form] = Form.useForm<{ email: string }>();
  const [errorText, setErrorText] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: (email: string) => runWithStepUp(() => changeEmail(email)),
    onMutate: () => setErrorText(null),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: SECURITY_QUERY_KEY });
      void message.success(t('security.email.changed'));
      onClose();
    },
    onError: (error) => setErrorText(showServerErrorAtFields({ form, error, t, fields: ['email'] })),
  });

  return (
    <Modal open title={t('security.email.changeTitle')} onCancel={onClose} footer={null} destroyOnHidden>
      <Form<{ email: string }> form={form} name="email-change" layout="vertical" requiredMark={false} disabled={save.isPending} onFinish={({ email }) => save.mutate(email.trim())}>
        <Form.Item name="email" label={t('security.email.new')} rules={[{ required: true, type: 'email', message: t('security.email.invalid') }]}>
          <Input data-testid="email-input" type="email" autoComplete="email" maxLength={200} autoFocus />
        </Form.Item>
        {errorText !== null && (
          <Form.Item>
            <Alert type="error" showIcon title={errorText} />
          </Form.Item>
        )}
        <Form.Item style={{ marginBottom: 0 }}>
          <Flex gap={8} justify="flex-end">
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="email-submit">
              {t('security.email.submit')}
            </Button>
          </Flex>
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Renders the notice e-mail section: where approval notices are sent, and a change dialog. */
export function EmailCard({ email }: { email: string | null }) {
  const t = useT();
  const [changing, setChanging] = useState(false);

  return (
    <Card title={t('security.email.title')}>
      <Flex vertical gap={12} align="flex-start">
        <Typography.Text type="secondary">{t('security.email.intro')}</Typography.Text>
        <Descriptions column={1} size="small" items={[{ key: 'email', label: t('security.email.current'), children: <span data-testid="email-current">{email ?? t('security.email.none')}</span> }]} />
        <Button data-testid="email-change" onClick={() => setChanging(true)}>
          {t('security.email.change')}
        </Button>
      </Flex>
      {changing && <EmailDialog onClose={() => setChanging(false)} />}
    </Card>
  );
}
