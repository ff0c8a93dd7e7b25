import { useQuery } from '@tanstack/react-query';
import { Button, DatePicker, Form, Input, Select, Space } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect } from 'react';

import type { AuditOutcome } from '../../api/index.js';
import { useT } from '../../i18n/index.js';
import { outcomeLabelKey, useActionLabel } from './audit-labels.js';
import { instantToPickedTime, pickedTimeToInstant } from './audit-time.js';
import { ADDRESS_FILTER } from './audit-query.js';
import { AUDIT_OUTCOMES, fetchAuditActions, type AuditFilter as Filter } from './audit.api.js';

interface FilterValues {
  range?: [Dayjs | null, Dayjs | null] | null;
  actor?: string;
  action?: string;
  clientId?: string;
  outcome?: AuditOutcome;
  ip?: string;
}

function toFormValues(filter: Filter): FilterValues {
  const from = filter.from === undefined ? null : instantToPickedTime(filter.from);
  const to = filter.to === undefined ? null : instantToPickedTime(filter.to);
  return {
    range: from === null && to === null ? null : [from, to],
    actor: filter.actor,
    action: filter.action,
    clientId: filter.clientId,
    outcome: filter.outcome,
    ip: filter.ip,
  };
}

function fromFormValues(values: FilterValues): Filter {
  const [from, to] = values.range ?? [null, null];
  const trimmed = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());
  return {
    from: from ? pickedTimeToInstant(from) : undefined,
    to: to ? pickedTimeToInstant(to) : undefined,
    actor: trimmed(values.actor),
    action: values.action,
    clientId: trimmed(values.clientId),
    outcome: values.outcome,
    ip: trimmed(values.ip),
  };
}

/** Renders the audit filter. Times are picked in Shanghai time (see `audit-time.ts`). */
export function AuditFilterForm({ filter, onChange }: { filter: Filter; onChange: (filter: Filter) => void }) {
  const t = useT();
  const actionLabel = useActionLabel();
  const [form] = Form.useForm<FilterValues>();
  const actions = useQuery({ queryKey: ['audit', 'actions'], queryFn: fetchAuditActions, staleTime: 10 * 60_000 });

  // Back and forward change the address bar, and the form follows it.
  const { from, to, actor, action, clientId, outcome, ip } = filter;
  useEffect(() => {
    form.setFieldsValue(toFormValues({ from, to, actor, action, clientId, outcome, ip }));
  }, [form, from, to, actor, action, clientId, outcome, ip]);

  const actionOptions = (actions.data?.actions ?? []).map((action) => ({ value: action, label: actionLabel(action) }));
  const outcomeOptions = AUDIT_OUTCOMES.map((outcome) => ({ value: outcome, label: t(outcomeLabelKey(outcome)) }));

  return (
    <Form<FilterValues> form={form} layout="inline" initialValues={toFormValues(filter)} onFinish={(values) => onChange(fromFormValues(values))} style={{ rowGap: 12 }}>
      <Form.Item name="range" label={t('audit.filter.time')}>
        <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" allowEmpty={[true, true]} aria-label={t('audit.filter.time')} />
      </Form.Item>
      <Form.Item name="actor" label={t('audit.filter.actor')}>
        <Input allowClear style={{ width: 160 }} />
      </Form.Item>
      <Form.Item name="action" label={t('audit.filter.action')}>
        <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={actionOptions} loading={actions.isPending} style={{ width: 200 }} />
      </Form.Item>
      <Form.Item name="clientId" label={t('audit.filter.clientId')}>
        <Input allowClear style={{ width: 200 }} />
      </Form.Item>
      <Form.Item name="outcome" label={t('audit.filter.outcome')}>
        <Select allowClear options={outcomeOptions} style={{ width: 120 }} />
      </Form.Item>
      <Form.Item name="ip" label={t('audit.filter.ip')} tooltip={t('audit.filter.ipHint')} rules={[{ pattern: ADDRESS_FILTER, transform: (value: string | undefined) => value?.trim(), message: t('audit.filter.ipInvalid') }]}>
        <Input allowClear placeholder="10.0.3.*" style={{ width: 160 }} data-testid="audit-filter-ip" />
      </Form.Item>
      <Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" data-testid="audit-filter-submit">
            {t('audit.filter.submit')}
          </Button>
          <Button onClick={() => onChange(fromFormValues({}))}>
            {t('audit.filter.reset')}
          </Button>
        </Space>
      </Form.Item>
    </Form>
  );
}
