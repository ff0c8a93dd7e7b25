import { useQuery } from '@tanstack/react-query';
import { Input, Select } from 'antd';

import { useMe } from '../../app/auth-context.js';
import { hasPermission } from '../../app/navigation.js';
import { useT } from '../../i18n/index.js';
import { fetchUsers, USERS_QUERY_KEY } from '../admin/admin.api.js';

interface MemberIdInputProps {
  /** Set by `Form.Item`. */
  value?: string;
  onChange?: (value: string) => void;
  testId: string;
}

/**
 * Renders a member picker for holders of `user:manage`, who may load the user list, and a
 * member-id text box for everyone else.
 */
export function MemberIdInput({ value, onChange, testId }: MemberIdInputProps) {
  const me = useMe();
  const t = useT();
  const canListUsers = hasPermission(me, 'user:manage');
  const users = useQuery({ queryKey: USERS_QUERY_KEY, queryFn: fetchUsers, enabled: canListUsers, staleTime: 5 * 60_000 });

  if (!canListUsers) {
    return <Input data-testid={testId} value={value} onChange={(event) => onChange?.(event.target.value.trim())} placeholder={t('explain.memberIdPlaceholder')} allowClear style={{ width: 260 }} />;
  }

  const options = (users.data?.items ?? []).map((user) => ({ value: user.id, label: t('explain.memberOption', { name: user.displayName, username: user.username }) }));
  return <Select data-testid={testId} value={value} onChange={onChange} options={options} loading={users.isPending} showSearch={{ optionFilterProp: 'label' }} placeholder={t('explain.memberPlaceholder')} style={{ width: 260 }} />;
}
