import { Flex, Typography } from 'antd';

import { useT } from '../../../i18n/index.js';
import type { TotpSetup } from '../mfa.api.js';
import { CodeForm } from './CodeForm.js';

interface TotpSetupPanelProps {
  setup: TotpSetup;
  /** Prefix of the test ids: `<prefix>-totp-qr`, `-totp-secret`, `-totp-code` and `-totp-confirm`. */
  testIdPrefix: string;
  confirmLabel: string;
  /** Sends the first code from the app, which proves the secret arrived intact. */
  onConfirm: (code: string) => Promise<unknown>;
  onError?: (error: unknown) => boolean;
}

/**
 * Turns the server's SVG into an image URL. An SVG loaded through `<img>` runs no script and
 * fetches nothing, unlike markup put into the page, so a tampered response cannot reach the DOM.
 * Returns `null` for anything that is not an SVG document.
 */
function toSvgDataUrl(svg: string): string | null {
  const trimmed = svg.trimStart();
  if (!trimmed.startsWith('<svg') && !trimmed.startsWith('<?xml')) return null;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(trimmed)}`;
}

/** Splits a base32 secret into groups of four, the way authenticator apps show them. */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

/** Shows a new TOTP secret as a QR code and as text, then takes the first code to confirm it. */
export function TotpSetupPanel({ setup, testIdPrefix, confirmLabel, onConfirm, onError }: TotpSetupPanelProps) {
  const t = useT();
  const qrUrl = toSvgDataUrl(setup.qrSvg);

  // Only an otpauth URI may become a link: on a phone it opens the authenticator app directly.
  const canOpenInApp = setup.otpauthUri.startsWith('otpauth://totp/');

  return (
    <Flex vertical gap={12}>
      <Typography.Text>{t('totp.setup.scan')}</Typography.Text>
      {qrUrl !== null && (
        <Flex justify="center">
          <img data-testid={`${testIdPrefix}-totp-qr`} src={qrUrl} alt={t('totp.setup.qrAlt')} width={192} height={192} style={{ border: '1px solid #f0f0f0', padding: 8, background: '#fff' }} />
        </Flex>
      )}
      <Typography.Text type="secondary">{t('totp.setup.manual')}</Typography.Text>
      <Typography.Text
        data-testid={`${testIdPrefix}-totp-secret`}
        code
        copyable={{ text: setup.secret.replace(/\s/g, ''), tooltips: [t('common.copy'), t('common.copied')] }}
        style={{ fontSize: 16, letterSpacing: 1 }}
      >
        {groupSecret(setup.secret)}
      </Typography.Text>
      {canOpenInApp && (
        <Typography.Link href={setup.otpauthUri} data-testid={`${testIdPrefix}-totp-open`}>
          {t('totp.setup.openInApp')}
        </Typography.Link>
      )}
      <CodeForm
        kind="totp"
        label={t('totp.setup.codeLabel')}
        inputTestId={`${testIdPrefix}-totp-code`}
        submitTestId={`${testIdPrefix}-totp-confirm`}
        submitLabel={confirmLabel}
        onSubmit={onConfirm}
        onError={onError}
      />
    </Flex>
  );
}
