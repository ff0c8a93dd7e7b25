import { Alert, App as AntdApp, Button, Checkbox, Flex, Typography } from 'antd';
import { useState } from 'react';

import { formatFirmTime } from '../../../app/firm-time.js';
import { copyText, downloadTextFile } from '../../../app/save-text.js';
import { useT } from '../../../i18n/index.js';

const FILE_NAME = 'ledgerguard-recovery-codes.txt';

interface RecoveryCodesPanelProps {
  codes: readonly string[];
  /** The account the codes belong to, written into the downloaded file. */
  username: string;
  doneLabel: string;
  onDone: () => void;
}

/**
 * Shows new recovery codes, which the server returns only this once, with copy and download.
 * The member must confirm saving them before going on.
 */
export function RecoveryCodesPanel({ codes, username, doneLabel, onDone }: RecoveryCodesPanelProps) {
  const t = useT();
  const { message } = AntdApp.useApp();
  const [saved, setSaved] = useState(false);

  const copy = async () => {
    try {
      await copyText(codes.join('\n'));
      void message.success(t('recoveryCodes.copied'));
    } catch {
      void message.error(t('recoveryCodes.copyFailed'));
    }
  };

  const download = () => {
    const header = t('recoveryCodes.fileHeader', { username, time: formatFirmTime(new Date().toISOString()) ?? '' });
    downloadTextFile(FILE_NAME, `${header}\n\n${codes.join('\n')}\n`);
  };

  return (
    <Flex vertical gap={16}>
      <Alert type="warning" showIcon title={t('recoveryCodes.onceTitle')} description={t('recoveryCodes.onceHint')} />
      <ol
        data-testid="recovery-codes"
        aria-label={t('recoveryCodes.listLabel')}
        style={{ display: 'grid', gridTemplateColumns: 'repeat(2, minmax(0, 1fr))', gap: '8px 24px', margin: 0, paddingInlineStart: 28, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 15 }}
      >
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <Flex gap={8} wrap>
        <Button data-testid="recovery-codes-copy" onClick={() => void copy()}>
          {t('recoveryCodes.copy')}
        </Button>
        <Button data-testid="recovery-codes-download" onClick={download}>
          {t('recoveryCodes.download')}
        </Button>
      </Flex>
      <Checkbox data-testid="recovery-codes-saved" checked={saved} onChange={(event) => setSaved(event.target.checked)}>
        {t('recoveryCodes.saved')}
      </Checkbox>
      <Typography.Text type="secondary">{t('recoveryCodes.usage')}</Typography.Text>
      <Button type="primary" block disabled={!saved} data-testid="recovery-codes-done" onClick={onDone}>
        {doneLabel}
      </Button>
    </Flex>
  );
}
