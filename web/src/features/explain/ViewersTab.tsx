import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Flex, Form, Input, Select, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { categoryLabel } from '../access/request-labels.js';
import { CLIENT_FIELDS } from './client-fields.js';
import { fetchFieldViewers, type Viewer } from './explain.api.js';
import { ReasonTags } from './ReasonTags.js';

interface ViewersForm {
  clientId: string;
  field: string;
}

const FORM_FIELDS = ['clientId', 'field'] as const;

/** 谁能看到: the members shown one field of a client, whether masked or plain, and the role or grant behind each. */
export function ViewersTab() {
  const t = useT();
  const [form] = Form.useForm<ViewersForm>();
  const [errorText, setErrorText] = useState<string | null>(null);

  const viewers = useMutation({
    mutationFn: ({ clientId, field }: ViewersForm) => fetchFieldViewers(clientId.trim(), field),
    onMutate: () => setErrorText(null),
    // The field comes from the list, so `not_found` can only mean the client id.
    onError: (error) => setErrorText(showServerErrorAtFields({ form, error, t, fields: FORM_FIELDS, fieldOfCode: { not_found: 'clientId' } })),
  });

  const columns: ColumnsType<Viewer> = [
    {
      key: 'member',
      title: t('explain.column.member'),
      width: 160,
      render: (_, viewer) => (
        <Flex vertical>
          <span>{viewer.displayName}</span>
          <Typography.Text type="secondary">{viewer.username}</Typography.Text>
        </Flex>
      ),
    },
    {
      key: 'display',
      title: t('explain.column.display'),
      width: 110,
      render: (_, viewer) => (
        <Tag color={viewer.display === 'plain' ? 'green' : 'orange'} data-testid="viewer-display" data-display={viewer.display}>
          {t(viewer.display === 'plain' ? 'explain.visibility.plain' : 'explain.visibility.masked')}
        </Tag>
      ),
    },
    { key: 'canReveal', title: t('explain.column.canReveal'), width: 110, render: (_, viewer) => (viewer.canReveal ? t('explain.yes') : t('explain.no')) },
    { key: 'through', title: t('explain.column.through'), width: 360, render: (_, viewer) => <ReasonTags reasons={viewer.through} /> },
  ];

  const fieldOptions = CLIENT_FIELDS.map((field) => ({ value: field.key, label: t('explain.fieldOption', { field: t(field.label), category: categoryLabel(field.category, t) }) }));

  return (
    <>
      <Form<ViewersForm> form={form} layout="inline" onFinish={(values) => viewers.mutate(values)} style={{ rowGap: 12, marginBottom: 16 }}>
        <Form.Item name="clientId" label={t('explain.clientId')} rules={[{ required: true, whitespace: true, message: t('explain.clientIdRequired') }]}>
          <Input data-testid="explain-viewers-client" placeholder={t('explain.clientIdPlaceholder')} allowClear style={{ width: 240 }} />
        </Form.Item>
        <Form.Item name="field" label={t('explain.field')} rules={[{ required: true, message: t('explain.fieldRequired') }]}>
          <Select data-testid="explain-viewers-field" style={{ width: 260 }} options={fieldOptions} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={viewers.isPending} data-testid="explain-viewers-submit">
            {t('explain.submit')}
          </Button>
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type="error" showIcon title={errorText} />}
      {viewers.data !== undefined && (
        <Table<Viewer>
          data-testid="explain-viewers-table"
          rowKey="userId"
          size="small"
          loading={viewers.isPending}
          columns={columns}
          dataSource={viewers.data.viewers}
          scroll={{ x: 740 }}
          locale={{ emptyText: t('explain.viewers.empty') }}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showTotal: (total) => t('explain.viewers.total', { total }) }}
        />
      )}
    </>
  );
}
