import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Input, Segmented, Select, Space, Table, Typography } from 'antd';
import type { SorterResult } from 'antd/es/table/interface';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';

import { isApiError, type ClientSummary } from '../../api/index.js';
import { describeError } from '../../app/describe-error.js';
import { PageWatermark } from '../../app/PageWatermark.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { CLIENT_TABLE_MIN_WIDTH, clientColumns } from './client-columns.js';
import { parseClientListQuery, sortFromColumn, toClientListSearch } from './client-list-query.js';
import { ClientListPager } from './ClientListPager.js';
import { fetchClientFilters, fetchClients, type ClientListQuery, type ClientListStatus } from './clients.api.js';

// The dialog and its client search load only when a member opens emergency access.
const BreakGlassDialog = lazy(() => import('../access/BreakGlassDialog.js').then((module) => ({ default: module.BreakGlassDialog })));

// The server rejects longer search texts with a `validation_failed` issue for `q`.
const MAX_SEARCH_LENGTH = 100;

/** Lists the clients in the member's data scope, searched and paged on the server. */
export function ClientListPage() {
  const t = useT();
  const [searchParams, setSearchParams] = useSearchParams();
  const query = parseClientListQuery(searchParams);
  const [searchText, setSearchText] = useState(query.q);
  const [breakGlassOpen, setBreakGlassOpen] = useState(false);
  useDocumentTitle(t('menu.clients'));

  // Back and forward change the address bar, and the search box follows it.
  useEffect(() => setSearchText(query.q), [query.q]);

  // The server counts only pages without a cursor, so the total of each search is kept here
  // while paging, and asked for once when a cursor link is opened directly.
  const totals = useRef(new Map<string, number>());
  const searchKey = JSON.stringify([query.q, query.sort, query.departmentId, query.assigneeId, query.status]);
  const list = useQuery({
    queryKey: ['clients', 'list', query],
    queryFn: async () => {
      const known = totals.current.get(searchKey);
      const page = await fetchClients(query, { withTotal: query.cursor !== undefined && known === undefined ? true : undefined });
      if (page.total !== null) totals.current.set(searchKey, page.total);
      return { ...page, total: page.total ?? known ?? null };
    },
    placeholderData: keepPreviousData,
  });
  const filters = useQuery({ queryKey: ['clients', 'filters'], queryFn: fetchClientFilters, staleTime: 5 * 60_000 });

  // Any change but paging itself starts again at the first page.
  const update = (change: Partial<ClientListQuery>) => setSearchParams(toClientListSearch({ ...query, cursor: undefined, page: 'first', ...change }));
  const goTo = (position: { cursor: string } | { page: 'first' | 'last' }) => setSearchParams(toClientListSearch({ ...query, cursor: undefined, page: 'first', ...position }));

  const onTableChange = (_pagination: unknown, _filters: unknown, sorter: SorterResult<ClientSummary> | SorterResult<ClientSummary>[]) => {
    const single = Array.isArray(sorter) ? sorter[0] : sorter;
    const sort = sortFromColumn(single?.columnKey, single?.order);
    if (sort !== query.sort) update({ sort });
  };

  // A cursor from another user's link or an edited address is rejected; the list offers a way back.
  const cursorRejected = isApiError(list.error) && list.error.code === 'cursor_invalid';

  // A search text the server rejects, say from an edited link, is explained under the search box.
  const searchIssues = isApiError(list.error) ? list.error.issues.filter((issue) => issue.path === 'q').map((issue) => issue.message) : [];
  const searchError = searchIssues.length > 0 ? searchIssues.join(' ') : null;

  const departmentOptions = (filters.data?.departments ?? []).map((department) => ({ value: department.id, label: department.name }));
  const assigneeOptions = (filters.data?.assignees ?? []).map((assignee) => ({ value: assignee.id, label: assignee.displayName }));
  const statusOptions: { value: ClientListStatus; label: string }[] = [
    { value: 'active', label: t('clients.filter.status.active') },
    { value: 'archived', label: t('clients.filter.status.archived') },
  ];
  let emptyText = t('clients.empty');
  if (query.status === 'archived') emptyText = t('clients.emptyArchived');
  if (query.q !== '') emptyText = t('clients.noMatch');

  return (
    <PageWatermark>
    <Card title={t('menu.clients')}>
      <Flex vertical gap={16}>
        <Flex wrap gap={12} align="flex-start">
          {/* A plain Input, not Input.Search: Search puts data-* attributes on its wrapper, and the
              browser tests type into the element that carries the test id. */}
          <Flex vertical gap={4} style={{ width: 460, maxWidth: '100%' }}>
            <Space.Compact style={{ width: '100%' }}>
              <Input
                data-testid="client-search"
                aria-label={t('clients.search.label')}
                aria-invalid={searchError !== null}
                aria-describedby={searchError === null ? undefined : 'client-search-error'}
                status={searchError === null ? undefined : 'error'}
                placeholder={t('clients.search.placeholder')}
                allowClear
                maxLength={MAX_SEARCH_LENGTH}
                value={searchText}
                onChange={(event) => {
                  setSearchText(event.target.value);
                  if (event.target.value === '' && query.q !== '') update({ q: '' });
                }}
                onPressEnter={() => update({ q: searchText.trim() })}
              />
              <Button type="primary" onClick={() => update({ q: searchText.trim() })}>
                {t('clients.search.submit')}
              </Button>
            </Space.Compact>
            {searchError !== null && (
              <Typography.Text type="danger" id="client-search-error" data-testid="client-search-error">
                {searchError}
              </Typography.Text>
            )}
          </Flex>
          <Segmented<ClientListStatus>
            aria-label={t('clients.filter.status')}
            data-testid="client-status-filter"
            options={statusOptions}
            value={query.status}
            onChange={(status) => update({ status })}
            style={{ alignSelf: 'center' }}
          />
          {departmentOptions.length > 0 && (
            <Select
              aria-label={t('clients.filter.department')}
              placeholder={t('clients.filter.department')}
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              options={departmentOptions}
              value={query.departmentId}
              onChange={(departmentId?: string) => update({ departmentId })}
              style={{ width: 200 }}
            />
          )}
          {assigneeOptions.length > 0 && (
            <Select
              aria-label={t('clients.filter.assignee')}
              placeholder={t('clients.filter.assignee')}
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              options={assigneeOptions}
              value={query.assigneeId}
              onChange={(assigneeId?: string) => update({ assigneeId })}
              style={{ width: 200 }}
            />
          )}
          <Button danger size="small" data-testid="break-glass-open" onClick={() => setBreakGlassOpen(true)} style={{ marginLeft: 'auto', alignSelf: 'center' }}>
            {t('breakGlass.open')}
          </Button>
        </Flex>
        {list.isError && searchError === null && (
          <Alert
            type="error"
            showIcon
            title={describeError(list.error, t)}
            action={
              cursorRejected ? (
                <Button size="small" data-testid="client-page-reset" onClick={() => goTo({ page: 'first' })}>
                  {t('clients.pager.backToFirst')}
                </Button>
              ) : undefined
            }
          />
        )}
        <Table<ClientSummary>
          data-testid="client-table"
          rowKey="id"
          columns={clientColumns(t, query.sort)}
          dataSource={list.data?.items ?? []}
          loading={list.isFetching}
          onChange={onTableChange}
          scroll={{ x: CLIENT_TABLE_MIN_WIDTH }}
          locale={{ emptyText }}
          pagination={false}
        />
        <ClientListPager
          total={list.data?.total ?? null}
          pageSize={query.pageSize}
          hasPrevious={(list.data?.previousCursor ?? null) !== null}
          hasNext={(list.data?.nextCursor ?? null) !== null}
          disabled={list.isFetching}
          onFirst={() => goTo({ page: 'first' })}
          onPrevious={() => list.data?.previousCursor && goTo({ cursor: list.data.previousCursor })}
          onNext={() => list.data?.nextCursor && goTo({ cursor: list.data.nextCursor })}
          onLast={() => goTo({ page: 'last' })}
          onPageSizeChange={(pageSize) => update({ pageSize })}
        />
      </Flex>
      {breakGlassOpen && (
        <Suspense fallback={null}>
          <BreakGlassDialog onClose={() => setBreakGlassOpen(false)} />
        </Suspense>
      )}
    </Card>
    </PageWatermark>
  );
}
