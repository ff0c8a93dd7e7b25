import { useQuery } from '@tanstack/react-query';
import { Alert, Descriptions, Drawer, Skeleton, Typography } from 'antd';
import { Link } from 'react-router';

import { describeError } from '../../app/describe-error.js';
import { useT } from '../../i18n/index.js';
import { OutcomeTag, useActionLabel, useFieldLabel } from './audit-labels.js';
import { formatAuditTime } from './audit-time.js';
import { fetchAuditEvent, type AuditEventDetail } from './audit.api.js';

/**
 * Shows every recorded property of one audit event in a drawer, loaded from the server in full.
 * The server records each load, so an event once loaded is kept and not fetched again.
 */
export function AuditEventDrawer({ seq, onClose }: { seq: number | null; onClose: () => void }) {
  const t = useT();
  const event = useQuery({
    queryKey: ['audit', 'event', seq],
    queryFn: () => fetchAuditEvent(seq ?? 0),
    enabled: seq !== null,
    staleTime: Infinity,
  });

  return (
    <Drawer open={seq !== null} onClose={onClose} size="large" title={seq === null ? '' : t('audit.event.title', { seq })} data-testid="audit-event-drawer">
      {event.isPending && seq !== null && <Skeleton active paragraph={{ rows: 10 }} />}
      {event.isError && <Alert type="error" showIcon title={describeError(event.error, t)} data-testid="audit-event-error" />}
      {event.data !== undefined && <EventDescriptions event={event.data} />}
    </Drawer>
  );
}

function EventDescriptions({ event }: { event: AuditEventDetail }) {
  const t = useT();
  const actionLabel = useActionLabel();
  const fieldLabel = useFieldLabel();

  const empty = t('common.empty');
  const orEmpty = (value: string | number | null) => (value === null || value === '' ? empty : value);
  // A hash is 64 hex digits with no break opportunity, so it may wrap anywhere to fit the drawer.
  const hash = (value: string) => (
    <Typography.Text copyable style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12, wordBreak: 'break-all' }}>
      {value}
    </Typography.Text>
  );

  const items = [
    { key: 'seq', label: t('audit.event.seq'), children: event.seq },
    { key: 'occurredAt', label: t('audit.column.time'), children: `${formatAuditTime(event.occurredAt)} (${event.occurredAt})` },
    { key: 'actor', label: t('audit.column.actor'), children: event.actorUsername === null ? orEmpty(event.actorId) : `${event.actorUsername} (${event.actorId ?? empty})` },
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
    { key: 'target', label: t('audit.event.target'), children: event.targetType === null ? empty : `${event.targetType}: ${event.targetId ?? ''}` },
    {
      key: 'client',
      label: t('audit.column.client'),
      children:
        event.clientId === null ? (
          empty
        ) : (
          <>
            <Link to={`/clients/${encodeURIComponent(event.clientId)}`}>{event.clientName ?? event.clientId}</Link> <Typography.Text type="secondary">{event.clientId}</Typography.Text>
          </>
        ),
    },
    { key: 'fields', label: t('audit.column.fields'), children: event.fields.length === 0 ? empty : event.fields.map(fieldLabel).join(t('common.listSeparator')) },
    { key: 'reason', label: t('audit.column.reason'), children: orEmpty(event.reason) },
    { key: 'ip', label: t('audit.event.ip'), children: orEmpty(event.ip) },
    { key: 'userAgent', label: t('audit.event.userAgent'), children: orEmpty(event.userAgent) },
    {
      key: 'details',
      label: t('audit.event.details'),
      children: <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{JSON.stringify(event.details, null, 2)}</pre>,
    },
    { key: 'prevHash', label: t('audit.event.prevHash'), children: hash(event.prevHash) },
    { key: 'hash', label: t('audit.event.hash'), children: hash(event.hash) },
  ];

  return <Descriptions column={1} bordered size="small" items={items} styles={{ label: { width: 128, whiteSpace: 'nowrap' } }} data-testid="audit-event-details" />;
}
