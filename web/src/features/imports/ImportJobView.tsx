import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Flex, Progress, Row, Statistic, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect } from 'react';

import type { ImportJob, ImportRejection } from '../../api/index.js';
import { describeError } from '../../app/describe-error.js';
import { PageSpinner } from '../../app/guards.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { fetchImportJob, isFinished, rejectionReportUrl } from './imports.api.js';
import { ImportStatusTag } from './ImportStatusTag.js';

const POLL_MILLISECONDS = 500;

function progressPercent(job: ImportJob): number {
  if (job.status === 'done') return 100;
  if (job.total === 0) return 0;
  return Math.min(100, Math.floor((job.processed / job.total) * 100));
}

function progressStatus(job: ImportJob): 'active' | 'success' | 'exception' | 'normal' {
  if (job.status === 'done') return 'success';
  if (job.status === 'failed') return 'exception';
  return job.status === 'running' ? 'active' : 'normal';
}

function Summary({ job }: { job: ImportJob }) {
  const { t } = useI18n();
  const statistics: { key: string; title: MessageKey; value: number }[] = [
    { key: 'total', title: 'imports.summary.total', value: job.total },
    { key: 'accepted', title: 'imports.summary.accepted', value: job.accepted },
    { key: 'created', title: 'imports.summary.created', value: job.created },
    { key: 'duplicates', title: 'imports.summary.duplicates', value: job.duplicates },
    { key: 'rejected', title: 'imports.summary.rejected', value: job.rejected },
  ];

  return (
    <Row gutter={[16, 16]}>
      {statistics.map(({ key, title, value }) => (
        <Col key={key} xs={12} md={8} xl={4}>
          <Card size="small" data-testid={`import-summary-${key}`}>
            <Statistic title={t(title)} value={value} />
          </Card>
        </Col>
      ))}
    </Row>
  );
}

function Rejections({ job }: { job: ImportJob }) {
  const { t, findMessage } = useI18n();

  const columns: ColumnsType<ImportRejection> = [
    { key: 'row', title: t('imports.rejection.row'), dataIndex: 'row', width: 80 },
    { key: 'column', title: t('imports.rejection.column'), dataIndex: 'column' },
    { key: 'field', title: t('imports.rejection.field'), dataIndex: 'field', render: (field: string) => findMessage(`clientField.${field}`) ?? field },
    { key: 'message', title: t('imports.rejection.message'), dataIndex: 'message' },
    { key: 'code', title: t('imports.rejection.code'), dataIndex: 'code', render: (code: string) => <Typography.Text code>{code}</Typography.Text> },
  ];

  return (
    <Card
      size="small"
      title={t('imports.rejections.title')}
      extra={
        <Button href={rejectionReportUrl(job.id)} download data-testid="import-report-download">
          {t('imports.report.download')}
        </Button>
      }
    >
      <Table<ImportRejection>
        data-testid="import-rejections"
        rowKey={(rejection) => `${rejection.row}:${rejection.column}:${rejection.code}`}
        size="small"
        columns={columns}
        dataSource={job.rejections}
        pagination={{ pageSize: 10, showSizeChanger: false, showTotal: (total) => t('imports.rejections.total', { total }) }}
      />
    </Card>
  );
}

/** Shows one import job: live progress while it runs, then the summary and the rejected rows. */
export function ImportJobView({ jobId }: { jobId: string }) {
  const { t, findMessage } = useI18n();
  const queryClient = useQueryClient();

  const job = useQuery({
    queryKey: ['imports', 'job', jobId],
    queryFn: () => fetchImportJob(jobId),
    refetchInterval: (query) => (query.state.data !== undefined && isFinished(query.state.data) ? false : POLL_MILLISECONDS),
  });

  // A finished import changes the history and the client list, so both are refetched once.
  const finished = job.data !== undefined && isFinished(job.data);
  useEffect(() => {
    if (!finished) return;
    void queryClient.invalidateQueries({ queryKey: ['imports', 'history'] });
    void queryClient.invalidateQueries({ queryKey: ['clients'] });
  }, [finished, queryClient]);

  if (job.isPending) return <PageSpinner />;
  if (job.isError) return <Alert type="error" showIcon title={describeError(job.error, t)} />;

  const data = job.data;
  const phase = findMessage(`imports.phase.${data.phase}`) ?? data.phase;

  return (
    <Flex vertical gap={16}>
      <Card size="small" title={data.fileName} extra={<ImportStatusTag status={data.status} />}>
        <Flex vertical gap={4}>
          <Progress
            data-testid="import-progress"
            aria-label={t('imports.progress.label')}
            percent={progressPercent(data)}
            status={progressStatus(data)}
          />
          <Typography.Text type="secondary" aria-live="polite">
            {t('imports.progress.detail', { phase, processed: data.processed, total: data.total })}
          </Typography.Text>
        </Flex>
      </Card>
      {data.status === 'failed' && <Alert type="error" showIcon title={data.errorMessage ?? t('imports.failed')} description={data.errorCode === null ? undefined : <Tag>{data.errorCode}</Tag>} data-testid="import-error" />}
      {data.status === 'done' && <Summary job={data} />}
      {data.status === 'done' && data.rejected > 0 && <Rejections job={data} />}
      {data.status === 'done' && data.rejected === 0 && <Alert type="success" showIcon title={t('imports.noRejections')} />}
    </Flex>
  );
}
