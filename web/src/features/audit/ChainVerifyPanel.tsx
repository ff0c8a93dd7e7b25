import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Flex, Typography } from 'antd';

import { describeError } from '../../app/describe-error.js';
import { useT, type MessageKey, type Translate } from '../../i18n/index.js';
import { verifyAuditChain, type ChainProblem, type ChainVerification } from './audit.api.js';

const PROBLEMS: Record<ChainProblem, MessageKey> = {
  hash_mismatch: 'audit.verify.problem.hash_mismatch',
  link_broken: 'audit.verify.problem.link_broken',
  sequence_gap: 'audit.verify.problem.sequence_gap',
  head_mismatch: 'audit.verify.problem.head_mismatch',
  checkpoint_mismatch: 'audit.verify.problem.checkpoint_mismatch',
  checkpoint_signature_invalid: 'audit.verify.problem.checkpoint_signature_invalid',
  truncated: 'audit.verify.problem.truncated',
};

/** Renders the button that has the server recompute the hash chain and check the signed checkpoints. */
export function ChainVerifyButton({ verification }: { verification: ChainVerificationState }) {
  const t = useT();
  return (
    <Button data-testid="audit-verify" loading={verification.isPending} onClick={() => verification.mutate()}>
      {verification.isPending ? t('audit.verify.running') : t('audit.verify.run')}
    </Button>
  );
}

/** Returns the mutation state that the button and the result share. The server records each verification. */
export function useChainVerification() {
  return useMutation({ mutationFn: verifyAuditChain });
}

type ChainVerificationState = ReturnType<typeof useChainVerification>;

/** Renders the result of the last verification or its error, and nothing before the first one. */
export function ChainVerifyResult({ verification }: { verification: ChainVerificationState }) {
  const t = useT();

  if (verification.isError) {
    return <Alert type="error" showIcon title={describeError(verification.error, t)} closable={{ onClose: () => verification.reset() }} data-testid="audit-verify-result" />;
  }
  if (verification.data === undefined) return null;

  const result = verification.data;
  return (
    <Alert
      type={result.intact ? 'success' : 'error'}
      showIcon
      closable={{ onClose: () => verification.reset() }}
      title={result.intact ? t('audit.verify.intact', { checked: result.checked }) : brokenTitle(result, t)}
      description={<VerificationDetails result={result} />}
      data-testid="audit-verify-result"
    />
  );
}

function brokenTitle(result: ChainVerification, t: Translate): string {
  return result.firstBrokenSeq === undefined ? t('audit.verify.broken', { checked: result.checked }) : t('audit.verify.brokenAt', { seq: result.firstBrokenSeq, checked: result.checked });
}

function VerificationDetails({ result }: { result: ChainVerification }) {
  const t = useT();
  const { problem, checkpoints } = result;

  let checkpointText: string | null = null;
  if (checkpoints !== undefined) {
    checkpointText = checkpoints.lastSeq === null ? t('audit.verify.noCheckpoints') : t('audit.verify.checkpoints', { checked: checkpoints.checked, lastSeq: checkpoints.lastSeq });
  }

  return (
    <Flex vertical gap={4}>
      {problem !== undefined && (
        <Typography.Text>
          {Object.hasOwn(PROBLEMS, problem) ? t(PROBLEMS[problem]) : problem} <Typography.Text code>{problem}</Typography.Text>
        </Typography.Text>
      )}
      {checkpointText !== null && <Typography.Text type="secondary">{checkpointText}</Typography.Text>}
    </Flex>
  );
}
