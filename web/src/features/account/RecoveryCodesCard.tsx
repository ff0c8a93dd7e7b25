import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Card, Flex, Modal, Statistic, Typography } from 'antd';
import { useState } from 'react';

import { useMe } from '../../app/auth-context.js';
import { ConfirmButton } from '../../app/ConfirmButton.js';
import { describeError } from '../../app/describe-error.js';
import { useT } from '../../i18n/index.js';
import { RecoveryCodesPanel } from '../auth/second-factor/RecoveryCodesPanel.js';
import { useStepUp } from '../auth/step-up.js';
import { regenerateRecoveryCodes, SECURITY_QUERY_KEY } from './account.api.js';

// Few enough codes left that the member should make new ones before being locked out.
const LOW_RECOVERY_CODES = 3;

/** Renders the recovery-codes section: how many are left, and a new set that replaces the old one. */
export function RecoveryCodesCard({ remaining }: { remaining: number }) {
  const t = useT();
  const me = useMe();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();
  const [codes, setCodes] = useState<string[] | null>(null);

  const regenerate = useMutation({
    mutationFn: () => runWithStepUp(regenerateRecoveryCodes),
    onSuccess: async ({ codes: fresh }) => {
      setCodes(fresh);
      await queryClient.invalidateQueries({ queryKey: SECURITY_QUERY_KEY });
    },
    onError: (error) => void message.error(describeError(error, t)),
  });

  return (
    <Card title={t('mfa.method.recovery')}>
      <Flex vertical gap={12} align="flex-start">
        <Typography.Text type="secondary">{t('security.recovery.intro')}</Typography.Text>
        <Statistic title={t('security.recovery.remaining')} value={remaining} styles={{ content: { fontSize: 20 } }} data-testid="recovery-remaining" />
        {remaining === 0 && <Alert type="warning" showIcon title={t('security.recovery.none')} />}
        {remaining > 0 && remaining <= LOW_RECOVERY_CODES && <Alert type="warning" showIcon title={t('security.recovery.low')} />}
        <ConfirmButton
          testId="recovery-regenerate"
          label={t('security.recovery.regenerate')}
          title={t('security.recovery.regenerateTitle')}
          description={t('security.recovery.regenerateHint')}
          okText={t('security.recovery.regenerateOk')}
          loading={regenerate.isPending}
          onConfirm={() => regenerate.mutate()}
        />
      </Flex>
      {/* Shown once; the dialog closes only through the "saved" confirmation. */}
      <Modal open={codes !== null} title={t('recoveryCodes.title')} footer={null} closable={false} mask={{ closable: false }} keyboard={false} destroyOnHidden>
        {codes !== null && <RecoveryCodesPanel codes={codes} username={me.username} doneLabel={t('recoveryCodes.close')} onDone={() => setCodes(null)} />}
      </Modal>
    </Card>
  );
}
