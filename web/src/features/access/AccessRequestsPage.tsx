import { useQuery } from '@tanstack/react-query';
import { Alert, Badge, Button, Card, Flex, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router';

import { describeError } from '../../app/describe-error.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { ACCESS_REQUESTS_QUERY_KEY, fetchAccessRequests } from './access.api.js';
import { ApprovalQueueTable } from './ApprovalQueueTable.js';
import { MyRequestsTable } from './MyRequestsTable.js';
import { NewRequestModal } from './NewRequestModal.js';

// Approvers act on requests others file meanwhile, so the lists refresh on their own.
const REFRESH_MILLISECONDS = 60_000;

type TabKey = 'mine' | 'queue';

// The open tab lives in the address (`?tab=queue`), so the bell's approval notice can open the queue.
function tabOf(searchParams: URLSearchParams): TabKey {
  return searchParams.get('tab') === 'queue' ? 'queue' : 'mine';
}

/** 权限申请: the member's requests, the requests waiting for their decision, and a form for a new one. */
export function AccessRequestsPage() {
  const t = useT();
  const [searchParams, setSearchParams] = useSearchParams();
  const tab = tabOf(searchParams);
  const setTab = (next: TabKey) => setSearchParams(next === 'queue' ? { tab: 'queue' } : {}, { replace: true });
  const [formOpen, setFormOpen] = useState(false);
  useDocumentTitle(t('menu.accessRequests'));

  const requests = useQuery({ queryKey: ACCESS_REQUESTS_QUERY_KEY, queryFn: fetchAccessRequests, refetchInterval: REFRESH_MILLISECONDS });
  const queueCount = requests.data?.queue.length ?? 0;

  const actions = (
    <Flex gap={8}>
      <Button onClick={() => void requests.refetch()} loading={requests.isFetching && !requests.isPending}>
        {t('common.refresh')}
      </Button>
      <Button type="primary" data-testid="request-new" onClick={() => setFormOpen(true)}>
        {t('access.new')}
      </Button>
    </Flex>
  );

  return (
    <Card title={t('menu.accessRequests')} extra={actions}>
      <Flex vertical gap={16}>
        <Typography.Text type="secondary">{t('access.intro')}</Typography.Text>
        {requests.isError && <Alert type="error" showIcon title={describeError(requests.error, t)} />}
        <Tabs
          activeKey={tab}
          onChange={(key) => setTab(key as TabKey)}
          items={[
            {
              key: 'mine',
              label: <span data-testid="requests-tab-mine">{t('access.tab.mine')}</span>,
              children: <MyRequestsTable requests={requests.data?.mine ?? []} loading={requests.isPending} />,
            },
            {
              key: 'queue',
              label: (
                <Flex gap={6} align="center" data-testid="requests-tab-queue">
                  {t('access.tab.queue')}
                  <Badge count={queueCount} size="small" />
                </Flex>
              ),
              children: <ApprovalQueueTable requests={requests.data?.queue ?? []} loading={requests.isPending} />,
            },
          ]}
        />
      </Flex>
      {formOpen && (
        <NewRequestModal
          onClose={() => setFormOpen(false)}
          onFiled={() => {
            setFormOpen(false);
            setTab('mine');
          }}
        />
      )}
    </Card>
  );
}
