import { Tag } from 'antd';

import { formatFirmTime } from '../../app/firm-time.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import type { AlertSeverity, AlertStatus, DeliveryStatus } from './security.api.js';

const SEVERITY_TAGS: Readonly<Record<AlertSeverity, { label: MessageKey; color: string }>> = {
  low: { label: 'security.severity.low', color: 'default' },
  medium: { label: 'security.severity.medium', color: 'gold' },
  high: { label: 'security.severity.high', color: 'orange' },
  critical: { label: 'security.severity.critical', color: 'red' },
};

const STATUS_TAGS: Readonly<Record<AlertStatus, { label: MessageKey; color: string }>> = {
  new: { label: 'security.status.new', color: 'error' },
  acknowledged: { label: 'security.status.acknowledged', color: 'processing' },
  resolved: { label: 'security.status.resolved', color: 'success' },
  false_positive: { label: 'security.status.false_positive', color: 'default' },
};

const DELIVERY_TAGS: Readonly<Record<DeliveryStatus, { label: MessageKey; color: string }>> = {
  pending: { label: 'security.delivery.status.pending', color: 'processing' },
  sent: { label: 'security.delivery.status.sent', color: 'success' },
  failed: { label: 'security.delivery.status.failed', color: 'error' },
};

export function severityLabelKey(severity: AlertSeverity): MessageKey {
  return SEVERITY_TAGS[severity].label;
}

export function statusLabelKey(status: AlertStatus): MessageKey {
  return STATUS_TAGS[status].label;
}

export function deliveryStatusLabelKey(status: DeliveryStatus): MessageKey {
  return DELIVERY_TAGS[status].label;
}

// A value added on the server after this build shows as its raw name in a plain tag rather than failing.
function KnownTag<Value extends string>({ tags, value, testId }: { tags: Readonly<Record<Value, { label: MessageKey; color: string }>>; value: string; testId: string }) {
  const { t } = useI18n();
  const known = Object.hasOwn(tags, value) ? tags[value as Value] : undefined;

  return (
    <Tag color={known?.color ?? 'default'} data-testid={testId} data-value={value} style={{ marginInlineEnd: 0 }}>
      {known === undefined ? value : t(known.label)}
    </Tag>
  );
}

export function SeverityTag({ severity }: { severity: string }) {
  return <KnownTag tags={SEVERITY_TAGS} value={severity} testId="alert-severity" />;
}

export function AlertStatusTag({ status }: { status: string }) {
  return <KnownTag tags={STATUS_TAGS} value={status} testId="alert-status" />;
}

export function DeliveryStatusTag({ status }: { status: string }) {
  return <KnownTag tags={DELIVERY_TAGS} value={status} testId="delivery-status" />;
}

// Facts such as `lastSignInAt` carry instants, which read better in the firm's time.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * Returns functions that name rules, rule parameters, automatic responses, alert facts and chain
 * problems in the interface language. Each falls back to the raw key, so a rule or parameter the
 * server adds later still shows.
 */
export function useSecurityLabels() {
  const { t, findMessage } = useI18n();
  const lookup = (prefix: string) => (key: string) => findMessage(`${prefix}.${key}`) ?? key;

  // A coded value (a reason, a kind of day, an audit action) is named; other values show as they are.
  const factValue = (name: string, value: string | number): string => {
    if (typeof value === 'number') return String(value);
    if (value === '') return t('common.empty');
    if (INSTANT.test(value)) return formatFirmTime(value) ?? value;
    if (name === 'action') return findMessage(`audit.action.${value}`) ?? value;
    return findMessage(`security.factValue.${name}.${value}`) ?? value;
  };

  // The server writes a response's detail as machine-readable parts, such as `sessions_ended=2, last_administrator=security_admin`.
  const responseDetail = (detail: string): string =>
    detail
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const [name = '', value = ''] = part.split('=', 2);
        const key = `security.responseDetail.${name}`;
        if (findMessage(key) === undefined) return part;
        const displayedValue = name === 'last_administrator' ? (findMessage(`role.${value}`) ?? value) : value;
        return t(key as MessageKey, { value: displayedValue });
      })
      .join(t('common.listSeparator'));

  return {
    rule: lookup('security.rule'),
    ruleDescription: (key: string) => findMessage(`security.ruleDescription.${key}`),
    param: lookup('security.param'),
    paramHint: (name: string) => findMessage(`security.paramHint.${name}`),
    response: lookup('security.response'),
    responseOutcome: lookup('security.responseOutcome'),
    fact: lookup('security.fact'),
    factValue,
    responseDetail,
    problem: lookup('security.chain.problem'),
  };
}
