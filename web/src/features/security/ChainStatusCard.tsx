import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Flex, Tag, Typography } from 'antd';
import type { DescriptionsProps } from 'antd';

import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { useT } from '../../i18n/index.js';
import { useSecurityLabels } from './security-labels.js';
import { CHAIN_STATUS_QUERY_KEY, fetchChainStatus, type ChainStatus } from './security.api.js';

// The head moves with every audit event, so the card follows it without a reload.
const REFRESH_MILLISECONDS = 60_000;

function VerificationResult({ verification }: { verification: NonNullable<ChainStatus['lastVerification']> }) {
  const t = useT();
  const labels = useSecurityLabels();

  if (verification.intact) {
    return (
      <Flex vertical gap={4} align="flex-start">
        <Tag color="success" data-testid="chain-intact" data-intact="true">
          {t('security.chain.intact')}
        </Tag>
        <span>{t('security.chain.checked', { count: verification.checked, time: formatFirmTime(verification.at) ?? '' })}</span>
      </Flex>
    );
  }

  return (
    <Flex vertical gap={4} align="flex-start">
      <Tag color="error" data-testid="chain-intact" data-intact="false">
        {t('security.chain.broken')}
      </Tag>
      <span>{t('security.chain.verifiedAt', { time: formatFirmTime(verification.at) ?? '' })}</span>
      {verification.firstBrokenSeq !== undefined && <Typography.Text type="danger">{t('security.chain.firstBrokenSeq', { seq: verification.firstBrokenSeq })}</Typography.Text>}
      {verification.problem !== undefined && <Typography.Text type="danger">{labels.problem(verification.problem)}</Typography.Text>}
    </Flex>
  );
}

/** Shows the state of the audit hash chain: its head, the last signed checkpoint, the last verification and the retention. */
export function ChainStatusCard() {
  const t = useT();
  const chain = useQuery({ queryKey: CHAIN_STATUS_QUERY_KEY, queryFn: fetchChainStatus, refetchInterval: REFRESH_MILLISECONDS });
  const empty = t('common.empty');

  const refresh = (
    <Button size="small" onClick={() => void chain.refetch()} loading={chain.isFetching && !chain.isPending}>
      {t('common.refresh')}
    </Button>
  );

  let body;
  if (chain.isError) {
    body = <Alert type="error" showIcon title={describeError(chain.error, t)} />;
  } else {
    const status = chain.data;
    const checkpoint = status?.lastCheckpoint ?? null;
    const verification = status?.lastVerification ?? null;
    const items: DescriptionsProps['items'] = [
      { key: 'headSeq', label: t('security.chain.headSeq'), children: status === undefined ? empty : <span data-testid="chain-head">{status.headSeq}</span> },
      {
        key: 'checkpoint',
        label: t('security.chain.lastCheckpoint'),
        children:
          checkpoint === null ? (
            t('security.chain.noCheckpoint')
          ) : (
            <Flex vertical>
              <span>{t('security.chain.checkpointValue', { seq: checkpoint.seq, time: formatFirmTime(checkpoint.signedAt) ?? '' })}</span>
              <Typography.Text type="secondary">{t('security.chain.checkpointKey', { algorithm: checkpoint.algorithm, keyId: checkpoint.keyId })}</Typography.Text>
            </Flex>
          ),
      },
      { key: 'verification', label: t('security.chain.lastVerification'), children: verification === null ? t('security.chain.notVerified') : <VerificationResult verification={verification} /> },
      { key: 'retention', label: t('security.chain.retention'), children: status === undefined ? empty : t('security.chain.retentionDays', { days: status.retentionDays }) },
      {
        key: 'archived',
        label: t('security.chain.archivedThrough'),
        children: status === undefined || status.archivedThroughSeq === null ? t('security.chain.notArchived') : t('security.chain.archivedThroughSeq', { seq: status.archivedThroughSeq }),
      },
    ];
    body = <Descriptions column={1} size="small" items={items} />;
  }

  return (
    <Card title={t('security.chain.title')} extra={refresh} loading={chain.isPending} data-testid="chain-status">
      {body}
    </Card>
  );
}
