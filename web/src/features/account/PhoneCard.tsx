import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Card, Descriptions, Flex, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';

import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { useStepUp } from '../auth/step-up.js';
import { changePhone, SECURITY_QUERY_KEY } from './account.api.js';

// A mainland China mobile number: 11 digits starting with 1 and a second digit from 3 to 9.
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/** Drops spaces, hyphens and a +86 or 0086 country prefix, the forms people paste numbers in. */
export function normalizePhone(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/[\s-]/g, '')
    .replace(/^(\+86|0086)/, '');
}

function PhoneDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();
  const [form] = Form.useForm<{ phone: string }>();
  const [errorText, setErrorText] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: (phone: string) => runWithStepUp(() => changePhone(phone)),
    onMutate: () => setErrorText(null),
    onSuccess: async ({ phoneMasked }) => {
      await queryClient.invalidateQueries({ queryKey: SECURITY_QUERY_KEY });
      void message.success(t('security.phone.changed', { phone: phoneMasked }));
      onClose();
    },
    onError: (error) => setErrorText(showServerErrorAtFields({ form, error, t, fields: ['phone'], fieldOfCode: { phone_invalid: 'phone' } })),
  });

  return (
    <Modal open title={t('security.phone.changeTitle')} onCancel={onClose} footer={null} destroyOnHidden>
      <Form<{ phone: string }> form={form} name="phone-change" layout="vertical" requiredMark={false} disabled={save.isPending} onFinish={({ phone }) => save.mutate(normalizePhone(phone))}>
        <Form.Item
          name="phone"
          label={t('security.phone.new')}
          extra={t('security.phone.hint')}
          rules={[
            { required: true, whitespace: true, message: t('security.phone.required') },
            {
              validator: (_rule, value: unknown) =>
                typeof value !== 'string' || value.trim() === '' || MAINLAND_MOBILE.test(normalizePhone(value)) ? Promise.resolve() : Promise.reject(new Error(t('security.phone.invalid'))),
            },
          ]}
        >
          <Input data-testid="phone-input" inputMode="tel" autoComplete="tel-national" maxLength={20} autoFocus />
        </Form.Item>
        {errorText !== null && (
          <Form.Item>
            <Alert type="error" showIcon title={errorText} />
          </Form.Item>
        )}
        <Form.Item style={{ marginBottom: 0 }}>
          <Flex gap={8} justify="flex-end">
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="phone-submit">
              {t('security.phone.submit')}
            </Button>
          </Flex>
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Renders the mobile-number section: the masked number that SMS codes go to, and a change dialog. */
export function PhoneCard({ phoneMasked }: { phoneMasked: string | null }) {
  const t = useT();
  const [changing, setChanging] = useState(false);

  return (
    <Card title={t('security.phone.title')}>
      <Flex vertical gap={12} align="flex-start">
        <Typography.Text type="secondary">{t('security.phone.intro')}</Typography.Text>
        <Descriptions column={1} size="small" items={[{ key: 'phone', label: t('security.phone.current'), children: <span data-testid="phone-masked">{phoneMasked ?? t('security.phone.none')}</span> }]} />
        <Button data-testid="phone-change" onClick={() => setChanging(true)}>
          {phoneMasked === null ? t('security.phone.add') : t('security.phone.change')}
        </Button>
      </Flex>
      {changing && <PhoneDialog onClose={() => setChanging(false)} />}
    </Card>
  );
}
