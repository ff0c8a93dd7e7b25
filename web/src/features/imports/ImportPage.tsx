import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Card, Collapse, Flex, Table, Tag, Typography, Upload } from 'antd';
import type { UploadProps } from 'antd';
import { useSearchParams } from 'react-router';

import { describeError } from '../../app/describe-error.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { ImportHistory } from './ImportHistory.js';
import { ImportJobView } from './ImportJobView.js';
import { ACCEPTED_EXTENSIONS, uploadRoster } from './imports.api.js';
import { RECOGNISED_HEADERS, type RecognisedHeader } from './recognised-headers.js';

function hasAcceptedExtension(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  return ACCEPTED_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

function HeaderNote() {
  const t = useT();
  const columns = [
    {
      key: 'field',
      title: t('imports.headers.field'),
      render: (_: unknown, entry: RecognisedHeader) => (
        <>
          {t(entry.field)} {entry.required && <Tag color="red">{t('imports.headers.required')}</Tag>}
        </>
      ),
    },
    {
      key: 'headers',
      title: t('imports.headers.accepted'),
      render: (_: unknown, entry: RecognisedHeader) => entry.headers.map((header) => <Tag key={header}>{header}</Tag>),
    },
  ];

  return (
    <Collapse
      size="small"
      items={[
        {
          key: 'headers',
          label: t('imports.headers.title'),
          children: (
            <Flex vertical gap={8}>
              <Typography.Text type="secondary">{t('imports.headers.intro')}</Typography.Text>
              <Table<RecognisedHeader> rowKey="field" size="small" columns={columns} dataSource={[...RECOGNISED_HEADERS]} pagination={false} />
            </Flex>
          ),
        },
      ]}
    />
  );
}

/** Uploads a client roster and follows the import job it starts. */
export function ImportPage() {
  const t = useT();
  const { message } = AntdApp.useApp();
  const queryClient = useQueryClient();
  const [searchParams, setSearchParams] = useSearchParams();
  const jobId = searchParams.get('job') ?? undefined;
  useDocumentTitle(t('menu.imports'));

  const showJob = (id: string) => setSearchParams({ job: id });

  const upload = useMutation({
    mutationFn: uploadRoster,
    onSuccess: ({ jobId: id }) => {
      showJob(id);
      void queryClient.invalidateQueries({ queryKey: ['imports', 'history'] });
    },
  });

  const uploadProps: UploadProps = {
    accept: ACCEPTED_EXTENSIONS.join(','),
    multiple: false,
    maxCount: 1,
    showUploadList: false,
    disabled: upload.isPending,
    hasControlInside: false,
    beforeUpload: (file) => {
      if (hasAcceptedExtension(file.name)) return true;
      void message.error(t('imports.upload.wrongType'));
      return Upload.LIST_IGNORE;
    },
    // The API client adds the CSRF token and the language header that a plain form post lacks.
    customRequest: ({ file, onSuccess, onError }) => {
      if (!(file instanceof File)) return;
      upload.mutate(file, { onSuccess: (result) => onSuccess?.(result), onError: (error) => onError?.(error) });
    },
  };

  return (
    <Flex vertical gap={16}>
      <Card title={t('menu.imports')}>
        <Flex vertical gap={16}>
          <Upload.Dragger {...uploadProps} data-testid="import-upload" aria-label={t('imports.upload.label')}>
            <Typography.Paragraph strong>{t('imports.upload.title')}</Typography.Paragraph>
            <Typography.Paragraph type="secondary">{t('imports.upload.hint')}</Typography.Paragraph>
          </Upload.Dragger>
          {upload.isError && <Alert type="error" showIcon title={describeError(upload.error, t)} data-testid="import-upload-error" />}
          <HeaderNote />
        </Flex>
      </Card>
      {jobId !== undefined && <ImportJobView key={jobId} jobId={jobId} />}
      <ImportHistory selectedJobId={jobId} onSelect={showJob} />
    </Flex>
  );
}
