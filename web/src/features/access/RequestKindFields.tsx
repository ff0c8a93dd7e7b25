import { useQuery } from '@tanstack/react-query';
import { AutoComplete, Checkbox, DatePicker, Form, Input, Radio, Select } from 'antd';
import type { Dayjs } from 'dayjs';

import { useMe } from '../../app/auth-context.js';
import { firmNowForPicker } from '../../app/firm-time.js';
import { hasPermission } from '../../app/navigation.js';
import { useT, type Translate } from '../../i18n/index.js';
import { ClientPicker } from '../clients/ClientPicker.js';
import { fetchClientFilters } from '../clients/clients.api.js';
import { GRANT_CATEGORIES, GRANTABLE_ACTIONS, MAX_GRANT_DAYS, ROLE_KEYS, type FilableKind } from './access.api.js';
import { actionLabel, categoryLabel, useRoleLabel } from './request-labels.js';
import type { GrantScope } from './request-form.js';

const DAY_MS = 86_400_000;

/** Renders the role select. For the member's own requests it offers only roles the request can change. */
function RoleField({ kind, forSelf }: { kind: 'role_grant' | 'role_revoke'; forSelf: boolean }) {
  const t = useT();
  const me = useMe();
  const roleLabel = useRoleLabel();

  // The member's own roles are known here but another member's are not, so all roles are offered.
  let roles: readonly string[] = ROLE_KEYS;
  if (forSelf) roles = kind === 'role_revoke' ? me.roles : ROLE_KEYS.filter((role) => !me.roles.includes(role));

  return (
    <Form.Item name="role" label={t('access.form.role')} rules={[{ required: true, message: t('access.form.roleRequired') }]}>
      <Select data-testid="request-role" showSearch={{ optionFilterProp: 'label' }} options={roles.map((role) => ({ value: role, label: roleLabel(role) }))} />
    </Form.Item>
  );
}

/**
 * Renders the department id field, with the departments of the member's client list as suggestions.
 * NOTE: no department list exists for other members, so they type the id.
 */
function DepartmentField() {
  const t = useT();
  const canList = hasPermission(useMe(), 'client:list');
  const filters = useQuery({ queryKey: ['clients', 'filters'], queryFn: fetchClientFilters, enabled: canList, staleTime: 5 * 60_000 });
  const options = (filters.data?.departments ?? []).map((department) => ({ value: department.id, label: t('access.form.departmentOption', { name: department.name, id: department.id }) }));

  return (
    <Form.Item name="departmentId" label={t('access.form.departmentId')} extra={t('access.form.departmentIdHint')} rules={[{ required: true, whitespace: true, message: t('access.form.departmentRequired') }]}>
      <AutoComplete data-testid="request-department" options={options} showSearch={{ filterOption: (input, option) => (option?.label ?? '').toLowerCase().includes(input.toLowerCase()) }} />
    </Form.Item>
  );
}

function ClientField() {
  const t = useT();
  return (
    <Form.Item name="clientId" label={t('access.form.client')} extra={t('access.form.clientHint')} rules={[{ required: true, message: t('access.form.clientRequired') }]}>
      <ClientPicker testId="request-client" />
    </Form.Item>
  );
}

type Window = [Dayjs | null, Dayjs | null] | null | undefined;

/** Returns a validator of the grant window as the server accepts it: both ends, the end after the start, at most 30 days. */
function validateWindow(t: Translate) {
  return (_rule: unknown, value: Window) => {
    const [start, end] = value ?? [null, null];
    if (start === null || end === null) return Promise.reject(new Error(t('access.form.windowRequired')));
    if (!end.isAfter(start)) return Promise.reject(new Error(t('access.form.windowEndBeforeStart')));
    if (end.diff(start) > MAX_GRANT_DAYS * DAY_MS) return Promise.reject(new Error(t('access.form.windowTooLong', { days: MAX_GRANT_DAYS })));
    return Promise.resolve();
  };
}

interface WindowPickerProps {
  id?: string;
  value?: [Dayjs, Dayjs];
  onChange?: (value: [Dayjs, Dayjs] | null) => void;
}

/**
 * Renders the grant window picker in Shanghai time, with presets counted from now. The test id sits on a wrapper
 * because the range picker copies it onto both of its inputs.
 */
function WindowPicker({ id, value, onChange }: WindowPickerProps) {
  const t = useT();
  const presetDays = [1, 3, 7, MAX_GRANT_DAYS];
  const now = firmNowForPicker().startOf('minute');

  return (
    <div data-testid="request-window">
      <DatePicker.RangePicker
        id={id}
        value={value}
        onChange={(next) => onChange?.(next !== null && next[0] !== null && next[1] !== null ? [next[0], next[1]] : null)}
        showTime={{ format: 'HH:mm' }}
        format="YYYY-MM-DD HH:mm"
        disabledDate={(current) => current.isBefore(now.startOf('day'))}
        presets={presetDays.map((days) => ({ label: t('access.form.windowPreset', { days }), value: [now, now.add(days, 'day')] }))}
        style={{ width: '100%' }}
      />
    </div>
  );
}

function TemporaryGrantFields({ scope }: { scope: GrantScope | undefined }) {
  const t = useT();

  return (
    <>
      <Form.Item name="scope" label={t('access.form.scope')}>
        <Radio.Group data-testid="request-scope">
          <Radio value="client">{t('access.form.scope.client')}</Radio>
          <Radio value="department">{t('access.form.scope.department')}</Radio>
        </Radio.Group>
      </Form.Item>
      {scope === 'department' ? <DepartmentField /> : <ClientField />}
      <Form.Item name="categories" label={t('access.form.categories')} rules={[{ required: true, message: t('access.form.categoriesRequired') }]}>
        <Checkbox.Group data-testid="request-categories" options={GRANT_CATEGORIES.map((category) => ({ value: category, label: categoryLabel(category, t) }))} />
      </Form.Item>
      <Form.Item name="actions" label={t('access.form.actions')} rules={[{ required: true, message: t('access.form.actionsRequired') }]}>
        <Checkbox.Group data-testid="request-actions" options={GRANTABLE_ACTIONS.map((action) => ({ value: action, label: actionLabel(action, t) }))} />
      </Form.Item>
      <Form.Item name="window" label={t('access.form.window')} extra={t('access.form.windowHint', { days: MAX_GRANT_DAYS })} rules={[{ required: true, validator: validateWindow(t) }]}>
        <WindowPicker id="window" />
      </Form.Item>
    </>
  );
}

/** Fields of a cross-department share: the department asking, the department sharing, and what for how long. */
function DepartmentShareFields() {
  const t = useT();
  const departmentRule = { required: true, whitespace: true, message: t('access.form.departmentRequired') };

  return (
    <>
      <Form.Item name="fromDepartmentId" label={t('access.form.fromDepartmentId')} extra={t('access.form.departmentIdHint')} rules={[departmentRule]}>
        <Input data-testid="request-from-department" maxLength={64} />
      </Form.Item>
      <Form.Item name="toDepartmentId" label={t('access.form.toDepartmentId')} extra={t('access.form.departmentIdHint')} rules={[departmentRule]}>
        <Input data-testid="request-to-department" maxLength={64} />
      </Form.Item>
      <Form.Item name="categories" label={t('access.form.categories')} rules={[{ required: true, message: t('access.form.categoriesRequired') }]}>
        <Checkbox.Group data-testid="request-categories" options={GRANT_CATEGORIES.map((category) => ({ value: category, label: categoryLabel(category, t) }))} />
      </Form.Item>
      <Form.Item name="actions" label={t('access.form.actions')} rules={[{ required: true, message: t('access.form.actionsRequired') }]}>
        <Checkbox.Group data-testid="request-actions" options={GRANTABLE_ACTIONS.map((action) => ({ value: action, label: actionLabel(action, t) }))} />
      </Form.Item>
      <Form.Item name="window" label={t('access.form.window')} extra={t('access.form.windowHint', { days: MAX_GRANT_DAYS })} rules={[{ required: true, validator: validateWindow(t) }]}>
        <WindowPicker id="window" />
      </Form.Item>
    </>
  );
}

/** Renders the fields of one request kind, under the kind select. */
export function RequestKindFields({ kind, forSelf, scope }: { kind: FilableKind | undefined; forSelf: boolean; scope: GrantScope | undefined }) {
  switch (kind) {
    case 'role_grant':
    case 'role_revoke':
      return <RoleField kind={kind} forSelf={forSelf} />;
    case 'department_change':
      return <DepartmentField />;
    case 'assignment_add':
    case 'assignment_remove':
      return <ClientField />;
    case 'temporary_grant':
      return <TemporaryGrantFields scope={scope} />;
    case 'department_share':
      return <DepartmentShareFields />;
    case undefined:
      return null;
  }
}
