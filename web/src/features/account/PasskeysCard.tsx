import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App as AntdApp, Button, Card, Flex, Form, Input, Modal, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { isApiError } from '../../api/index.js';
import { ConfirmButton } from '../../app/ConfirmButton.js';
import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import { registerPasskey } from '../auth/second-factor/passkey-ceremony.js';
import { MAX_PASSKEY_NAME_LENGTH, PasskeyNameForm } from '../auth/second-factor/PasskeyNameForm.js';
import { useStepUp } from '../auth/step-up.js';
import { addPasskey, fetchPasskeyCreationOptions, removePasskey, renamePasskey, SECURITY_QUERY_KEY, type PasskeySummary } from './account.api.js';

function RenameDialog({ passkey, onClose }: { passkey: PasskeySummary; onClose: () => void }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ name: string }>();

  const rename = useMutation({
    mutationFn: (name: string) => renamePasskey(passkey.id, name),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: SECURITY_QUERY_KEY });
      onClose();
    },
    // The dialog has one field, so every failure is shown under it.
    onError: (error) => {
      const issues = isApiError(error) ? error.issues.filter((issue) => issue.path === 'name').map((issue) => issue.message) : [];
      form.setFields([{ name: 'name', errors: issues.length > 0 ? issues : [describeError(error, t)] }]);
    },
  });

  return (
    <Modal
      open
      title={t('security.passkeys.renameTitle')}
      onCancel={onClose}
      okText={t('security.passkeys.renameSubmit')}
      okButtonProps={{ loading: rename.isPending, ...{ 'data-testid': 'passkey-rename-submit' } }}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form<{ name: string }> form={form} name="passkey-rename" layout="vertical" requiredMark={false} initialValues={{ name: passkey.name }} onFinish={({ name }) => rename.mutate(name.trim())}>
        <Form.Item name="name" label={t('passkey.name')} rules={[{ required: true, whitespace: true, message: t('passkey.name.required') }]}>
          <Input data-testid="passkey-rename-input" maxLength={MAX_PASSKEY_NAME_LENGTH} autoFocus autoComplete="off" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Renders the passkeys section: the member's passkeys with rename and removal, and a form to add one. */
export function PasskeysCard({ passkeys }: { passkeys: readonly PasskeySummary[] }) {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();
  const [renaming, setRenaming] = useState<PasskeySummary | null>(null);

  const remove = useMutation({
    mutationFn: (id: string) => runWithStepUp(() => removePasskey(id)),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: SECURITY_QUERY_KEY });
      void message.success(t('security.passkeys.removed'));
    },
    onError: (error) => void message.error(describeError(error, t)),
  });

  const add = async (name: string) => {
    await runWithStepUp(() => registerPasskey({ name, fetchOptions: fetchPasskeyCreationOptions, complete: addPasskey }));
    await queryClient.invalidateQueries({ queryKey: SECURITY_QUERY_KEY });
    void message.success(t('security.passkeys.added', { name }));
  };

  const empty = <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;
  const columns: ColumnsType<PasskeySummary> = [
    { key: 'name', title: t('passkey.name'), render: (_, passkey) => passkey.name },
    {
      key: 'deviceType',
      title: t('security.passkeys.deviceType'),
      render: (_, passkey) => (
        <Flex gap={4} wrap>
          <Tag>{passkey.deviceType === 'multiDevice' ? t('security.passkeys.multiDevice') : t('security.passkeys.singleDevice')}</Tag>
          {passkey.backedUp && <Tag color="blue">{t('security.passkeys.backedUp')}</Tag>}
        </Flex>
      ),
    },
    { key: 'createdAt', title: t('security.passkeys.createdAt'), render: (_, passkey) => formatFirmTime(passkey.createdAt) ?? empty },
    { key: 'lastUsedAt', title: t('security.passkeys.lastUsedAt'), render: (_, passkey) => formatFirmTime(passkey.lastUsedAt) ?? t('security.passkeys.neverUsed') },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, passkey) => (
        <Flex gap={8}>
          <Button size="small" data-testid="passkey-rename" aria-label={t('security.passkeys.renameLabel', { name: passkey.name })} onClick={() => setRenaming(passkey)}>
            {t('security.passkeys.rename')}
          </Button>
          <ConfirmButton
            testId="passkey-remove"
            size="small"
            danger
            label={t('security.remove')}
            ariaLabel={t('security.passkeys.removeLabel', { name: passkey.name })}
            title={t('security.passkeys.removeTitle', { name: passkey.name })}
            description={t('security.passkeys.removeHint')}
            okText={t('security.remove')}
            loading={remove.isPending && remove.variables === passkey.id}
            onConfirm={() => remove.mutate(passkey.id)}
          />
        </Flex>
      ),
    },
  ];

  return (
    <Card title={t('mfa.method.passkey')}>
      <Flex vertical gap={16}>
        <Typography.Text type="secondary">{t('security.passkeys.intro')}</Typography.Text>
        <Table<PasskeySummary>
          data-testid="passkeys-table"
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={[...passkeys]}
          pagination={false}
          scroll={{ x: 640 }}
          locale={{ emptyText: t('security.passkeys.empty') }}
        />
        <PasskeyNameForm inline nameTestId="passkey-name" submitTestId="passkey-add" submitLabel={t('security.passkeys.add')} onSubmit={add} />
      </Flex>
      {renaming !== null && <RenameDialog passkey={renaming} onClose={() => setRenaming(null)} />}
    </Card>
  );
}
