import { useQuery } from '@tanstack/react-query';
import { Alert as AntdAlert, Button, Descriptions, Drawer, Flex, Skeleton, Tag, Typography } from 'antd';
import type { DescriptionsProps } from 'antd';
import type { ReactNode } from 'react';

import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import { IdText } from '../access/IdText.js';
import { memberName } from './alert-text.js';
import { EvidenceTable, NotesTimeline, ResponseLogTable } from './AlertHistory.js';
import { AlertStatusForm } from './AlertStatusForm.js';
import { AlertStatusTag, SeverityTag, useSecurityLabels } from './security-labels.js';
import { alertDetailQueryKey, fetchAlert, type Alert, type AlertDetail } from './security.api.js';

interface AlertDetailDrawerProps {
  /** The row the drawer opened from, shown until the server's copy with the evidence arrives. */
  alert: Alert;
  onClose: () => void;
  /** Narrows the list to the alerts of the same member. */
  onShowMemberAlerts: (userId: string) => void;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Flex vertical gap={12}>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {title}
      </Typography.Title>
      {children}
    </Flex>
  );
}

function useSummaryItems(alert: Alert, onShowMemberAlerts: (userId: string) => void): DescriptionsProps['items'] {
  const t = useT();
  const labels = useSecurityLabels();
  const empty = t('common.empty');
  const member = memberName(alert);
  const facts = Object.entries(alert.facts);

  const memberCell =
    member === null ? (
      empty
    ) : (
      <Flex gap={8} align="center" wrap>
        <span data-testid="alert-member">{member}</span>
        {alert.userId !== null && (
          <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onShowMemberAlerts(alert.userId!)}>
            {t('security.alert.memberAlerts')}
          </Button>
        )}
      </Flex>
    );

  // A security administrator may not open client records, so the client is named, not linked.
  let clientCell: ReactNode = empty;
  if (alert.clientId !== null) clientCell = alert.clientName ?? <IdText id={alert.clientId} />;

  const factsCell =
    facts.length === 0 ? (
      empty
    ) : (
      <Descriptions
        column={1}
        size="small"
        data-testid="alert-facts"
        items={facts.map(([name, value]) => ({ key: name, label: labels.fact(name), children: labels.factValue(name, value) }))}
      />
    );

  const responsesCell =
    alert.responses.length === 0 ? (
      t('security.alert.noResponses')
    ) : (
      <Flex gap={4} wrap>
        {alert.responses.map((kind) => (
          <Tag key={kind}>{labels.response(kind)}</Tag>
        ))}
      </Flex>
    );

  return [
    { key: 'rule', label: t('security.alert.rule'), children: <span data-testid="alert-detail-rule">{labels.rule(alert.rule)}</span> },
    { key: 'severity', label: t('security.alert.severity'), children: <SeverityTag severity={alert.severity} /> },
    { key: 'status', label: t('security.alert.status'), children: <AlertStatusTag status={alert.status} /> },
    { key: 'member', label: t('security.alert.member'), children: memberCell },
    { key: 'client', label: t('security.alert.client'), children: clientCell },
    { key: 'facts', label: t('security.alert.facts'), children: factsCell },
    { key: 'count', label: t('security.alert.count'), children: alert.count },
    { key: 'firstSeenAt', label: t('security.alert.firstSeenAt'), children: formatFirmTime(alert.firstSeenAt) },
    { key: 'lastSeenAt', label: t('security.alert.lastSeenAt'), children: formatFirmTime(alert.lastSeenAt) },
    { key: 'responses', label: t('security.alert.responses'), children: responsesCell },
  ];
}

function DetailSections({ detail }: { detail: AlertDetail }) {
  const t = useT();
  return (
    <>
      <Section title={t('security.alert.handle')}>
        <AlertStatusForm alert={detail} />
      </Section>
      <Section title={t('security.evidence.title', { count: detail.evidence.length })}>
        <EvidenceTable evidence={detail.evidence} />
      </Section>
      <Section title={t('security.notes.title')}>
        <NotesTimeline notes={detail.notes} />
      </Section>
      <Section title={t('security.responseLog.title')}>
        <ResponseLogTable entries={detail.responseLog} />
      </Section>
    </>
  );
}

/** Shows one alert in full: the rule, the member, the evidence, the handling history and the status actions. */
export function AlertDetailDrawer({ alert, onClose, onShowMemberAlerts }: AlertDetailDrawerProps) {
  const t = useT();
  const labels = useSecurityLabels();
  const detail = useQuery({ queryKey: alertDetailQueryKey(alert.id), queryFn: () => fetchAlert(alert.id) });
  const latest: Alert = detail.data ?? alert;
  const summary = useSummaryItems(latest, onShowMemberAlerts);

  let sections;
  if (detail.isPending) {
    sections = <Skeleton active paragraph={{ rows: 6 }} />;
  } else if (detail.isError) {
    sections = (
      <AntdAlert
        type="error"
        showIcon
        title={describeError(detail.error, t)}
        action={
          <Button size="small" onClick={() => void detail.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  } else {
    sections = <DetailSections detail={detail.data} />;
  }

  return (
    <Drawer open onClose={onClose} size="large" title={t('security.alert.title', { rule: labels.rule(latest.rule) })} data-testid="alert-detail">
      <Flex vertical gap={24}>
        <Descriptions column={1} bordered size="small" items={summary} />
        {sections}
      </Flex>
    </Drawer>
  );
}
