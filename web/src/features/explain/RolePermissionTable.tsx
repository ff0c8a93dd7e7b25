import { useQuery } from '@tanstack/react-query';
import { Alert, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';

import { describeError } from '../../app/describe-error.js';
import { useI18n, useT } from '../../i18n/index.js';
import { fetchRoles, type RoleDefinition } from './explain.api.js';
import { useServerLabel } from './server-label.js';
import { VisibilityTags } from './VisibilityTags.js';

export const ROLES_QUERY_KEY = ['access', 'roles'] as const;

/** Returns every permission that some role contains, once each, in the order the server lists them. */
function permissionsOf(roles: readonly RoleDefinition[]): string[] {
  return [...new Set(roles.flatMap((role) => role.permissions))];
}

/** Renders every built-in role against every permission, with its data scope and visibility. */
export function RolePermissionTable() {
  const t = useT();
  const { findMessage } = useI18n();
  const labelOf = useServerLabel();
  const roles = useQuery({ queryKey: ROLES_QUERY_KEY, queryFn: fetchRoles, staleTime: 5 * 60_000 });
  const items = roles.data?.items ?? [];

  const permissionColumns: ColumnsType<RoleDefinition> = permissionsOf(items).map((permission) => ({
    key: permission,
    title: findMessage(`explain.permission.${permission}`) ?? permission,
    width: 96,
    align: 'center',
    render: (_, role) => (role.permissions.includes(permission) ? (
        <Typography.Text type="success" data-testid="role-permission" data-permission={permission}>
          {t('explain.held')}
        </Typography.Text>
      ) : null),
  }));

  const columns: ColumnsType<RoleDefinition> = [
    { key: 'role', title: t('explain.column.role'), width: 130, fixed: 'left', render: (_, role) => labelOf(role.label) },
    { key: 'scope', title: t('explain.column.scope'), width: 120, render: (_, role) => findMessage(`explain.scope.${role.scope}`) ?? role.scope },
    { key: 'visibility', title: t('explain.column.visibility'), width: 250, render: (_, role) => <VisibilityTags visibility={role.visibility} /> },
    ...permissionColumns,
  ];

  return (
    <>
      {roles.isError && <Alert type="error" showIcon title={describeError(roles.error, t)} />}
      <Table<RoleDefinition> data-testid="roles-matrix" rowKey="key" size="small" bordered loading={roles.isPending} columns={columns} dataSource={items} pagination={false} scroll={{ x: 500 + permissionColumns.length * 96 }} />
    </>
  );
}
