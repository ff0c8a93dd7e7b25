import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Card, Flex, Modal, Spin, Tag, Typography } from 'antd';
import { useState } from 'react';

import { useMe } from '../../app/auth-context.js';
import { ConfirmButton } from '../../app/ConfirmButton.js';
import { describeError } from '../../app/describe-error.js';
import { useRunOnce } from '../../app/use-run-once.js';
import { useT } from '../../i18n/index.js';
import { RecoveryCodesPanel } from '../auth/second-factor/RecoveryCodesPanel.js';
import { TotpSetupPanel } from '../auth/second-factor/TotpSetupPanel.js';
import { useStepUp } from '../auth/step-up.js';
import { confirmTotpSetup, removeTotp, SECURITY_QUERY_KEY, startTotpSetup } from './account.api.js';

/** Adds an authenticator app in a dialog: QR code, first code, then new recovery codes if any. */
function TotpSetupDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const me = useMe();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  const start = useMutation({ mutationFn: () => runWithStepUp(startTotpSetup) });
  useRunOnce(start.mutate);

  const confirm = async (code: string) => {
    const { recoveryCodes: codes } = await confirmTotpSetup({ code });
    await queryClient.invalidateQueries({ queryKey: SECURITY_QUERY_KEY });
    void message.success(t('security.totp.enrolled'));
    if (codes.length === 0) onClose();
    else setRecoveryCodes(codes);
  };

  let body;
  if (recoveryCodes !== null) body = <RecoveryCodesPanel codes={recoveryCodes} username={me.username} doneLabel={t('recoveryCodes.close')} onDone={onClose} />;
  else if (start.isError) body = <Alert type="error" showIcon title={describeError(start.error, t)} />;
  else if (start.data === undefined) body = <Spin aria-label={t('common.loading')} style={{ display: 'block', padding: 32 }} />;
  else body = <TotpSetupPanel setup={start.data} testIdPrefix="account" confirmLabel={t('security.totp.confirm')} onConfirm={confirm} />;

  // Recovery codes are shown once, so that view closes only through its "saved" button.
  const mustSaveCodes = recoveryCodes !== null;
  return (
    <Modal open title={t('security.totp.setupTitle')} footer={null} onCancel={onClose} closable={!mustSaveCodes} mask={{ closable: false }} keyboard={!mustSaveCodes} destroyOnHidden>
      {body}
    </Modal>
  );
}

/** Renders the authenticator-app (TOTP) section: its state, set-up and removal. */
export function TotpCard({ enrolled }: { enrolled: boolean }) {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();
  const [settingUp, setSettingUp] = useState(false);

  const remove = useMutation({
    mutationFn: () => runWithStepUp(removeTotp),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: SECURITY_QUERY_KEY });
      void message.success(t('security.totp.removed'));
    },
    onError: (error) => void message.error(describeError(error, t)),
  });

  return (
    <Card
      title={t('mfa.method.totp')}
      extra={
        <Tag color={enrolled ? 'success' : 'default'} data-testid="totp-status">
          {enrolled ? t('security.enabled') : t('security.notEnabled')}
        </Tag>
      }
    >
      <Flex vertical gap={12} align="flex-start">
        <Typography.Text type="secondary">{t('security.totp.intro')}</Typography.Text>
        {enrolled ? (
          <ConfirmButton
            testId="totp-remove"
            label={t('security.totp.remove')}
            title={t('security.totp.removeTitle')}
            description={t('security.totp.removeHint')}
            okText={t('security.remove')}
            danger
            loading={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        ) : (
          <Button type="primary" data-testid="totp-enrol-start" onClick={() => setSettingUp(true)}>
            {t('security.totp.setup')}
          </Button>
        )}
      </Flex>
      {settingUp && <TotpSetupDialog onClose={() => setSettingUp(false)} />}
    </Card>
  );
}
