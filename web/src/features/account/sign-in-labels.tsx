import { Tag } from 'antd';

import { useI18n, type MessageKey } from '../../i18n/index.js';
import type { SignInRecord } from './account.api.js';

const OUTCOMES: Readonly<Record<SignInRecord['outcome'], { label: MessageKey; color: string }>> = {
  success: { label: 'signIns.outcome.success', color: 'success' },
  failure: { label: 'signIns.outcome.failure', color: 'error' },
  denied: { label: 'signIns.outcome.denied', color: 'warning' },
};

export function SignInOutcomeTag({ outcome }: { outcome: string }) {
  const { t } = useI18n();
  const known = Object.hasOwn(OUTCOMES, outcome) ? OUTCOMES[outcome as SignInRecord['outcome']] : undefined;
  return <Tag color={known?.color ?? 'default'}>{known === undefined ? outcome : t(known.label)}</Tag>;
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
