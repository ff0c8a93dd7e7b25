import { Alert, Button, Flex, Modal, Typography } from 'antd';

import { useT } from '../../i18n/index.js';

interface TemporaryPasswordModalProps {
  displayName: string;
  password: string;
  onClose: () => void;
}

/**
 * Shows a reset's temporary password this once. The server keeps only its hash, so closing the
 * dialog is final; the member must replace the password at the next sign-in.
 */
export function TemporaryPasswordModal({ displayName, password, onClose }: TemporaryPasswordModalProps) {
  const t = useT();
  return (
    <Modal
      open
      title={t('admin.users.tempPasswordTitle', { name: displayName })}
      onCancel={onClose}
      mask={{ closable: false }}
      destroyOnHidden
      footer={
        <Button type="primary" data-testid="temporary-password-close" onClick={onClose}>
          {t('admin.users.tempPasswordDone')}
        </Button>
      }
    >
      <Flex vertical gap={16}>
        <Alert type="warning" showIcon title={t('admin.users.tempPasswordOnce')} />
        <Typography.Text
          data-testid="temporary-password"
          code
          copyable={{ text: password, tooltips: [t('common.copy'), t('common.copied')] }}
          style={{ fontSize: 18, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' }}
        >
          {password}
        </Typography.Text>
        <Typography.Text type="secondary">{t('admin.users.tempPasswordHint')}</Typography.Text>
      </Flex>
    </Modal>
  );
}
