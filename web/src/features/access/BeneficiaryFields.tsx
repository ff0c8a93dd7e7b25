import { useQuery } from '@tanstack/react-query';
import { Form, Input, Radio, Select, Typography } from 'antd';

import { useMe } from '../../app/auth-context.js';
import { hasPermission } from '../../app/navigation.js';
import { useT } from '../../i18n/index.js';
import { fetchUsers, USERS_QUERY_KEY } from '../admin/admin.api.js';

// Department managers file for their staff and partners for anyone. The server then routes the
// request to approvers other than the filer. Holders of `user:manage` also pick from the user list.
const FILES_FOR_OTHERS_ROLES = ['department_manager', 'partner'];

/** Returns whether the form offers to file for another member. The server accepts any filer either way. */
export function useCanFileForOthers(): boolean {
  const me = useMe();
  return hasPermission(me, 'user:manage') || me.roles.some((role) => FILES_FOR_OTHERS_ROLES.includes(role));
}

/** Renders the user list as a select. `value`, `onChange` and `id` come from the enclosing Form.Item. */
function UserSelect({ id, value, onChange }: { id?: string; value?: string; onChange?: (userId: string) => void }) {
  const t = useT();
  const users = useQuery({ queryKey: USERS_QUERY_KEY, queryFn: fetchUsers, staleTime: 5 * 60_000 });
  const options = (users.data?.items ?? []).filter((user) => user.status === 'active').map((user) => ({ value: user.id, label: t('access.form.userOption', { name: user.displayName, username: user.username }) }));

  return <Select id={id} value={value} onChange={onChange} data-testid="request-beneficiary-id" showSearch={{ optionFilterProp: 'label' }} loading={users.isPending} options={options} />;
}

/**
 * Renders the choice of the member the request is for. No user list exists for department
 * managers yet, so they enter the member's user id.
 */
export function BeneficiaryFields({ beneficiary }: { beneficiary: 'self' | 'other' | undefined }) {
  const t = useT();
  const me = useMe();
  const canFileForOthers = useCanFileForOthers();
  const canListUsers = hasPermission(me, 'user:manage');

  if (!canFileForOthers) {
    return (
      <Form.Item label={t('access.form.beneficiary')}>
        <Typography.Text data-testid="request-beneficiary">{me.displayName}</Typography.Text>
      </Form.Item>
    );
  }

  return (
    <>
      <Form.Item name="beneficiary" label={t('access.form.beneficiary')}>
        <Radio.Group data-testid="request-beneficiary">
          <Radio value="self">{t('access.form.beneficiary.self')}</Radio>
          <Radio value="other">{t('access.form.beneficiary.other')}</Radio>
        </Radio.Group>
      </Form.Item>
      {beneficiary === 'other' && (
        <Form.Item
          name="beneficiaryId"
          label={canListUsers ? t('access.form.beneficiaryUser') : t('access.form.beneficiaryId')}
          extra={canListUsers ? undefined : t('access.form.beneficiaryIdHint')}
          rules={[{ required: true, whitespace: true, message: t('access.form.beneficiaryRequired') }]}
        >
          {canListUsers ? <UserSelect /> : <Input data-testid="request-beneficiary-id" maxLength={64} />}
        </Form.Item>
      )}
    </>
  );
}
