import type { FormRule } from 'antd';

import type { MessageKey, Translate } from '../../i18n/index.js';
import { findPasswordProblem, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, type PasswordProblem } from './password-policy.js';

const PASSWORD_PROBLEM_KEYS = {
  tooShort: 'setup.password.tooShort',
  tooLong: 'setup.password.tooLong',
  tooFewClasses: 'setup.password.tooFewClasses',
} as const satisfies Record<PasswordProblem, MessageKey>;

/** Returns a form rule that checks a new password against the copy of the policy before it is sent. */
export function newPasswordRule(t: Translate): FormRule {
  return {
    validator: (_rule, value: unknown) => {
      const problem = typeof value === 'string' && value !== '' ? findPasswordProblem(value) : undefined;
      if (problem === undefined) return Promise.resolve();
      return Promise.reject(new Error(t(PASSWORD_PROBLEM_KEYS[problem], { min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH })));
    },
  };
}

/** Returns a form rule that requires the value to equal the field `otherField`, for "type it again" inputs. */
export function sameAsRule(otherField: string, message: string): FormRule {
  return ({ getFieldValue }) => ({
    validator: (_rule, value: unknown) => (value === undefined || value === '' || value === getFieldValue(otherField) ? Promise.resolve() : Promise.reject(new Error(message))),
  });
}
