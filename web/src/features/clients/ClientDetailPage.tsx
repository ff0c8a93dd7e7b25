import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Flex, Result, Space, Tag } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';

import { isApiError } from '../../api/index.js';
import { describeError } from '../../app/describe-error.js';
import { PageSpinner } from '../../app/guards.js';
import { PageWatermark } from '../../app/PageWatermark.js';
import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { ArchiveClientDialog } from './ArchiveClientDialog.js';
import { assigneeNames } from './client-labels.js';
import { DocumentsSection } from './DocumentsSection.js';
import { fetchClient } from './clients.api.js';
import { FieldGroups } from './FieldGroups.js';
import { PeopleTable } from './PeopleTable.js';
import { RevealDialog, type RevealTarget } from './RevealDialog.js';
import { useRevealedValues } from './use-revealed-values.js';

function ClientDetail({ clientId }: { clientId: string }) {
  const t = useT();
  const client = useQuery({ queryKey: ['clients', 'detail', clientId], queryFn: () => fetchClient(clientId) });
  const { values: revealed, remember, forget } = useRevealedValues();
  const [revealTarget, setRevealTarget] = useState<RevealTarget | null>(null);
  const [archiveOpen, setArchiveOpen] = useState(false);
  const queryClient = useQueryClient();
  useDocumentTitle(client.data?.name ?? t('client.title'));

  if (client.isPending) return <PageSpinner />;

  if (client.isError) {
    // The server returns "not found" for a client outside the member's scope, too.
    const notFound = isApiError(client.error) && (client.error.status === 404 || client.error.status === 403);
    return <Result status={notFound ? '404' : 'error'} title={notFound ? t('client.notFound') : t('client.loadFailed')} subTitle={describeError(client.error, t)} extra={<Link to="/clients">{t('client.backToList')}</Link>} />;
  }

  const detail = client.data;
  const openReveal = (path: string, label: string) => setRevealTarget({ path, label });
  const archived = detail.status === 'archived';

  // Refetches every client query, so this page's status and abilities, the documents list (which
  // drops the upload form) and the client lists all show the archived client.
  const refreshAfterArchive = () => void queryClient.invalidateQueries({ queryKey: ['clients'] });

  const title = (
    <Space size={8}>
      <span>{detail.name}</span>
      {archived && (
        <Tag color="default" data-testid="client-archived-tag">
          {t('client.status.archived')}
        </Tag>
      )}
    </Space>
  );
  const actions = (
    <Space size={16}>
      {detail.abilities.archive && detail.status === 'active' && (
        <Button danger size="small" data-testid="client-archive-open" onClick={() => setArchiveOpen(true)}>
          {t('client.archive.open')}
        </Button>
      )}
      <Link to="/clients">{t('client.backToList')}</Link>
    </Space>
  );

  return (
    <Flex vertical gap={16}>
      <Card title={title} extra={actions}>
        <Descriptions
          size="small"
          column={2}
          items={[
            { key: 'department', label: t('clients.column.department'), children: detail.departmentName ?? t('common.empty') },
            { key: 'assignees', label: t('clients.column.assignees'), children: assigneeNames(detail.assignees, t('common.listSeparator')) || t('common.empty') },
          ]}
        />
        {archived && <Alert type="info" showIcon title={t('client.status.archivedNotice')} style={{ marginTop: 12 }} />}
      </Card>
      <FieldGroups fields={detail.fields} revealed={revealed} canReveal={detail.abilities.reveal} onReveal={openReveal} onHide={forget} />
      {detail.people.length > 0 && (
        <Card title={t('client.group.people')} size="small">
          <PeopleTable people={detail.people} revealed={revealed} canReveal={detail.abilities.reveal} onReveal={openReveal} onHide={forget} />
        </Card>
      )}
      <DocumentsSection clientId={clientId} uploadAllowed={detail.abilities.upload} />
      {archiveOpen && <ArchiveClientDialog clientId={clientId} clientName={detail.name} onClose={() => setArchiveOpen(false)} onArchived={refreshAfterArchive} />}
      {revealTarget !== null && <RevealDialog clientId={clientId} target={revealTarget} onClose={() => setRevealTarget(null)} onRevealed={remember} />}
    </Flex>
  );
}

/**
 * Shows one client's page under a watermark naming the member and the date, so a photo or screenshot
 * of the screen can be traced back to who took it.
 */
export function ClientDetailPage() {
  const { clientId = '' } = useParams();

  return (
    <PageWatermark>
      {/* A new key per client, so values revealed on one client never show on another. */}
      <ClientDetail key={clientId} clientId={clientId} />
    </PageWatermark>
  );
}
