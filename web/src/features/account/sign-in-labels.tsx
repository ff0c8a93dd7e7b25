import { Tag } from 'antd';

import { useI18n, type MessageKey } from '../../i18n/index.js';
import type { SignInRecord, SignInStep } from './account.api.js';

type TagStyle = { label: MessageKey; color: string };

const OUTCOMES: Readonly<Record<SignInRecord['outcome'], TagStyle>> = {
  success: { label: 'signIns.outcome.success', color: 'success' },
  failure: { label: 'signIns.outcome.failure', color: 'error' },
  denied: { label: 'signIns.outcome.denied', color: 'warning' },
};

// The server records a correct password as a success before the second factor. Such a record
// opened no session, so it must not read like a finished sign-in.
const PENDING_STEPS: Readonly<Partial<Record<SignInStep, TagStyle>>> = {
  second_factor_required: { label: 'signIns.outcome.secondFactorPending', color: 'processing' },
  enrolment_required: { label: 'signIns.outcome.enrolmentPending', color: 'processing' },
};

function findTagStyle(outcome: string, step: string | null): TagStyle | undefined {
  if (outcome === 'success' && step !== null && Object.hasOwn(PENDING_STEPS, step)) return PENDING_STEPS[step as SignInStep];
  return Object.hasOwn(OUTCOMES, outcome) ? OUTCOMES[outcome as SignInRecord['outcome']] : undefined;
}

/** Renders a sign-in attempt's result, telling a password-only success apart from an opened session. */
export function SignInOutcomeTag({ outcome, step = null }: { outcome: string; step?: string | null }) {
  const { t } = useI18n();
  const known = findTagStyle(outcome, step);
  return (
    <Tag color={known?.color ?? 'default'} data-testid="sign-in-outcome" data-outcome={outcome} data-step={step ?? undefined}>
      {known === undefined ? outcome : t(known.label)}
    </Tag>
  );
}

/**
 * Returns a function naming how a session was opened or a sign-in was tried. The server joins
 * the steps with `+` (`password+totp`), and each step is named on its own; unknown steps keep
 * their raw name.
 */
export function useAuthMethodLabel(): (method: string | null) => string {
  const { t, findMessage } = useI18n();
  return (method) => {
    if (method === null || method === '') return t('common.empty');
    return method
      .split('+')
      .map((step) => findMessage(`authMethod.${step}`) ?? step)
      .join(' + ');
  };
}

/** Returns a function naming why a sign-in failed, or the server's raw reason when it has no label. */
export function useSignInFailureLabel(): (failure: string | null) => string | null {
  const { findMessage } = useI18n();
  return (failure) => (failure === null || failure === '' ? null : (findMessage(`signIns.failure.${failure}`) ?? failure));
}
