import { Flex, Steps, Typography } from 'antd';

import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import type { AccessRequestDetail, RequestDecision } from './access.api.js';
import { useApproverLabel } from './request-labels.js';

type StepStatus = 'wait' | 'process' | 'finish' | 'error';

function stepStatus(request: AccessRequestDetail, index: number, decision: RequestDecision | undefined): StepStatus {
  if (decision?.decision === 'approved') return 'finish';
  if (decision?.decision === 'rejected') return 'error';
  return request.status === 'pending' && index === request.currentStep ? 'process' : 'wait';
}

/** Renders one decision: who took it and when, and the approver's note as they wrote it. */
function DecisionText({ decision }: { decision: RequestDecision }) {
  const t = useT();
  const values = { name: decision.approverName, time: formatFirmTime(decision.decidedAt) ?? '' };

  return (
    <Flex vertical gap={4} data-testid="request-decision" data-decision={decision.decision}>
      <Typography.Text type="secondary">{t(decision.decision === 'approved' ? 'access.detail.approvedBy' : 'access.detail.rejectedBy', values)}</Typography.Text>
      {decision.note === null || decision.note === '' ? (
        <Typography.Text type="secondary">{t('access.detail.noNote')}</Typography.Text>
      ) : (
        <Typography.Paragraph data-testid="request-decision-note" style={{ marginBottom: 0, whiteSpace: 'pre-wrap' }}>
          {t('access.detail.note', { note: decision.note })}
        </Typography.Paragraph>
      )}
    </Flex>
  );
}

/**
 * Renders a request's approval steps in order, each with its decision and note. A step without a
 * decision is the one waiting (while the request is pending) or one never reached.
 */
export function ApprovalTimeline({ request }: { request: AccessRequestDetail }) {
  const t = useT();
  const approverLabel = useApproverLabel();

  // A decision on a step that the request no longer lists still gets a row, so no decision is hidden.
  const decisionSteps = request.decisions.map((decision) => decision.step + 1);
  const count = Math.max(request.steps.length, ...decisionSteps);

  const items = Array.from({ length: count }, (_, index) => {
    const decision = request.decisions.find((candidate) => candidate.step === index);
    const status = stepStatus(request, index, decision);
    const approver = approverLabel(request.steps[index]) ?? t('common.empty');

    let content;
    if (decision !== undefined) content = <DecisionText decision={decision} />;
    else if (status === 'process') content = <Typography.Text type="secondary">{t('access.detail.waiting')}</Typography.Text>;

    return { key: String(index), status, title: t('access.detail.stepTitle', { step: index + 1, approver }), content };
  });

  if (items.length === 0) return <Typography.Text type="secondary">{t('access.detail.noSteps')}</Typography.Text>;
  return <Steps orientation="vertical" size="small" items={items} data-testid="request-steps" />;
}
