import { Tooltip, Typography } from 'antd';

import { useT } from '../../i18n/index.js';

// Eight characters tell ids apart in a table, and the tooltip and the copy button carry the whole id.
const SHOWN_LENGTH = 8;

/** Renders an id (of a client, member or department) short, with the full id to read and copy. */
export function IdText({ id }: { id: string }) {
  const t = useT();
  const shortened = id.length > SHOWN_LENGTH + 1 ? `${id.slice(0, SHOWN_LENGTH)}…` : id;

  return (
    <Tooltip title={id}>
      <Typography.Text code copyable={{ text: id, tooltips: [t('common.copy'), t('common.copied')] }}>
        {shortened}
      </Typography.Text>
    </Tooltip>
  );
}
