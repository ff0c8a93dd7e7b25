import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Flex, Input, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { isApiError } from '../../api/index.js';
import { ConfirmButton } from '../../app/ConfirmButton.js';
import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import { decideReviewItem, fetchMyReviewItems, MY_REVIEW_ITEMS_QUERY_KEY, REVIEWS_QUERY_KEY, type ReviewDecision, type ReviewItem } from './reviews.api.js';
import { ReviewItemAccess } from './review-labels.js';

// The server keeps the first 500 characters of a note.
const MAX_NOTE_LENGTH = 500;

// These mean the item changed under the reviewer, so the list is reloaded to drop it.
const STALE_ITEM_CODES = new Set(['review_item_decided', 'review_campaign_closed', 'review_not_reviewer', 'not_found']);

/** 待我复核: the undecided items the member reviews, each confirmed or revoked with an optional note. */
export function MyReviewItemsTable() {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [errorText, setErrorText] = useState<string | null>(null);

  const items = useQuery({ queryKey: MY_REVIEW_ITEMS_QUERY_KEY, queryFn: fetchMyReviewItems });

  const decide = useMutation({
    mutationFn: ({ item, decision }: { item: ReviewItem; decision: ReviewDecision }) => {
      const note = notes[item.id]?.trim() ?? '';
      return decideReviewItem(item.id, note === '' ? { decision } : { decision, note });
    },
    onMutate: () => setErrorText(null),
    onSuccess: async (decided, { item }) => {
      setNotes(({ [item.id]: _dropped, ...rest }) => rest);
      await queryClient.invalidateQueries({ queryKey: REVIEWS_QUERY_KEY });
      void message.success(decided.decision === 'revoke' ? t('reviews.revoked', { name: item.member.displayName }) : t('reviews.confirmed', { name: item.member.displayName }));
    },
    onError: (error) => {
      setErrorText(describeError(error, t));
      if (isApiError(error) && STALE_ITEM_CODES.has(error.code)) void queryClient.invalidateQueries({ queryKey: MY_REVIEW_ITEMS_QUERY_KEY });
    },
  });

  const pendingId = decide.isPending ? decide.variables.item.id : undefined;

  const columns: ColumnsType<ReviewItem> = [
    {
      key: 'member',
      title: t('reviews.column.member'),
      width: 140,
      render: (_, item) => (
        <Flex vertical>
          <span>{item.member.displayName}</span>
          <Typography.Text type="secondary">{item.member.username}</Typography.Text>
        </Flex>
      ),
    },
    { key: 'access', title: t('reviews.column.access'), width: 260, render: (_, item) => <ReviewItemAccess item={item} /> },
    { key: 'campaign', title: t('reviews.column.campaign'), width: 160, render: (_, item) => item.campaignName },
    {
      key: 'dueAt',
      title: t('reviews.column.dueAt'),
      width: 170,
      render: (_, item) => (
        <Flex gap={4} align="baseline" wrap>
          <span>{formatFirmTime(item.dueAt)}</span>
          {item.escalated && <Tag color="orange">{t('reviews.escalated')}</Tag>}
        </Flex>
      ),
    },
    {
      key: 'note',
      title: t('reviews.column.note'),
      width: 220,
      render: (_, item) => (
        <Input
          data-testid="review-item-note"
          size="small"
          maxLength={MAX_NOTE_LENGTH}
          placeholder={t('reviews.notePlaceholder')}
          aria-label={t('reviews.noteLabel', { name: item.member.displayName })}
          value={notes[item.id] ?? ''}
          disabled={pendingId === item.id}
          onChange={(event) => setNotes((current) => ({ ...current, [item.id]: event.target.value }))}
        />
      ),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 160,
      fixed: 'right',
      render: (_, item) => (
        <Flex gap={8}>
          <Button
            data-testid="review-item-confirm"
            size="small"
            type="primary"
            aria-label={t('reviews.confirmLabel', { name: item.member.displayName })}
            loading={pendingId === item.id && decide.variables?.decision === 'confirm'}
            disabled={pendingId !== undefined && pendingId !== item.id}
            onClick={() => decide.mutate({ item, decision: 'confirm' })}
          >
            {t('reviews.confirm')}
          </Button>
          {/* A revocation takes the access away at once, so it asks first. */}
          <ConfirmButton
            testId="review-item-revoke"
            size="small"
            danger
            label={t('reviews.revoke')}
            ariaLabel={t('reviews.revokeLabel', { name: item.member.displayName })}
            title={t('reviews.revokeTitle', { name: item.member.displayName })}
            description={t('reviews.revokeHint')}
            okText={t('reviews.revoke')}
            loading={pendingId === item.id && decide.variables?.decision === 'revoke'}
            disabled={pendingId !== undefined && pendingId !== item.id}
            onConfirm={() => decide.mutate({ item, decision: 'revoke' })}
          />
        </Flex>
      ),
    },
  ];

  return (
    <Flex vertical gap={16}>
      <Typography.Text type="secondary">{t('reviews.mine.intro')}</Typography.Text>
      {items.isError && <Alert type="error" showIcon title={describeError(items.error, t)} />}
      {errorText !== null && <Alert type="error" showIcon closable onClose={() => setErrorText(null)} title={errorText} data-testid="review-decision-error" />}
      <Table<ReviewItem>
        data-testid="reviews-table"
        rowKey="id"
        size="small"
        loading={items.isPending}
        columns={columns}
        dataSource={items.data?.items ?? []}
        scroll={{ x: 1110 }}
        locale={{ emptyText: t('reviews.mine.empty') }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('reviews.mine.total', { total }) }}
      />
    </Flex>
  );
}
