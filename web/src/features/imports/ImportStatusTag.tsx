import { Tag } from 'antd';

import type { ImportStatus } from '../../api/index.js';
import { useT, type MessageKey } from '../../i18n/index.js';

const STATUS: Record<ImportStatus, { label: MessageKey; color: string }> = {
  queued: { label: 'imports.status.queued', color: 'default' },
  running: { label: 'imports.status.running', color: 'processing' },
  done: { label: 'imports.status.done', color: 'success' },
  failed: { label: 'imports.status.failed', color: 'error' },
};

export function ImportStatusTag({ status }: { status: ImportStatus }) {
  const t = useT();
  const { label, color } = STATUS[status];
  return <Tag color={color}>{t(label)}</Tag>;
}
