import { Button, Flex, Select, Space, Typography } from 'antd';

import { useT } from '../../i18n/index.js';
import { PAGE_SIZES } from './client-list-query.js';

interface ClientListPagerProps {
  /** Null until the server has counted the clients of the current search. */
  total: number | null;
  pageSize: number;
  hasPrevious: boolean;
  hasNext: boolean;
  disabled: boolean;
  onFirst: () => void;
  onPrevious: () => void;
  onNext: () => void;
  onLast: () => void;
  onPageSizeChange: (pageSize: number) => void;
}

/**
 * Paging for the keyset-paged client list: first, previous, next and last page with the total.
 * The server continues from the rows on screen instead of counting rows to skip, so pages have
 * no numbers, and the last page is read from the end of the list in one step.
 */
export function ClientListPager({ total, pageSize, hasPrevious, hasNext, disabled, onFirst, onPrevious, onNext, onLast, onPageSizeChange }: ClientListPagerProps) {
  const t = useT();

  return (
    <Flex component="nav" aria-label={t('clients.pager.label')} data-testid="client-pager" justify="flex-end" align="center" gap={12} wrap>
      {total !== null && <Typography.Text data-testid="client-total">{t('clients.total', { total })}</Typography.Text>}
      <Space.Compact>
        <Button data-testid="client-page-first" disabled={disabled || !hasPrevious} onClick={onFirst}>
          {t('clients.pager.first')}
        </Button>
        <Button data-testid="client-page-previous" disabled={disabled || !hasPrevious} onClick={onPrevious}>
          {t('clients.pager.previous')}
        </Button>
        <Button data-testid="client-page-next" disabled={disabled || !hasNext} onClick={onNext}>
          {t('clients.pager.next')}
        </Button>
        <Button data-testid="client-page-last" disabled={disabled || !hasNext} onClick={onLast}>
          {t('clients.pager.last')}
        </Button>
      </Space.Compact>
      <Select<number>
        aria-label={t('clients.pager.pageSizeLabel')}
        data-testid="client-page-size"
        value={pageSize}
        options={PAGE_SIZES.map((size) => ({ value: size, label: t('clients.pager.pageSize', { size }) }))}
        onChange={onPageSizeChange}
        style={{ width: 120 }}
      />
    </Flex>
  );
}
