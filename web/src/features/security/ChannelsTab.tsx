import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Card, Flex, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { ConfirmButton } from '../../app/ConfirmButton.js';
import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { TruncatedText } from '../../app/TruncatedText.js';
import { useT } from '../../i18n/index.js';
import { channelKindLabelKey, isKnownChannelKind } from './channel-labels.js';
import { ChannelFormModal } from './ChannelFormModal.js';
import { DeliveriesTable } from './DeliveriesTable.js';
import { DeliveryStatusTag, SeverityTag } from './security-labels.js';
import { CHANNELS_QUERY_KEY, DELIVERIES_QUERY_KEY, deleteChannel, fetchChannels, testChannel, type Channel } from './security.api.js';

/** The modal's subject: `null` while closed, `'new'` for a new channel, or the channel being changed. */
type Editing = Channel | 'new' | null;

function LastDelivery({ channel }: { channel: Channel }) {
  const t = useT();
  const last = channel.lastDelivery;
  if (last === null) return <Typography.Text type="secondary">{t('security.channel.neverUsed')}</Typography.Text>;

  return (
    <Flex vertical gap={2}>
      <Flex gap={6} align="center">
        <DeliveryStatusTag status={last.status} />
        <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
          {formatFirmTime(last.at)}
        </Typography.Text>
      </Flex>
      {last.error !== null && (
        <Typography.Text type="danger" style={{ maxWidth: 220 }} ellipsis={{ tooltip: last.error }}>
          {last.error}
        </Typography.Text>
      )}
    </Flex>
  );
}

/** 通知渠道: the robots, webhooks and mailboxes alerts go to, each with a test, and the record of what was sent. */
export function ChannelsTab() {
  const t = useT();
  const queryClient = useQueryClient();
  const { message, modal } = AntdApp.useApp();
  const [editing, setEditing] = useState<Editing>(null);
  const [errorText, setErrorText] = useState<string | null>(null);

  const channels = useQuery({ queryKey: CHANNELS_QUERY_KEY, queryFn: fetchChannels });

  const refreshLists = async () => {
    await queryClient.invalidateQueries({ queryKey: CHANNELS_QUERY_KEY });
    await queryClient.invalidateQueries({ queryKey: DELIVERIES_QUERY_KEY });
  };

  const test = useMutation({
    mutationFn: (channel: Channel) => testChannel(channel.id),
    onMutate: () => setErrorText(null),
    onSuccess: async (result, channel) => {
      if (result.delivered) void message.success(t('security.channel.testDelivered', { name: channel.name }));
      else modal.error({ title: t('security.channel.testFailed', { name: channel.name }), content: result.error ?? t('error.unexpected') });
      await refreshLists();
    },
    onError: (error) => setErrorText(describeError(error, t)),
  });

  const remove = useMutation({
    mutationFn: (channel: Channel) => deleteChannel(channel.id),
    onMutate: () => setErrorText(null),
    onSuccess: async (_result, channel) => {
      void message.success(t('security.channel.deleted', { name: channel.name }));
      await refreshLists();
    },
    onError: (error) => setErrorText(describeError(error, t)),
  });

  const columns: ColumnsType<Channel> = [
    { key: 'name', title: t('security.channel.name'), width: 160, ellipsis: { showTitle: false }, render: (_, channel) => <TruncatedText text={channel.name} /> },
    { key: 'kind', title: t('security.channel.kind'), width: 180, render: (_, channel) => (isKnownChannelKind(channel.kind) ? t(channelKindLabelKey(channel.kind)) : channel.kind) },
    {
      key: 'target',
      title: t('security.channel.target'),
      ellipsis: { showTitle: false },
      render: (_, channel) => {
        const target = channel.kind === 'email' ? channel.recipients.join(t('common.listSeparator')) : channel.target;
        return (
          <Flex vertical gap={2}>
            <TruncatedText text={target} />
            {channel.kind !== 'email' && <Typography.Text type="secondary">{t(channel.hasSecret ? 'security.channel.signed' : 'security.channel.unsigned')}</Typography.Text>}
          </Flex>
        );
      },
    },
    { key: 'minSeverity', title: t('security.channel.minSeverity'), width: 130, render: (_, channel) => <SeverityTag severity={channel.minSeverity} /> },
    {
      key: 'enabled',
      title: t('security.channel.enabled'),
      width: 90,
      render: (_, channel) => <Tag color={channel.enabled ? 'success' : 'default'}>{t(channel.enabled ? 'security.channel.on' : 'security.channel.off')}</Tag>,
    },
    { key: 'lastDelivery', title: t('security.channel.lastDelivery'), width: 240, render: (_, channel) => <LastDelivery channel={channel} /> },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 230,
      fixed: 'right',
      render: (_, channel) => (
        <Flex gap={8}>
          <Button size="small" data-testid="channel-test" aria-label={t('security.channel.testLabel', { name: channel.name })} loading={test.isPending && test.variables.id === channel.id} onClick={() => test.mutate(channel)}>
            {t('security.channel.test')}
          </Button>
          <Button size="small" data-testid="channel-edit" aria-label={t('security.channel.editLabel', { name: channel.name })} onClick={() => setEditing(channel)}>
            {t('security.channel.edit')}
          </Button>
          <ConfirmButton
            testId="channel-delete"
            size="small"
            danger
            label={t('security.channel.delete')}
            ariaLabel={t('security.channel.deleteLabel', { name: channel.name })}
            title={t('security.channel.deleteTitle', { name: channel.name })}
            description={t('security.channel.deleteHint')}
            okText={t('security.channel.delete')}
            loading={remove.isPending && remove.variables.id === channel.id}
            onConfirm={() => remove.mutate(channel)}
          />
        </Flex>
      ),
    },
  ];

  const newButton = (
    <Button type="primary" data-testid="channel-new" onClick={() => setEditing('new')}>
      {t('security.channel.new')}
    </Button>
  );

  return (
    <Flex vertical gap={24}>
      <Card title={t('security.channels.title')} extra={newButton} size="small">
        <Flex vertical gap={16}>
          <Typography.Text type="secondary">{t('security.channels.intro')}</Typography.Text>
          {channels.isError && <Alert type="error" showIcon title={describeError(channels.error, t)} />}
          {errorText !== null && <Alert type="error" showIcon closable onClose={() => setErrorText(null)} title={errorText} />}
          <Table<Channel>
            data-testid="channels-table"
            rowKey="id"
            size="small"
            loading={channels.isPending}
            columns={columns}
            dataSource={channels.data?.items ?? []}
            scroll={{ x: 1200 }}
            locale={{ emptyText: t('security.channels.empty') }}
            pagination={false}
          />
        </Flex>
      </Card>
      <Card title={t('security.delivery.title')} size="small">
        <DeliveriesTable channels={channels.data?.items ?? []} />
      </Card>
      {editing !== null && <ChannelFormModal channel={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </Flex>
  );
}
