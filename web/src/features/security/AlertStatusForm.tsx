import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Flex, Form, Input, Typography } from 'antd';
import { useState } from 'react';

import { isApiError } from '../../api/index.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { statusLabelKey } from './security-labels.js';
import { ALERTS_QUERY_KEY, alertDetailQueryKey, ALERT_COUNTS_QUERY_KEY, setAlertStatus, type AlertDecision, type AlertDetail, type AlertStatus } from './security.api.js';

/** The minimum note length, in characters after trimming, that the server accepts for closing an alert. */
export const MIN_CLOSING_NOTE = 4;
// The server accepts notes of up to 2000 characters.
const MAX_NOTE_LENGTH = 2000;

// The status flow: new → acknowledged → resolved or false positive; the last two are final.
const NEXT_STATUSES: Readonly<Record<AlertStatus, readonly AlertDecision[]>> = {
  new: ['acknowledged', 'resolved', 'false_positive'],
  acknowledged: ['resolved', 'false_positive'],
  resolved: [],
  false_positive: [],
};

const NEEDS_NOTE: ReadonlySet<AlertDecision> = new Set(['resolved', 'false_positive']);

const BUTTON_TEXT = {
  acknowledged: 'security.alert.acknowledge',
  resolved: 'security.alert.resolve',
  false_positive: 'security.alert.falsePositive',
} as const;

/** Moves an alert along its status flow with a note, showing only the steps its current status allows. */
export function AlertStatusForm({ alert }: { alert: AlertDetail }) {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const [form] = Form.useForm<{ note?: string }>();
  const [errorText, setErrorText] = useState<string | null>(null);

  const change = useMutation({
    mutationFn: (body: { status: AlertDecision; note: string }) => setAlertStatus(alert.id, body),
    onMutate: () => setErrorText(null),
    onSuccess: (updated) => {
      queryClient.setQueryData(alertDetailQueryKey(alert.id), updated);
      form.resetFields();
      void message.success(t('security.alert.updated', { status: t(statusLabelKey(updated.status)) }));
      // The form is usable again at once; the list and counts reload behind it.
      void queryClient.invalidateQueries({ queryKey: ALERTS_QUERY_KEY });
      void queryClient.invalidateQueries({ queryKey: ALERT_COUNTS_QUERY_KEY });
    },
    onError: (error) => {
      setErrorText(showServerErrorAtFields({ form, error, t, fields: ['note'] }));

      // Someone else moved the alert meanwhile, so the drawer reloads to show its current status.
      if (isApiError(error) && (error.code === 'alert_transition_invalid' || error.code === 'not_found')) void queryClient.invalidateQueries({ queryKey: ALERTS_QUERY_KEY });
    },
  });

  const next = NEXT_STATUSES[alert.status] ?? [];
  if (next.length === 0) {
    return <Alert type="info" showIcon title={t('security.alert.final', { status: t(statusLabelKey(alert.status)) })} data-testid="alert-final" />;
  }

  const submit = (status: AlertDecision) => {
    const note = (form.getFieldValue('note') as string | undefined)?.trim() ?? '';
    if (NEEDS_NOTE.has(status) && note.length < MIN_CLOSING_NOTE) {
      form.setFields([{ name: 'note', errors: [t('security.alert.noteTooShort', { min: MIN_CLOSING_NOTE })] }]);
      return;
    }

    form.setFields([{ name: 'note', errors: [] }]);
    change.mutate({ status, note });
  };

  return (
    <Flex vertical gap={8}>
      <Form form={form} layout="vertical" disabled={change.isPending}>
        <Form.Item name="note" label={t('security.alert.note')} extra={t('security.alert.noteHint', { min: MIN_CLOSING_NOTE })} style={{ marginBottom: 12 }}>
          <Input.TextArea data-testid="alert-note" rows={3} maxLength={MAX_NOTE_LENGTH} showCount />
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type="error" showIcon title={errorText} data-testid="alert-status-error" />}
      <Flex gap={8} wrap>
        {next.map((status) => (
          <Button
            key={status}
            type={status === 'acknowledged' ? 'primary' : 'default'}
            data-testid={`alert-set-${status}`}
            loading={change.isPending && change.variables.status === status}
            disabled={change.isPending}
            onClick={() => submit(status)}
          >
            {t(BUTTON_TEXT[status])}
          </Button>
        ))}
      </Flex>
      <Typography.Text type="secondary">{t('security.alert.flowHint')}</Typography.Text>
    </Flex>
  );
}
