import { Flex, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';

import { formatFirmTime } from '../../app/firm-time.js';
import { useI18n, type MessageKey, type Translate } from '../../i18n/index.js';
import type { AccessRequest, ApprovalStep, RequestKind, RequestStatus } from './access.api.js';
import { IdText } from './IdText.js';

const KIND_LABELS: Readonly<Record<RequestKind, MessageKey>> = {
  role_grant: 'access.kind.roleGrant',
  role_revoke: 'access.kind.roleRevoke',
  department_change: 'access.kind.departmentChange',
  assignment_add: 'access.kind.assignmentAdd',
  assignment_remove: 'access.kind.assignmentRemove',
  temporary_grant: 'access.kind.temporaryGrant',
  break_glass_review: 'access.kind.breakGlassReview',
  department_share: 'access.kind.departmentShare',
};

const STATUS_TAGS: Readonly<Record<RequestStatus, { label: MessageKey; color: string }>> = {
  pending: { label: 'access.status.pending', color: 'processing' },
  applied: { label: 'access.status.applied', color: 'success' },
  rejected: { label: 'access.status.rejected', color: 'error' },
  withdrawn: { label: 'access.status.withdrawn', color: 'default' },
  expired: { label: 'access.status.expired', color: 'warning' },
};

const CATEGORY_LABELS: Readonly<Record<string, MessageKey>> = {
  basic: 'client.group.basic',
  financial: 'client.group.financial',
  sensitive: 'client.group.sensitive',
};

const ACTION_LABELS: Readonly<Record<string, MessageKey>> = {
  'client:list': 'access.action.list',
  'client:read': 'access.action.read',
  'client:reveal': 'access.action.reveal',
};

// A kind, category or action added on the server after this build shows as its key rather than failing.
function labelOf(labels: Readonly<Record<string, MessageKey>>, key: string, t: Translate): string {
  return Object.hasOwn(labels, key) ? t(labels[key]!) : key;
}

export function kindLabel(kind: string, t: Translate): string {
  return labelOf(KIND_LABELS, kind, t);
}

export function categoryLabel(category: string, t: Translate): string {
  return labelOf(CATEGORY_LABELS, category, t);
}

export function actionLabel(action: string, t: Translate): string {
  return labelOf(ACTION_LABELS, action, t);
}

/** Returns a role's name in the interface language, or its key for a role this build does not know. */
export function useRoleLabel(): (role: string) => string {
  const { findMessage } = useI18n();
  return (role) => findMessage(`role.${role}`) ?? role;
}

export function RequestStatusTag({ request }: { request: AccessRequest }) {
  const { t } = useI18n();
  const tag = Object.hasOwn(STATUS_TAGS, request.status) ? STATUS_TAGS[request.status] : { label: undefined, color: 'default' };

  return (
    <Flex gap={4} wrap>
      <Tag color={tag.color} data-testid="request-status" data-status={request.status}>
        {tag.label === undefined ? request.status : t(tag.label)}
      </Tag>
      {request.autoApproved && <Tag>{t('access.status.autoApproved')}</Tag>}
    </Flex>
  );
}

/** Returns a function naming who decides a step, or `undefined` for a step this build cannot read. */
export function useApproverLabel(): (step: ApprovalStep | undefined) => string | undefined {
  const { t } = useI18n();
  const roleLabel = useRoleLabel();
  return (step) => {
    if (step?.approver === 'role') return roleLabel(step.role);
    if (step?.approver === 'department_manager') return t('access.approver.departmentManager');
    if (step?.approver === 'owning_department_manager') return t('access.approver.owningDepartmentManager');
    return undefined;
  };
}

/** Renders the step a request is at ("1/2") and, while it is pending, who decides next. */
export function RequestStep({ request }: { request: AccessRequest }) {
  const { t } = useI18n();
  const approverLabel = useApproverLabel();

  const current = request.status === 'applied' ? request.stepCount : Math.min(request.currentStep + 1, request.stepCount);
  const approver = approverLabel(request.steps[request.currentStep]);

  return (
    <Flex vertical>
      <span data-testid="request-step">{t('access.step.progress', { current, count: request.stepCount })}</span>
      {request.status === 'pending' && approver !== undefined && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('access.step.waitingFor', { approver })}
        </Typography.Text>
      )}
    </Flex>
  );
}

function stringOf(payload: Record<string, unknown>, key: string): string | undefined {
  const value = payload[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function stringsOf(payload: Record<string, unknown>, key: string): string[] {
  const value = payload[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Renders one labelled line of a change, such as "客户：<id>". */
function ChangeLine({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Flex gap={4} align="baseline" wrap>
      <Typography.Text type="secondary">{label}</Typography.Text>
      {children}
    </Flex>
  );
}

/** Renders what a request changes once applied, from its kind and payload. */
export function RequestChange({ request }: { request: AccessRequest }) {
  const { t } = useI18n();
  const roleLabel = useRoleLabel();
  const { payload } = request;
  const empty = t('common.empty');

  const role = stringOf(payload, 'role');
  const clientId = stringOf(payload, 'clientId');
  const departmentId = stringOf(payload, 'departmentId');

  switch (request.kind) {
    case 'role_grant':
    case 'role_revoke':
      return <ChangeLine label={t('access.change.role')}>{role === undefined ? empty : <Tag>{roleLabel(role)}</Tag>}</ChangeLine>;
    case 'department_change':
      return <ChangeLine label={t('access.change.toDepartment')}>{departmentId === undefined ? empty : <IdText id={departmentId} />}</ChangeLine>;
    case 'assignment_add':
    case 'assignment_remove':
      return <ChangeLine label={t('access.change.client')}>{clientId === undefined ? empty : <IdText id={clientId} />}</ChangeLine>;
    case 'temporary_grant':
      return (
        <Flex vertical gap={2}>
          {clientId !== undefined && <ChangeLine label={t('access.change.client')}><IdText id={clientId} /></ChangeLine>}
          {departmentId !== undefined && <ChangeLine label={t('access.change.department')}><IdText id={departmentId} /></ChangeLine>}
          <ChangeLine label={t('access.change.categories')}>{stringsOf(payload, 'categories').map((category) => categoryLabel(category, t)).join(t('common.listSeparator'))}</ChangeLine>
          <ChangeLine label={t('access.change.actions')}>{stringsOf(payload, 'actions').map((action) => actionLabel(action, t)).join(t('common.listSeparator'))}</ChangeLine>
          <ChangeLine label={t('access.change.window')}>{t('access.change.windowRange', { start: formatFirmTime(stringOf(payload, 'startsAt')) ?? empty, end: formatFirmTime(stringOf(payload, 'endsAt')) ?? empty })}</ChangeLine>
        </Flex>
      );
    case 'department_share':
      return (
        <Flex vertical gap={2}>
          <ChangeLine label={t('access.change.fromDepartment')}><IdText id={stringOf(payload, 'fromDepartmentId') ?? ''} /></ChangeLine>
          <ChangeLine label={t('access.change.department')}><IdText id={stringOf(payload, 'toDepartmentId') ?? ''} /></ChangeLine>
          <ChangeLine label={t('access.change.categories')}>{stringsOf(payload, 'categories').map((category) => categoryLabel(category, t)).join(t('common.listSeparator'))}</ChangeLine>
          <ChangeLine label={t('access.change.window')}>{t('access.change.windowRange', { start: formatFirmTime(stringOf(payload, 'startsAt')) ?? empty, end: formatFirmTime(stringOf(payload, 'endsAt')) ?? empty })}</ChangeLine>
        </Flex>
      );
    case 'break_glass_review':
      return (
        <Flex vertical gap={2}>
          <ChangeLine label={t('access.change.client')}>{clientId === undefined ? empty : <IdText id={clientId} />}</ChangeLine>
          <ChangeLine label={t('access.change.breakGlassEnds')}>{formatFirmTime(stringOf(payload, 'endsAt')) ?? empty}</ChangeLine>
        </Flex>
      );
    default:
      return <Typography.Text type="secondary">{empty}</Typography.Text>;
  }
}
