import type { DbOrTrx } from '../db/index.js';

/** The password policy as the sign-in flow uses it; the implementation lives in password-policy.ts. */
export interface PasswordRules {
  /** Throws `password_rejected` (issues at `newPassword`) when the password breaks the policy. */
  assertAcceptableOrThrow(password: string, personal: { username: string; displayName?: string; phone?: string | null }, path?: string): void;
  isExpired(passwordChangedAt: string | null, now: Date): boolean;
  isReused(db: DbOrTrx, userId: string, password: string): Promise<boolean>;
  remember(db: DbOrTrx, userId: string, passwordHash: string): Promise<void>;
}
