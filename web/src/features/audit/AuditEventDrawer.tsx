import { Descriptions, Drawer, Typography } from 'antd';
import { Link } from 'react-router';

import type { AuditEvent } from '../../api/index.js';
import { useT } from '../../i18n/index.js';
import { OutcomeTag, useActionLabel, useFieldLabel } from './audit-labels.js';
import { formatAuditTime } from './audit-time.js';

/** Shows every recorded property of one audit event in a drawer. */
export function AuditEventDrawer({ event, onClose }: { event: AuditEvent | null; onClose: () => void }) {
  const t = useT();
  const actionLabel = useActionLabel();
  const fieldLabel = useFieldLabel();

  const orEmpty = (value: string | number | null) => (value === null || value === '' ? t('common.empty') : value);

  const items =
    event === null
      ? []
      : [
          { key: 'seq', label: t('audit.event.seq'), children: event.seq },
          { key: 'occurredAt', label: t('audit.column.time'), children: formatAuditTime(event.occurredAt) },
          { key: 'actor', label: t('audit.column.actor'), children: event.actorUsername === null ? orEmpty(event.actorId) : `${event.actorUsername} (${event.actorId ?? ''})` },
          {
            key: 'action',
            label: t('audit.column.action'),
            children: (
              <>
                {actionLabel(event.action)} <Typography.Text code>{event.action}</Typography.Text>
              </>
            ),
          },
          { key: 'outcome', label: t('audit.column.outcome'), children: <OutcomeTag outcome={event.outcome} /> },
          { key: 'target', label: t('audit.event.target'), children: event.targetType === null ? t('common.empty') : `${event.targetType}: ${event.targetId ?? ''}` },
          {
            key: 'client',
            label: t('audit.column.client'),
            children: event.clientId === null ? t('common.empty') : <Link to={`/clients/${encodeURIComponent(event.clientId)}`}>{event.clientName ?? event.clientId}</Link>,
          },
          { key: 'fields', label: t('audit.column.fields'), children: event.fields.length === 0 ? t('common.empty') : event.fields.map(fieldLabel).join(t('common.listSeparator')) },
          { key: 'reason', label: t('audit.column.reason'), children: orEmpty(event.reason) },
          { key: 'ip', label: t('audit.event.ip'), children: orEmpty(event.ip) },
          { key: 'userAgent', label: t('audit.event.userAgent'), children: orEmpty(event.userAgent) },
          {
            key: 'details',
            label: t('audit.event.details'),
            children: <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{JSON.stringify(event.details, null, 2)}</pre>,
          },
        ];

  return (
    <Drawer open={event !== null} onClose={onClose} size="large" title={event === null ? '' : t('audit.event.title', { seq: event.seq })} data-testid="audit-event-drawer">
      <Descriptions column={1} bordered size="small" items={items} />
    </Drawer>
  );
}
