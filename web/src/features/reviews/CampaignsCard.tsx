import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Card, Flex, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { ConfirmButton } from '../../app/ConfirmButton.js';
import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import { DEPARTMENTS_QUERY_KEY, fetchDepartments, type DepartmentNode } from '../org/departments.api.js';
import { CampaignReportDrawer } from './CampaignReportDrawer.js';
import { NewCampaignModal } from './NewCampaignModal.js';
import { CampaignPopulation, DEADLINE_RULE_LABELS } from './review-labels.js';
import { CAMPAIGNS_QUERY_KEY, closeCampaign, fetchCampaigns, REVIEWS_QUERY_KEY, type Campaign } from './reviews.api.js';

function collectNames(nodes: readonly DepartmentNode[], names: Map<string, string>): Map<string, string> {
  for (const node of nodes) {
    names.set(node.id, node.name);
    collectNames(node.children, names);
  }
  return names;
}

/** 复核活动, for holders of `review:manage`: start, follow, close and report on campaigns. */
export function CampaignsCard() {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const [creating, setCreating] = useState(false);
  const [reported, setReported] = useState<Campaign | null>(null);
  const [errorText, setErrorText] = useState<string | null>(null);

  const campaigns = useQuery({ queryKey: CAMPAIGNS_QUERY_KEY, queryFn: fetchCampaigns });
  const departments = useQuery({ queryKey: DEPARTMENTS_QUERY_KEY, queryFn: fetchDepartments, staleTime: 5 * 60_000 });
  const departmentNames = collectNames(departments.data?.items ?? [], new Map());

  const close = useMutation({
    mutationFn: (campaign: Campaign) => closeCampaign(campaign.id),
    onMutate: () => setErrorText(null),
    onSuccess: async (closed, campaign) => {
      await queryClient.invalidateQueries({ queryKey: REVIEWS_QUERY_KEY });
      void message.success(t('reviews.campaign.closed', { name: campaign.name, revoked: closed.revoked, escalated: closed.escalated }));
    },
    onError: async (error) => {
      setErrorText(describeError(error, t));
      await queryClient.invalidateQueries({ queryKey: CAMPAIGNS_QUERY_KEY });
    },
  });

  const columns: ColumnsType<Campaign> = [
    { key: 'name', title: t('reviews.campaign.name'), width: 180, render: (_, campaign) => campaign.name },
    { key: 'population', title: t('reviews.campaign.population'), width: 180, render: (_, campaign) => <CampaignPopulation population={campaign.population} departmentName={(id) => departmentNames.get(id)} /> },
    { key: 'deadline', title: t('reviews.campaign.deadline'), width: 160, render: (_, campaign) => formatFirmTime(campaign.deadline) },
    { key: 'rule', title: t('reviews.campaign.deadlineRule'), width: 200, render: (_, campaign) => t(DEADLINE_RULE_LABELS[campaign.deadlineRule]) },
    {
      key: 'status',
      title: t('reviews.campaign.status'),
      width: 100,
      render: (_, campaign) => (
        <Tag color={campaign.status === 'open' ? 'processing' : 'default'} data-testid="campaign-status" data-status={campaign.status}>
          {t(campaign.status === 'open' ? 'reviews.campaign.open' : 'reviews.campaign.closedStatus')}
        </Tag>
      ),
    },
    {
      key: 'progress',
      title: t('reviews.campaign.progress'),
      width: 140,
      render: (_, campaign) => (campaign.itemCount === undefined ? t('common.empty') : t('reviews.campaign.progressValue', { undecided: campaign.undecidedCount ?? 0, total: campaign.itemCount })),
    },
    { key: 'createdAt', title: t('reviews.campaign.createdAt'), width: 160, render: (_, campaign) => formatFirmTime(campaign.createdAt) },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 150,
      fixed: 'right',
      render: (_, campaign) => (
        <Flex gap={8}>
          <Button size="small" data-testid="campaign-report-open" aria-label={t('reviews.campaign.reportLabel', { name: campaign.name })} onClick={() => setReported(campaign)}>
            {t('reviews.campaign.report')}
          </Button>
          {campaign.status === 'open' && (
            <ConfirmButton
              testId="campaign-close"
              size="small"
              danger={campaign.deadlineRule === 'revoke'}
              label={t('reviews.campaign.close')}
              ariaLabel={t('reviews.campaign.closeLabel', { name: campaign.name })}
              title={t('reviews.campaign.closeTitle', { name: campaign.name })}
              description={t(campaign.deadlineRule === 'revoke' ? 'reviews.campaign.closeHintRevoke' : 'reviews.campaign.closeHintEscalate')}
              okText={t('reviews.campaign.close')}
              loading={close.isPending && close.variables.id === campaign.id}
              onConfirm={() => close.mutate(campaign)}
            />
          )}
        </Flex>
      ),
    },
  ];

  const extra = (
    <Flex gap={8}>
      <Button onClick={() => void campaigns.refetch()} loading={campaigns.isFetching && !campaigns.isPending}>
        {t('common.refresh')}
      </Button>
      <Button type="primary" data-testid="campaign-new" onClick={() => setCreating(true)}>
        {t('reviews.campaign.new')}
      </Button>
    </Flex>
  );

  return (
    <Card title={t('reviews.campaigns.title')} extra={extra}>
      <Flex vertical gap={16}>
        {campaigns.isError && <Alert type="error" showIcon title={describeError(campaigns.error, t)} />}
        {errorText !== null && <Alert type="error" showIcon closable onClose={() => setErrorText(null)} title={errorText} />}
        <Table<Campaign>
          data-testid="campaigns-table"
          rowKey="id"
          size="small"
          loading={campaigns.isPending}
          columns={columns}
          dataSource={campaigns.data?.items ?? []}
          scroll={{ x: 1270 }}
          locale={{ emptyText: t('reviews.campaigns.empty') }}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('reviews.campaigns.total', { total }) }}
        />
      </Flex>
      {creating && <NewCampaignModal onClose={() => setCreating(false)} />}
      {reported !== null && <CampaignReportDrawer campaign={reported} onClose={() => setReported(null)} />}
    </Card>
  );
}
