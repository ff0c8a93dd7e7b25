import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useState } from 'react';

import { useMe } from '../../app/auth-context.js';
import { hasPermission } from '../../app/navigation.js';
import { useDebouncedValue } from '../../app/use-debounced-value.js';
import { useT } from '../../i18n/index.js';
import { fetchClients } from './clients.api.js';

// The server rejects longer search texts, and 20 matches are as many as a drop-down can show well.
const MAX_SEARCH_LENGTH = 100;
const RESULT_COUNT = 20;
const SEARCH_DELAY_MS = 300;

interface ClientPickerProps {
  /** The chosen client id; set and read by antd's Form.Item. */
  value?: string;
  onChange?: (clientId: string | undefined) => void;
  id?: string;
  testId: string;
  status?: 'error' | 'warning';
}

interface ClientOption {
  value: string;
  label: string;
  /** True for the option that uses the typed text as an id. */
  pasted?: boolean;
}

/**
 * Chooses one client by id: from a search of the clients the member may list, or by pasting an
 * id as it is. A pasted id is not checked here, because the server returns the same error for an
 * unknown client and for one out of reach. Members without `client:list` can only paste an id.
 */
export function ClientPicker({ value, onChange, id, testId, status }: ClientPickerProps) {
  const t = useT();
  const canSearch = hasPermission(useMe(), 'client:list');
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [labels, setLabels] = useState<Record<string, string>>({});
  const query = useDebouncedValue(search.trim(), SEARCH_DELAY_MS);

  // Each search is a listing the server audits, so it runs only while the drop-down is open.
  const results = useQuery({
    queryKey: ['clients', 'picker', query],
    // The picker shows no total, so the server need not count the matches.
    queryFn: () => fetchClients({ q: query, pageSize: RESULT_COUNT, sort: undefined, cursor: undefined, page: 'first', departmentId: undefined, assigneeId: undefined, status: 'active' }, { withTotal: false }),
    enabled: canSearch && open,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

  const options: ClientOption[] = (results.data?.items ?? []).map((client) => ({ value: client.id, label: t('clientPicker.option', { name: client.name, uscc: client.uscc }) }));
  const pasted = search.trim();
  if (pasted !== '' && !options.some((option) => option.value === pasted)) options.push({ value: pasted, label: t('clientPicker.useId', { id: pasted }), pasted: true });
  if (value !== undefined && !options.some((option) => option.value === value)) options.unshift({ value, label: labels[value] ?? value });

  return (
    <Select<string, ClientOption>
      id={id}
      data-testid={testId}
      status={status}
      allowClear
      value={value}
      options={options}
      loading={results.isFetching}
      placeholder={canSearch ? t('clientPicker.placeholder') : t('clientPicker.placeholderIdOnly')}
      notFoundContent={results.isError ? t('clientPicker.searchFailed') : t('clientPicker.empty')}
      showSearch={{ filterOption: false, searchValue: search, onSearch: (text) => setSearch(text.slice(0, MAX_SEARCH_LENGTH)) }}
      onOpenChange={setOpen}
      onChange={(next, option) => {
        // A client found by search keeps its name once the search text changes.
        const picked = Array.isArray(option) ? undefined : option;
        if (next !== undefined && picked !== undefined && picked.pasted !== true) setLabels((known) => ({ ...known, [next]: picked.label }));
        setSearch('');
        onChange?.(next);
      }}
    />
  );
}
