import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Form, Modal, Progress, Select, Space, Table, Typography, Upload, message } from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import { useState } from 'react';

import { formatFirmTime } from '../../app/firm-time.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import { type MessageKey, useI18n } from '../../i18n/index.js';
import { DocumentDeliveryDialog } from './DocumentDeliveryDialog.js';
import { type ClientDocument, DOCUMENT_CATEGORIES, type DocumentCategory, type DocumentSort, fetchDocuments, uploadDocument } from './documents.api.js';

const categoryKey = (category: DocumentCategory) => `documents.category.${category}` as MessageKey;

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const SORT_FIELDS: Record<string, 'uploadedAt' | 'category' | 'fileName'> = { uploadedAt: 'uploadedAt', category: 'category', fileName: 'fileName' };

function UploadForm({ clientId, categories, maxMb, onUploaded }: { clientId: string; categories: readonly DocumentCategory[]; maxMb: number; onUploaded: () => void }) {
  const { t, locale } = useI18n();
  const [form] = Form.useForm<{ category: DocumentCategory; file: File | undefined }>();
  const [percent, setPercent] = useState<number | null>(null);
  const [errorText, setErrorText] = useState<string | null>(null);
  const [file, setFile] = useState<File | undefined>();

  const mutation = useMutation({
    mutationFn: ({ category }: { category: DocumentCategory }) => uploadDocument({ clientId, category, file: file!, locale, onProgress: setPercent }),
    onMutate: () => {
      setErrorText(null);
      setPercent(0);
    },
    onSuccess: (created) => {
      void message.success(t('documents.upload.done', { name: created.fileName }));
      form.resetFields();
      setFile(undefined);
      setPercent(null);
      onUploaded();
    },
    onError: (error) => {
      setPercent(null);
      setErrorText(showServerErrorAtFields({ form, error, t, fields: ['category', 'file'], fieldOfCode: { document_type_rejected: 'file', document_too_large: 'file', document_file_missing: 'file' } }));
    },
  });

  return (
    <Form form={form} layout="inline" disabled={mutation.isPending} onFinish={({ category }) => mutation.mutate({ category })} data-testid="document-upload-form">
      <Form.Item name="category" label={t('documents.upload.category')} rules={[{ required: true, message: t('documents.upload.category.required') }]}>
        <Select style={{ width: 160 }} options={categories.map((category) => ({ value: category, label: t(categoryKey(category)) }))} data-testid="document-category" />
      </Form.Item>
      <Form.Item name="file" label={t('documents.upload.file')} rules={[{ validator: () => (file ? Promise.resolve() : Promise.reject(new Error(t('documents.upload.file.required')))) }]}>
        <Upload
          maxCount={1}
          accept=".pdf,.jpg,.jpeg,.png,.ofd,.xlsx,.docx"
          beforeUpload={(chosen) => {
            setFile(chosen);
            form.setFields([{ name: 'file', errors: [] }]);
            return false;
          }}
          onRemove={() => setFile(undefined)}
          fileList={file ? [{ uid: 'chosen', name: file.name, status: 'done' }] : []}
        >
          <Button>{t('documents.upload.file')}</Button>
        </Upload>
      </Form.Item>
      <Form.Item>
        <Button type="primary" htmlType="submit" loading={mutation.isPending}>
          {t('documents.upload.submit')}
        </Button>
      </Form.Item>
      <Flex vertical style={{ width: '100%', marginTop: 8 }} gap={4}>
        <Typography.Text type="secondary">{t('documents.upload.hint', { maxMb })}</Typography.Text>
        {percent !== null && <Progress percent={percent} size="small" data-testid="document-upload-progress" />}
        {errorText !== null && <Alert type="error" showIcon title={errorText} />}
      </Flex>
    </Form>
  );
}

/**
 * Lists the client's documents, sortable and paged, with upload, download and preview. The upload
 * form shows only when both `uploadAllowed` (false for an archived client) and the documents list allow it.
 */
export function DocumentsSection({ clientId, uploadAllowed }: { clientId: string; uploadAllowed: boolean }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(10);
  const [sort, setSort] = useState<DocumentSort>('-uploadedAt');
  const [delivery, setDelivery] = useState<{ document: ClientDocument; kind: 'download' | 'preview' } | null>(null);
  const [preview, setPreview] = useState<{ url: string; document: ClientDocument } | null>(null);

  const queryKey = ['clients', 'documents', clientId, page, pageSize, sort];
  const list = useQuery({ queryKey, queryFn: () => fetchDocuments(clientId, { page, pageSize, sort }) });
  const orderOf = (field: string): SortOrder => (sort === field ? 'ascend' : sort === `-${field}` ? 'descend' : null);

  const closePreview = () => {
    if (preview) URL.revokeObjectURL(preview.url);
    setPreview(null);
  };

  return (
    <Card title={t('documents.title')} size="small" data-testid="client-documents">
      <Flex vertical gap={12}>
        {uploadAllowed && list.data?.abilities.upload && <UploadForm clientId={clientId} categories={list.data.categories} maxMb={list.data.maxMb} onUploaded={() => void queryClient.invalidateQueries({ queryKey: ['clients', 'documents', clientId] })} />}
        <Table<ClientDocument>
          rowKey="id"
          size="small"
          loading={list.isPending}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: t('documents.empty') }}
          pagination={{ current: page, pageSize, total: list.data?.total ?? 0, showSizeChanger: true }}
          onChange={(pagination, _filters, sorter) => {
            setPage(pagination.current ?? 1);
            setPageSize(pagination.pageSize ?? 10);
            const single = Array.isArray(sorter) ? sorter[0] : sorter;
            const field = single?.field ? SORT_FIELDS[String(single.field)] : undefined;
            setSort(field && single?.order ? ((single.order === 'descend' ? `-${field}` : field) as DocumentSort) : '-uploadedAt');
          }}
          columns={[
            { key: 'fileName', dataIndex: 'fileName', title: t('documents.column.fileName'), sorter: true, sortOrder: orderOf('fileName') },
            { key: 'category', dataIndex: 'category', title: t('documents.column.category'), sorter: true, sortOrder: orderOf('category'), render: (category: DocumentCategory) => (DOCUMENT_CATEGORIES.includes(category) ? t(categoryKey(category)) : category) },
            { key: 'size', dataIndex: 'sizeBytes', title: t('documents.column.size'), render: (bytes: number) => formatSize(bytes) },
            { key: 'uploadedAt', dataIndex: 'uploadedAt', title: t('documents.column.uploadedAt'), sorter: true, sortOrder: orderOf('uploadedAt'), render: (at: string) => formatFirmTime(at) },
            { key: 'uploadedBy', dataIndex: 'uploadedBy', title: t('documents.column.uploadedBy'), render: (name: string | null) => name ?? t('common.empty') },
            {
              key: 'actions',
              title: t('documents.column.actions'),
              render: (_value, item) =>
                item.canOpen && (
                  <Space>
                    <Button size="small" type="link" onClick={() => setDelivery({ document: item, kind: 'download' })}>
                      {t('documents.download')}
                    </Button>
                    {item.watermarked && (
                      <Button size="small" type="link" onClick={() => setDelivery({ document: item, kind: 'preview' })}>
                        {t('documents.preview')}
                      </Button>
                    )}
                  </Space>
                ),
            },
          ]}
        />
      </Flex>
      {delivery !== null && <DocumentDeliveryDialog clientId={clientId} document={delivery.document} delivery={delivery.kind} onClose={() => setDelivery(null)} onPreview={(url) => setPreview({ url, document: delivery.document })} />}
      {preview !== null && (
        <Modal open width={900} footer={null} title={t('documents.preview.title', { name: preview.document.fileName })} onCancel={closePreview} destroyOnHidden>
          {preview.document.fileType === 'pdf' ? <iframe title={preview.document.fileName} src={preview.url} style={{ width: '100%', height: '70vh', border: 0 }} /> : <img alt={preview.document.fileName} src={preview.url} style={{ maxWidth: '100%' }} />}
        </Modal>
      )}
    </Card>
  );
}
