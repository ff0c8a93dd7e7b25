import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Flex, Form, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { formatFirmTime } from '../../app/firm-time.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { IdText } from '../access/IdText.js';
import { actionLabel, categoryLabel } from '../access/request-labels.js';
import { fetchMemberReach, type MemberReach } from './explain.api.js';
import { MemberIdInput } from './MemberIdInput.js';
import { ReasonTags } from './ReasonTags.js';
import { useServerLabel } from './server-label.js';
import { VisibilityTags } from './VisibilityTags.js';

type ReachRole = MemberReach['roles'][number];
type ReachGrant = MemberReach['grants'][number];

/** 成员权限: a member's roles with scope and visibility, client count and grants. */
export function ReachTab() {
  const t = useT();
  const labelOf = useServerLabel();
  const [form] = Form.useForm<{ userId: string }>();
  const [errorText, setErrorText] = useState<string | null>(null);

  const reach = useMutation({
    mutationFn: ({ userId }: { userId: string }) => fetchMemberReach(userId),
    onMutate: () => setErrorText(null),
    onError: (error) => setErrorText(showServerErrorAtFields({ form, error, t, fields: ['userId'], fieldOfCode: { not_found: 'userId' } })),
  });

  const roleColumns: ColumnsType<ReachRole> = [
    { key: 'role', title: t('explain.column.role'), width: 140, render: (_, role) => labelOf(role.label) },
    { key: 'scope', title: t('explain.column.scope'), width: 140, render: (_, role) => <ReasonTags reasons={[role.scope]} /> },
    { key: 'visibility', title: t('explain.column.visibility'), width: 240, render: (_, role) => <VisibilityTags visibility={role.visibility} /> },
    { key: 'permissions', title: t('explain.column.permissions'), width: 260, render: (_, role) => role.permissions.map((permission) => <Tag key={permission}>{permission}</Tag>) },
    { key: 'clientCount', title: t('explain.column.clientCount'), width: 100, render: (_, role) => role.clientCount },
  ];

  const grantColumns: ColumnsType<ReachGrant> = [
    { key: 'grant', title: t('explain.column.grant'), width: 260, render: (_, grant) => <ReasonTags reasons={[grant.reason]} /> },
    {
      key: 'target',
      title: t('explain.column.target'),
      width: 160,
      render: (_, grant) => {
        if (grant.clientId !== null) return <IdText id={grant.clientId} />;
        if (grant.departmentId !== null) return <IdText id={grant.departmentId} />;
        return t('common.empty');
      },
    },
    { key: 'categories', title: t('explain.column.categories'), width: 200, render: (_, grant) => grant.categories.map((category) => <Tag key={category}>{categoryLabel(category, t)}</Tag>) },
    { key: 'actions', title: t('explain.column.actions'), width: 200, render: (_, grant) => grant.actions.map((action) => actionLabel(action, t)).join(t('common.listSeparator')) },
    {
      key: 'window',
      title: t('explain.column.window'),
      width: 180,
      render: (_, grant) => (
        <Flex vertical>
          <span>{formatFirmTime(grant.startsAt)}</span>
          <span>{formatFirmTime(grant.endsAt)}</span>
          {!grant.inWindow && <Typography.Text type="secondary">{t('explain.grantNotStarted')}</Typography.Text>}
        </Flex>
      ),
    },
  ];

  const data = reach.data;
  return (
    <>
      <Form form={form} layout="inline" onFinish={(values) => reach.mutate(values)} style={{ rowGap: 12, marginBottom: 16 }}>
        <Form.Item name="userId" label={t('explain.member')} rules={[{ required: true, message: t('explain.memberRequired') }]} style={{ minWidth: 320 }}>
          <MemberIdInput testId="explain-reach-user" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={reach.isPending} data-testid="explain-reach-submit">
            {t('explain.submit')}
          </Button>
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type="error" showIcon title={errorText} />}
      {data !== undefined && (
        <Flex vertical gap={16} data-testid="explain-reach-result">
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={t('explain.member')}>{t('explain.memberOption', { name: data.displayName, username: data.username })}</Descriptions.Item>
            <Descriptions.Item label={t('explain.reach.status')}>
              <Tag color={data.status === 'active' ? 'green' : 'default'}>{t(data.status === 'active' ? 'explain.reach.active' : 'explain.reach.disabled')}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('explain.reach.department')}>{data.departmentId === null ? t('app.noDepartment') : <IdText id={data.departmentId} />}</Descriptions.Item>
            <Descriptions.Item label={t('explain.reach.clientCount')}>
              <span data-testid="explain-reach-client-count">{data.clientCount}</span>
            </Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5}>{t('explain.reach.roles')}</Typography.Title>
          <Table<ReachRole> rowKey="key" size="small" pagination={false} columns={roleColumns} dataSource={data.roles} scroll={{ x: 880 }} locale={{ emptyText: t('explain.reach.noRoles') }} />
          <Typography.Title level={5}>{t('explain.reach.grants')}</Typography.Title>
          <Table<ReachGrant> rowKey="id" size="small" pagination={false} columns={grantColumns} dataSource={data.grants} scroll={{ x: 1000 }} locale={{ emptyText: t('explain.reach.noGrants') }} />
        </Flex>
      )}
    </>
  );
}
