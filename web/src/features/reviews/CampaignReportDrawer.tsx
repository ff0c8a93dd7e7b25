import { useQuery } from '@tanstack/react-query';
import { Alert, Descriptions, Drawer, Flex, Spin, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';

import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import { ITEM_KIND_LABELS, ReviewItemAccess } from './review-labels.js';
import { campaignReportQueryKey, fetchCampaignReport, type Campaign, type CampaignReport, type ReviewItem, type ReviewItemKind } from './reviews.api.js';

type KindRow = CampaignReport['byKind'][ReviewItemKind] & { kind: ReviewItemKind };

/** Shows a campaign's counts by decision, source and kind, and every revocation it made. */
export function CampaignReportDrawer({ campaign, onClose }: { campaign: Campaign; onClose: () => void }) {
  const t = useT();
  const report = useQuery({ queryKey: campaignReportQueryKey(campaign.id), queryFn: () => fetchCampaignReport(campaign.id) });

  const kindColumns: ColumnsType<KindRow> = [
    { key: 'kind', title: t('reviews.report.kind'), render: (_, row) => t(ITEM_KIND_LABELS[row.kind]) },
    { key: 'total', title: t('reviews.report.total'), dataIndex: 'total' },
    { key: 'confirm', title: t('reviews.report.confirm'), dataIndex: 'confirm' },
    { key: 'revoke', title: t('reviews.report.revoke'), dataIndex: 'revoke' },
    { key: 'undecided', title: t('reviews.report.undecided'), dataIndex: 'undecided' },
  ];

  const revocationColumns: ColumnsType<ReviewItem> = [
    { key: 'member', title: t('reviews.column.member'), width: 120, render: (_, item) => item.member.displayName },
    { key: 'access', title: t('reviews.column.access'), width: 220, render: (_, item) => <ReviewItemAccess item={item} /> },
    {
      key: 'source',
      title: t('reviews.report.source'),
      width: 140,
      render: (_, item) => (item.decisionSource === 'deadline' ? t('reviews.report.bySource.deadline') : (item.decidedBy?.username ?? t('common.empty'))),
    },
    { key: 'decidedAt', title: t('reviews.report.decidedAt'), width: 160, render: (_, item) => formatFirmTime(item.decidedAt) ?? t('common.empty') },
    { key: 'note', title: t('reviews.column.note'), width: 160, render: (_, item) => item.note ?? t('common.empty') },
  ];

  const data = report.data;
  return (
    <Drawer open title={t('reviews.report.title', { name: campaign.name })} onClose={onClose} size="large" destroyOnHidden>
      {report.isPending && <Spin />}
      {report.isError && <Alert type="error" showIcon title={describeError(report.error, t)} />}
      {data !== undefined && (
        <Flex vertical gap={16} data-testid="campaign-report">
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={t('reviews.report.total')}>{data.total}</Descriptions.Item>
            <Descriptions.Item label={t('reviews.report.escalated')}>{data.escalated}</Descriptions.Item>
            <Descriptions.Item label={t('reviews.report.confirm')}>{data.byDecision.confirm}</Descriptions.Item>
            <Descriptions.Item label={t('reviews.report.revoke')}>{data.byDecision.revoke}</Descriptions.Item>
            <Descriptions.Item label={t('reviews.report.undecided')}>{data.byDecision.undecided}</Descriptions.Item>
            <Descriptions.Item label={t('reviews.report.bySource.reviewer')}>{data.bySource.reviewer}</Descriptions.Item>
            <Descriptions.Item label={t('reviews.report.bySource.deadline')}>{data.bySource.deadline}</Descriptions.Item>
          </Descriptions>
          <Table<KindRow> rowKey="kind" size="small" pagination={false} columns={kindColumns} dataSource={(Object.keys(data.byKind) as ReviewItemKind[]).map((kind) => ({ kind, ...data.byKind[kind] }))} />
          <Typography.Title level={5}>{t('reviews.report.revocations')}</Typography.Title>
          <Table<ReviewItem>
            rowKey="id"
            size="small"
            columns={revocationColumns}
            dataSource={data.revocations}
            scroll={{ x: 800 }}
            locale={{ emptyText: t('reviews.report.noRevocations') }}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
          />
        </Flex>
      )}
    </Drawer>
  );
}
