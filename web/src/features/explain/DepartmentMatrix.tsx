import { useQuery } from '@tanstack/react-query';
import { Alert, Flex, Form, Table, Tooltip, TreeSelect, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import type { FieldCategory } from '../../api/index.js';
import { describeError } from '../../app/describe-error.js';
import { useT } from '../../i18n/index.js';
import { IdText } from '../access/IdText.js';
import { categoryLabel, useRoleLabel } from '../access/request-labels.js';
import { DEPARTMENTS_QUERY_KEY, fetchDepartments, toTreeOptions } from '../org/departments.api.js';
import { fetchAccessMatrix, type AccessMatrix, type MatrixCell, type Visibility } from './explain.api.js';
import { CATEGORIES } from './VisibilityTags.js';

type MatrixRow = AccessMatrix['rows'][number];

const CELL_COLORS: Readonly<Record<Visibility, string>> = {
  none: '#f0f0f0',
  masked: '#ffd591',
  plain: '#95de64',
};

const VISIBILITY_LABELS = { none: 'explain.visibility.none', masked: 'explain.visibility.masked', plain: 'explain.visibility.plain' } as const;

// One letter per category keeps up to 200 client columns readable, and the tooltip spells the cell out.
const CATEGORY_INITIALS: Readonly<Record<FieldCategory, string>> = { basic: 'B', financial: 'F', sensitive: 'S' };

function CategorySwatch({ category, visibility }: { category: FieldCategory; visibility: Visibility }) {
  return (
    <span data-category={category} data-visibility={visibility} style={{ display: 'inline-block', width: 16, height: 16, lineHeight: '16px', fontSize: 10, textAlign: 'center', background: CELL_COLORS[visibility], borderRadius: 2 }}>
      {CATEGORY_INITIALS[category]}
    </span>
  );
}

/** Renders one member's visibility of one client as a swatch per category, or a dash without access. */
function MatrixCellView({ cell }: { cell: MatrixCell | undefined }) {
  const t = useT();
  if (cell === undefined || !cell.allow || cell.visibility === null) {
    return (
      <Typography.Text type="secondary" data-testid="matrix-cell" data-allow="false">
        {t('common.empty')}
      </Typography.Text>
    );
  }

  const visibility = cell.visibility;
  const description = CATEGORIES.map((category) => t('explain.categoryVisibility', { category: categoryLabel(category, t), visibility: t(VISIBILITY_LABELS[visibility[category]]) })).join(t('common.listSeparator'));
  return (
    <Tooltip title={description}>
      <Flex gap={2} data-testid="matrix-cell" data-allow="true" aria-label={description}>
        {CATEGORIES.map((category) => (
          <CategorySwatch key={category} category={category} visibility={visibility[category]} />
        ))}
      </Flex>
    </Tooltip>
  );
}

function Legend() {
  const t = useT();
  return (
    <Flex gap={16} wrap align="center">
      {CATEGORIES.map((category) => (
        <span key={category}>{t('explain.matrix.initial', { initial: CATEGORY_INITIALS[category], category: categoryLabel(category, t) })}</span>
      ))}
      {(['plain', 'masked', 'none'] as const).map((visibility) => (
        <Flex key={visibility} gap={4} align="center">
          <span style={{ display: 'inline-block', width: 16, height: 16, background: CELL_COLORS[visibility], borderRadius: 2 }} />
          <span>{t(VISIBILITY_LABELS[visibility])}</span>
        </Flex>
      ))}
      <span>{t('explain.matrix.noAccess')}</span>
    </Flex>
  );
}

/** Picks a department and shows its members × its clients, with each category's visibility. */
export function DepartmentMatrix() {
  const t = useT();
  const roleLabel = useRoleLabel();
  const [departmentId, setDepartmentId] = useState<string | undefined>(undefined);

  const departments = useQuery({ queryKey: DEPARTMENTS_QUERY_KEY, queryFn: fetchDepartments, staleTime: 5 * 60_000 });
  const matrix = useQuery({ queryKey: ['access', 'matrix', departmentId], queryFn: () => fetchAccessMatrix(departmentId ?? ''), enabled: departmentId !== undefined });

  const data = matrix.data;
  // The server lists each row's cells in `clientIds` order. The id check covers a response where the orders differ.
  const cellAt = (row: MatrixRow, index: number, clientId: string) => {
    const cell = row.cells[index];
    return cell?.clientId === clientId ? cell : row.cells.find((candidate) => candidate.clientId === clientId);
  };
  const clientColumns: ColumnsType<MatrixRow> = (data?.clientIds ?? []).map((clientId, index) => ({
    key: clientId,
    title: <IdText id={clientId} />,
    width: 110,
    render: (_, row) => <MatrixCellView cell={cellAt(row, index, clientId)} />,
  }));

  const columns: ColumnsType<MatrixRow> = [
    {
      key: 'member',
      title: t('explain.column.member'),
      width: 180,
      fixed: 'left',
      render: (_, row) => (
        <Flex vertical>
          <span>{row.displayName}</span>
          <Typography.Text type="secondary">{row.roles.map(roleLabel).join(t('common.listSeparator'))}</Typography.Text>
        </Flex>
      ),
    },
    ...clientColumns,
  ];

  return (
    <Flex vertical gap={16}>
      <Form layout="inline">
        <Form.Item label={t('explain.matrix.department')} validateStatus={departments.isError ? 'error' : undefined} help={departments.isError ? describeError(departments.error, t) : undefined}>
          <TreeSelect
            data-testid="matrix-department"
            style={{ width: 280 }}
            value={departmentId}
            onChange={(value: string) => setDepartmentId(value)}
            treeData={toTreeOptions(departments.data?.items ?? [])}
            loading={departments.isPending}
            treeDefaultExpandAll
            showSearch
            treeNodeFilterProp="title"
            placeholder={t('explain.matrix.departmentPlaceholder')}
          />
        </Form.Item>
      </Form>
      <Legend />
      {matrix.isError && <Alert type="error" showIcon title={describeError(matrix.error, t)} />}
      {data?.truncated === true && <Alert type="warning" showIcon title={t('explain.matrix.truncated', { shown: data.clientIds.length })} />}
      {departmentId !== undefined && (
        <Table<MatrixRow>
          data-testid="access-matrix"
          rowKey="userId"
          size="small"
          bordered
          loading={matrix.isFetching}
          columns={columns}
          dataSource={data?.rows ?? []}
          scroll={{ x: 180 + clientColumns.length * 110 }}
          locale={{ emptyText: t('explain.matrix.empty') }}
          pagination={false}
        />
      )}
    </Flex>
  );
}
