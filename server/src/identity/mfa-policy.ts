import { ROLES, type RoleKey } from '../access/index.js';

/**
 * The second factor a member must use: `strong` (authenticator app or passkey; SMS only as a
 * fallback once one of those is set up), `any` (SMS is enough) or `none` (second factors off).
 */
export type RequiredFactor = 'strong' | 'any' | 'none';

export type SignInMethod = 'totp' | 'sms' | 'passkey' | 'recovery';

export interface AvailableFactors {
  readonly totp: boolean;
  readonly passkey: boolean;
  readonly sms: boolean;
  readonly recovery: boolean;
}

/**
 * Returns the factor a member's roles require. Roles that read sensitive values in plain, and the
 * three administrator roles, need a strong factor, because a SIM swap can redirect an SMS code.
 */
export function requiredFactor(roles: readonly RoleKey[], secondFactorRequired: boolean): RequiredFactor {
  if (!secondFactorRequired) {
    return 'none';
  }
  const strong = roles.some((key) => {
    const role = ROLES[key];
    return role.scope === 'none' || (role.permissions.includes('client:reveal') && role.visibility.sensitive === 'plain');
  });
  return strong ? 'strong' : 'any';
}

/** The methods a sign-in may use now, and whether the member must first set one up. */
export function signInOptions(required: RequiredFactor, factors: AvailableFactors): { methods: SignInMethod[]; enrolmentRequired: boolean } {
  const hasStrong = factors.totp || factors.passkey;
  let enrolmentRequired = false;
  if (required === 'strong') {
    enrolmentRequired = !hasStrong;
  } else if (required === 'any') {
    enrolmentRequired = !hasStrong && !factors.sms;
  }
  if (enrolmentRequired) {
    return { methods: [], enrolmentRequired: true };
  }

  const methods: SignInMethod[] = [];
  if (factors.totp) methods.push('totp');
  if (factors.passkey) methods.push('passkey');
  if (factors.sms) methods.push('sms');
  if (factors.recovery) methods.push('recovery');
  return { methods, enrolmentRequired: false };
}

/** Methods that confirm a step-up: recovery codes are for a lost device, not for everyday use. */
export function stepUpMethods(factors: AvailableFactors): Exclude<SignInMethod, 'recovery'>[] {
  const methods: Exclude<SignInMethod, 'recovery'>[] = [];
  if (factors.totp) methods.push('totp');
  if (factors.passkey) methods.push('passkey');
  if (factors.sms) methods.push('sms');
  return methods;
}
