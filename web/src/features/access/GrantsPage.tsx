import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';

import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { TruncatedText } from '../../app/TruncatedText.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useNow } from '../../app/use-now.js';
import { useT } from '../../i18n/index.js';
import { fetchGrants, GRANTS_QUERY_KEY, type Grant } from './access.api.js';
import { GrantCountdown } from './GrantCountdown.js';
import { IdText } from './IdText.js';
import { actionLabel, categoryLabel } from './request-labels.js';

// Grants start and get revoked on the server, so the list reloads every minute to keep `active` current.
const REFRESH_MILLISECONDS = 60_000;

function GrantTarget({ grant }: { grant: Grant }) {
  const t = useT();

  if (grant.clientId !== null) {
    // Only the member's own grants carry the client's name, and only an active grant opens the page.
    const label = grant.clientName ?? <IdText id={grant.clientId} />;
    return grant.clientName !== null && grant.active ? <Link to={`/clients/${encodeURIComponent(grant.clientId)}`}>{label}</Link> : <>{label}</>;
  }

  if (grant.departmentId !== null) {
    return (
      <Flex gap={4} align="baseline">
        <Typography.Text type="secondary">{t('grants.department')}</Typography.Text>
        <IdText id={grant.departmentId} />
      </Flex>
    );
  }

  return <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;
}

/** 临时授权: time-boxed and break-glass grants, with the time each active one has left. */
export function GrantsPage() {
  const t = useT();
  useDocumentTitle(t('menu.grants'));

  const grants = useQuery({ queryKey: GRANTS_QUERY_KEY, queryFn: fetchGrants, refetchInterval: REFRESH_MILLISECONDS });
  const items = grants.data?.items ?? [];
  const now = useNow({ enabled: items.some((grant) => grant.active) });

  const columns: ColumnsType<Grant> = [
    { key: 'member', title: t('grants.column.member'), width: 120, render: (_, grant) => grant.displayName },
    {
      key: 'kind',
      title: t('grants.column.kind'),
      width: 110,
      render: (_, grant) => (
        <Tag color={grant.kind === 'break_glass' ? 'red' : 'blue'} data-testid="grant-kind" data-kind={grant.kind}>
          {grant.kind === 'break_glass' ? t('grants.kind.breakGlass') : t('grants.kind.temporary')}
        </Tag>
      ),
    },
    { key: 'target', title: t('grants.column.target'), width: 200, render: (_, grant) => <GrantTarget grant={grant} /> },
    { key: 'categories', title: t('grants.column.categories'), width: 220, render: (_, grant) => grant.categories.map((category) => <Tag key={category}>{categoryLabel(category, t)}</Tag>) },
    { key: 'actions', title: t('grants.column.actions'), width: 220, render: (_, grant) => grant.actions.map((action) => actionLabel(action, t)).join(t('common.listSeparator')) },
    {
      key: 'window',
      title: t('grants.column.window'),
      width: 190,
      render: (_, grant) => (
        <Flex vertical>
          <span>{formatFirmTime(grant.startsAt)}</span>
          <span>{formatFirmTime(grant.endsAt)}</span>
        </Flex>
      ),
    },
    { key: 'remaining', title: t('grants.column.remaining'), width: 150, render: (_, grant) => <GrantCountdown grant={grant} now={now} /> },
    { key: 'reason', title: t('grants.column.reason'), width: 200, ellipsis: { showTitle: false }, render: (_, grant) => <TruncatedText text={grant.reason} /> },
  ];

  const refresh = (
    <Button onClick={() => void grants.refetch()} loading={grants.isFetching && !grants.isPending}>
      {t('common.refresh')}
    </Button>
  );

  return (
    <Card title={t('menu.grants')} extra={refresh}>
      <Flex vertical gap={16}>
        <Typography.Text type="secondary">{t('grants.intro')}</Typography.Text>
        {grants.isError && <Alert type="error" showIcon title={describeError(grants.error, t)} />}
        <Table<Grant>
          data-testid="grants-table"
          rowKey="id"
          size="small"
          loading={grants.isPending}
          columns={columns}
          dataSource={items}
          scroll={{ x: 1400 }}
          locale={{ emptyText: t('grants.empty') }}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('grants.total', { total }) }}
        />
      </Flex>
    </Card>
  );
}
