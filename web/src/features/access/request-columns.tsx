import { Typography } from 'antd';
import type { ColumnType } from 'antd/es/table';

import { formatFirmTime } from '../../app/firm-time.js';
import { TruncatedText } from '../../app/TruncatedText.js';
import type { Translate } from '../../i18n/index.js';
import type { AccessRequest } from './access.api.js';
import { MemberText } from './member-names.js';
import { kindLabel, RequestChange, RequestStatusTag, RequestStep } from './request-labels.js';

type Column = ColumnType<AccessRequest> & { key: string };

/** Returns the columns both request tables show, by key, so each table picks its own order. */
export function requestColumns(t: Translate, nameOf: (userId: string) => string | undefined) {
  const empty = <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;

  const columns = {
    kind: { key: 'kind', title: t('access.column.kind'), width: 130, render: (_, request) => <span data-testid="request-kind-label">{kindLabel(request.kind, t)}</span> },
    beneficiary: { key: 'beneficiary', title: t('access.column.beneficiary'), width: 130, render: (_, request) => <MemberText userId={request.beneficiaryId} nameOf={nameOf} /> },
    filedBy: { key: 'filedBy', title: t('access.column.filedBy'), width: 130, render: (_, request) => <MemberText userId={request.filedBy} nameOf={nameOf} /> },
    change: { key: 'change', title: t('access.column.change'), width: 280, render: (_, request) => <RequestChange request={request} /> },
    reason: { key: 'reason', title: t('access.column.reason'), width: 180, ellipsis: { showTitle: false }, render: (_, request) => <TruncatedText text={request.reason} /> },
    status: { key: 'status', title: t('access.column.status'), width: 120, render: (_, request) => <RequestStatusTag request={request} /> },
    step: { key: 'step', title: t('access.column.step'), width: 140, render: (_, request) => <RequestStep request={request} /> },
    createdAt: { key: 'createdAt', title: t('access.column.createdAt'), width: 170, render: (_, request) => formatFirmTime(request.createdAt) },
    // Only a pending request can still lapse, so the others show no expiry and a decision time instead.
    expiresAt: { key: 'expiresAt', title: t('access.column.expiresAt'), width: 170, render: (_, request) => (request.status === 'pending' ? formatFirmTime(request.expiresAt) : empty) },
    decidedAt: { key: 'decidedAt', title: t('access.column.decidedAt'), width: 170, render: (_, request) => formatFirmTime(request.decidedAt) ?? empty },
  } satisfies Record<string, Column>;

  return columns;
}
