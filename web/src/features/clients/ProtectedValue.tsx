import { Button, Flex, Typography } from 'antd';
import { useEffect, useState } from 'react';

import type { FieldView } from '../../api/index.js';
import { useT } from '../../i18n/index.js';
import { FieldText, MONOSPACE } from './FieldText.js';
import type { RevealedValue } from './use-revealed-values.js';

function Countdown({ expiresAt }: { expiresAt: number }) {
  const t = useT();
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);

  const seconds = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  return <Typography.Text type="secondary">{t('reveal.countdown', { seconds })}</Typography.Text>;
}

interface ProtectedValueProps {
  field: FieldView;
  /** The field's reveal path: a client field key or `people.<personId>.<field>`. */
  path: string;
  revealed: RevealedValue | undefined;
  canReveal: boolean;
  onReveal: (path: string, label: string) => void;
  onHide: (path: string) => void;
}

/** Shows a field on the detail page as sent, or revealed for a while, with the reveal action. */
export function ProtectedValue({ field, path, revealed, canReveal, onReveal, onHide }: ProtectedValueProps) {
  const t = useT();

  if (revealed !== undefined) {
    return (
      <Flex wrap align="center" gap={8}>
        <Typography.Text data-testid={`field-${path}`} data-display="revealed" style={MONOSPACE}>
          {revealed.value}
        </Typography.Text>
        <Countdown expiresAt={revealed.expiresAt} />
        <Button type="link" size="small" aria-label={t('reveal.hideLabel', { label: field.label })} onClick={() => onHide(path)}>
          {t('reveal.hide')}
        </Button>
      </Flex>
    );
  }

  // The server decides per field, and `canReveal` is its decision for the client as a whole.
  const showReveal = canReveal && field.revealable && field.display !== 'plain';
  return (
    <Flex wrap align="center" gap={8}>
      <FieldText field={field} testId={`field-${path}`} />
      {showReveal && (
        <Button type="link" size="small" data-testid={`reveal-${path}`} aria-label={t('reveal.buttonLabel', { label: field.label })} onClick={() => onReveal(path, field.label)}>
          {t('reveal.button')}
        </Button>
      )}
    </Flex>
  );
}
