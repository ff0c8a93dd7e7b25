import { Button, Card, Flex } from 'antd';
import { useQueryClient } from '@tanstack/react-query';

import { useMe } from '../../app/auth-context.js';
import { hasPermission } from '../../app/navigation.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { CampaignsCard } from './CampaignsCard.js';
import { MyReviewItemsTable } from './MyReviewItemsTable.js';
import { MY_REVIEW_ITEMS_QUERY_KEY } from './reviews.api.js';

/** 权限复核: every member's items to review, and the campaigns for holders of `review:manage`. */
export function ReviewsPage() {
  const me = useMe();
  const t = useT();
  const queryClient = useQueryClient();
  useDocumentTitle(t('menu.reviews'));

  const refresh = <Button onClick={() => void queryClient.invalidateQueries({ queryKey: MY_REVIEW_ITEMS_QUERY_KEY })}>{t('common.refresh')}</Button>;

  return (
    <Flex vertical gap={24}>
      <Card title={t('reviews.mine.title')} extra={refresh}>
        <MyReviewItemsTable />
      </Card>
      {hasPermission(me, 'review:manage') && <CampaignsCard />}
    </Flex>
  );
}
