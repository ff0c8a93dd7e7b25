import type { MessageKey } from '../../../i18n/index.js';
import type { SecondFactorMethod } from '../mfa.api.js';

/** Second factors in the order the sign-in and step-up prompts offer them. */
export const METHOD_ORDER: readonly SecondFactorMethod[] = ['totp', 'sms', 'passkey', 'recovery'];

export const METHOD_LABELS: Readonly<Record<SecondFactorMethod, MessageKey>> = {
  totp: 'mfa.method.totp',
  sms: 'mfa.method.sms',
  passkey: 'mfa.method.passkey',
  recovery: 'mfa.method.recovery',
};

/** Keeps the methods this web app supports, in display order, and drops any that a later server adds. */
export function knownMethods<Method extends SecondFactorMethod>(offered: readonly string[], allowed: readonly Method[]): Method[] {
  return allowed.filter((method) => offered.includes(method));
}
