import type { DbOrTrx } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { isInHistory, rememberPassword } from './password-history.js';
import { type PasswordPolicy, DEFAULT_PASSWORD_POLICY, checkPassword, isPasswordExpired, passwordProblemMessage } from './password-policy.js';
import type { PasswordRules } from './password-rules.js';

/** The configured password policy behind the `PasswordRules` port. */
export function createPasswordRules(settings: { minLength: number; minClasses: number; historySize: number; maxAgeDays: number }): PasswordRules {
  const policy: PasswordPolicy = { ...DEFAULT_PASSWORD_POLICY, ...settings };
  return {
    assertAcceptableOrThrow(password, personal, path = 'password') {
      const problems = checkPassword(password, policy, personal);
      if (problems.length > 0) {
        throw new AppError('password_rejected', {}, problems.map((problem) => ({ path, message: { 'zh-CN': passwordProblemMessage(problem, 'zh-CN'), 'en-US': passwordProblemMessage(problem, 'en-US') } })), { problems: problems.map((problem) => ({ code: problem.code, params: problem.params })) });
      }
    },
    isExpired(passwordChangedAt, now) {
      return isPasswordExpired(passwordChangedAt, policy, now);
    },
    isReused(db: DbOrTrx, userId: string, password: string) {
      return isInHistory(db, userId, password, policy.historySize);
    },
    remember(db: DbOrTrx, userId: string, passwordHash: string) {
      return rememberPassword(db, userId, passwordHash, policy.historySize);
    },
  };
}
