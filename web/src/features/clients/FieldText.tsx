import { Typography } from 'antd';
import type { CSSProperties } from 'react';

import type { FieldView } from '../../api/index.js';
import { useT } from '../../i18n/index.js';

export const MONOSPACE: CSSProperties = { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' };

/**
 * Shows one field as the server sent it: plain text, a masked value in monospace, or a greyed
 * "not permitted" for a hidden field. Never shows more than the server allowed.
 */
export function FieldText({ field, testId }: { field: FieldView | undefined; testId?: string }) {
  const t = useT();

  if (field === undefined) {
    return (
      <Typography.Text type="secondary" data-testid={testId}>
        {t('common.empty')}
      </Typography.Text>
    );
  }

  if (field.display === 'hidden') {
    return (
      <Typography.Text type="secondary" data-testid={testId} data-display="hidden">
        {t('field.notPermitted')}
      </Typography.Text>
    );
  }

  if (field.value === null || field.value === '') {
    return (
      <Typography.Text type="secondary" data-testid={testId} data-display={field.display}>
        {t('common.empty')}
      </Typography.Text>
    );
  }

  return (
    <Typography.Text data-testid={testId} data-display={field.display} style={field.display === 'masked' ? MONOSPACE : undefined}>
      {field.value}
    </Typography.Text>
  );
}
