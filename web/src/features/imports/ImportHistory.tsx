import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';

import type { ImportJobSummary } from '../../api/index.js';
import { describeError } from '../../app/describe-error.js';
import { useT } from '../../i18n/index.js';
import { fetchImportJobs } from './imports.api.js';
import { ImportStatusTag } from './ImportStatusTag.js';

/** Lists the caller's recent imports. Choosing one shows its progress or report. */
export function ImportHistory({ selectedJobId, onSelect }: { selectedJobId: string | undefined; onSelect: (jobId: string) => void }) {
  const t = useT();
  const history = useQuery({ queryKey: ['imports', 'history'], queryFn: fetchImportJobs });

  const columns: ColumnsType<ImportJobSummary> = [
    {
      key: 'fileName',
      title: t('imports.history.fileName'),
      render: (_, job) => (
        <Button type="link" size="small" disabled={job.id === selectedJobId} onClick={() => onSelect(job.id)} style={{ padding: 0 }}>
          {job.fileName}
        </Button>
      ),
    },
    { key: 'status', title: t('imports.history.status'), render: (_, job) => <ImportStatusTag status={job.status} /> },
    { key: 'total', title: t('imports.summary.total'), dataIndex: 'total' },
    { key: 'created', title: t('imports.summary.created'), dataIndex: 'created' },
    { key: 'duplicates', title: t('imports.summary.duplicates'), dataIndex: 'duplicates' },
    { key: 'rejected', title: t('imports.summary.rejected'), dataIndex: 'rejected' },
  ];

  return (
    <Card size="small" title={t('imports.history.title')}>
      {history.isError ? (
        <Alert type="error" showIcon title={describeError(history.error, t)} />
      ) : (
        <Table<ImportJobSummary>
          data-testid="import-history"
          rowKey="id"
          size="small"
          loading={history.isPending}
          columns={columns}
          dataSource={history.data?.items ?? []}
          pagination={{ pageSize: 5, hideOnSinglePage: true }}
          locale={{ emptyText: t('imports.history.empty') }}
        />
      )}
    </Card>
  );
}
