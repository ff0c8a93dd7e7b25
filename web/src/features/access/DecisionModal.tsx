import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Descriptions, Form, Input, Modal } from 'antd';
import { useState } from 'react';

import { isApiError } from '../../api/index.js';
import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import { isStepUpRequired, useStepUp } from '../auth/step-up.js';
import { ACCESS_REQUESTS_QUERY_KEY, approveAccessRequest, GRANTS_QUERY_KEY, rejectAccessRequest, type AccessRequest } from './access.api.js';
import { MemberText } from './member-names.js';
import { kindLabel, RequestChange, RequestStep } from './request-labels.js';

export type Decision = 'approve' | 'reject';

// The server keeps the first 500 characters of a note.
const MAX_NOTE_LENGTH = 500;

// These mean the request changed under the approver, so the queue is reloaded to show its state.
const STALE_REQUEST_CODES = new Set(['request_expired', 'request_not_pending', 'request_already_decided', 'not_found']);

interface DecisionModalProps {
  request: AccessRequest;
  decision: Decision;
  nameOf: (userId: string) => string | undefined;
  onClose: () => void;
}

/** Shows one request in full and approves or rejects it with an optional note. */
export function DecisionModal({ request, decision, nameOf, onClose }: DecisionModalProps) {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();
  const [form] = Form.useForm<{ note?: string }>();
  const [errorText, setErrorText] = useState<string | null>(null);

  const decide = useMutation({
    mutationFn: (note: string | undefined) => runWithStepUp(() => (decision === 'approve' ? approveAccessRequest(request.id, note) : rejectAccessRequest(request.id, note))),
    onMutate: () => setErrorText(null),
    onSuccess: async (decided) => {
      await queryClient.invalidateQueries({ queryKey: ACCESS_REQUESTS_QUERY_KEY });
      if (decided.status === 'applied') await queryClient.invalidateQueries({ queryKey: GRANTS_QUERY_KEY });

      if (decision === 'reject') void message.success(t('access.decision.rejected'));
      else void message.success(decided.status === 'applied' ? t('access.decision.applied') : t('access.decision.approvedNextStep'));
      onClose();
    },
    onError: (error) => {
      setErrorText(describeError(error, t));
      if (isApiError(error) && STALE_REQUEST_CODES.has(error.code)) void queryClient.invalidateQueries({ queryKey: ACCESS_REQUESTS_QUERY_KEY });
    },
  });

  const submit = ({ note }: { note?: string }) => {
    const trimmed = note?.trim() ?? '';
    decide.mutate(trimmed === '' ? undefined : trimmed);
  };

  return (
    <Modal
      open
      title={t(decision === 'approve' ? 'access.decision.approveTitle' : 'access.decision.rejectTitle', { kind: kindLabel(request.kind, t) })}
      onCancel={onClose}
      destroyOnHidden
      width={640}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" danger={decision === 'reject'} loading={decide.isPending} data-testid="request-decision-submit" onClick={() => form.submit()}>
          {t(decision === 'approve' ? 'access.approve' : 'access.reject')}
        </Button>,
      ]}
    >
      <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('access.column.beneficiary')}>
          <MemberText userId={request.beneficiaryId} nameOf={nameOf} />
        </Descriptions.Item>
        <Descriptions.Item label={t('access.column.filedBy')}>
          <MemberText userId={request.filedBy} nameOf={nameOf} />
        </Descriptions.Item>
        <Descriptions.Item label={t('access.column.change')}>
          <RequestChange request={request} />
        </Descriptions.Item>
        <Descriptions.Item label={t('access.column.reason')}>{request.reason}</Descriptions.Item>
        <Descriptions.Item label={t('access.column.step')}>
          <RequestStep request={request} />
        </Descriptions.Item>
        <Descriptions.Item label={t('access.column.expiresAt')}>{formatFirmTime(request.expiresAt)}</Descriptions.Item>
      </Descriptions>
      <Form form={form} layout="vertical" disabled={decide.isPending} onFinish={submit}>
        <Form.Item name="note" label={t('access.decision.note')} extra={t('access.decision.noteHint')}>
          <Input.TextArea data-testid="request-note" rows={3} maxLength={MAX_NOTE_LENGTH} showCount autoFocus />
        </Form.Item>
      </Form>
      {/* A step-up cancelled in its prompt leaves `step_up_required` here, which is a warning, not a failure. */}
      {errorText !== null && <Alert type={isStepUpRequired(decide.error) ? 'warning' : 'error'} showIcon title={errorText} data-testid="request-decision-error" />}
    </Modal>
  );
}
