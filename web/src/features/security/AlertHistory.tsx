import { Empty, Flex, Table, Timeline, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';

import type { AuditOutcome } from '../../api/index.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { TruncatedText } from '../../app/TruncatedText.js';
import { useT } from '../../i18n/index.js';
import { OutcomeTag, useActionLabel } from '../audit/audit-labels.js';
import { AlertStatusTag, useSecurityLabels } from './security-labels.js';
import type { AlertNote, EvidenceEvent, ResponseLogEntry } from './security.api.js';

function EmptyCell() {
  const t = useT();
  return <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;
}

/** Lists the audit events that made the rule fire, each with its full recorded details on expansion. */
export function EvidenceTable({ evidence }: { evidence: EvidenceEvent[] }) {
  const t = useT();
  const actionLabel = useActionLabel();

  const columns: ColumnsType<EvidenceEvent> = [
    { key: 'seq', title: t('security.evidence.seq'), width: 80, render: (_, event) => event.seq },
    { key: 'occurredAt', title: t('security.evidence.occurredAt'), width: 170, render: (_, event) => <span style={{ whiteSpace: 'nowrap' }}>{formatFirmTime(event.occurredAt)}</span> },
    { key: 'actor', title: t('security.evidence.actor'), width: 120, ellipsis: { showTitle: false }, render: (_, event) => (event.actorUsername === null ? <EmptyCell /> : <TruncatedText text={event.actorUsername} />) },
    { key: 'action', title: t('security.evidence.action'), width: 150, ellipsis: { showTitle: false }, render: (_, event) => <TruncatedText text={actionLabel(event.action)} /> },
    { key: 'outcome', title: t('security.evidence.outcome'), width: 95, render: (_, event) => <OutcomeTag outcome={event.outcome as AuditOutcome} /> },
    { key: 'client', title: t('security.evidence.client'), width: 150, ellipsis: { showTitle: false }, render: (_, event) => (event.clientId === null ? <EmptyCell /> : <TruncatedText text={event.clientName ?? event.clientId} />) },
    { key: 'ip', title: t('security.evidence.ip'), width: 130, render: (_, event) => event.ip ?? <EmptyCell /> },
    { key: 'userAgent', title: t('security.evidence.userAgent'), ellipsis: { showTitle: false }, render: (_, event) => (event.userAgent === null ? <EmptyCell /> : <TruncatedText text={event.userAgent} />) },
  ];

  return (
    <Table<EvidenceEvent>
      data-testid="alert-evidence"
      rowKey="seq"
      size="small"
      columns={columns}
      dataSource={evidence}
      scroll={{ x: 1000 }}
      locale={{ emptyText: t('security.evidence.empty') }}
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      expandable={{
        rowExpandable: (event) => event.details !== null && Object.keys(event.details).length > 0,
        expandedRowRender: (event) => <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{JSON.stringify(event.details, null, 2)}</pre>,
      }}
    />
  );
}

/** Shows who moved the alert from which status to which, when, and the note they left. */
export function NotesTimeline({ notes }: { notes: AlertNote[] }) {
  const t = useT();
  if (notes.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('security.notes.empty')} />;

  const items = notes.map((note, index) => ({
    key: `${note.at}-${index}`,
    content: (
      <Flex vertical gap={4} data-testid="alert-note-entry">
        <Flex gap={8} align="center" wrap>
          <Typography.Text type="secondary">{formatFirmTime(note.at)}</Typography.Text>
          <Typography.Text strong>{note.username ?? t('common.empty')}</Typography.Text>
          <AlertStatusTag status={note.from} />
          <span aria-hidden="true">→</span>
          <AlertStatusTag status={note.to} />
        </Flex>
        {note.note !== '' && <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{note.note}</Typography.Paragraph>}
      </Flex>
    ),
  }));

  return <Timeline items={items} />;
}

/** Lists the automatic responses the rule took for this alert and how each went. */
export function ResponseLogTable({ entries }: { entries: ResponseLogEntry[] }) {
  const t = useT();
  const labels = useSecurityLabels();

  const columns: ColumnsType<ResponseLogEntry> = [
    { key: 'at', title: t('security.responseLog.at'), width: 170, render: (_, entry) => <span style={{ whiteSpace: 'nowrap' }}>{formatFirmTime(entry.at)}</span> },
    { key: 'kind', title: t('security.responseLog.kind'), width: 200, render: (_, entry) => labels.response(entry.kind) },
    { key: 'outcome', title: t('security.responseLog.outcome'), width: 110, render: (_, entry) => labels.responseOutcome(entry.outcome) },
    { key: 'detail', title: t('security.responseLog.detail'), ellipsis: { showTitle: false }, render: (_, entry) => (entry.detail === null || entry.detail === '' ? <EmptyCell /> : <TruncatedText text={labels.responseDetail(entry.detail)} />) },
  ];

  return <Table<ResponseLogEntry> data-testid="alert-response-log" rowKey={(entry) => `${entry.kind}-${entry.at}`} size="small" columns={columns} dataSource={entries} pagination={false} locale={{ emptyText: t('security.responseLog.empty') }} />;
}
