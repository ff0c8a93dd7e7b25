import { request, type Me } from '../../api/index.js';
import type { PasskeyChallenge, PasskeyRegistration } from './second-factor/passkey-ceremony.js';

export type SecondFactorMethod = 'totp' | 'sms' | 'passkey' | 'recovery';
export type EnrolmentMethod = 'totp' | 'passkey';

/** The response to a correct password when a second factor, or its enrolment, is still needed. */
export interface SignInChallenge {
  mfaRequired: true;
  methods: SecondFactorMethod[];
  enrolmentRequired: boolean;
  enrolmentMethods: EnrolmentMethod[];
  phoneMasked: string | null;
}

/** A new TOTP secret, shown once while the member adds it to an authenticator app. */
export interface TotpSetup {
  secret: string;
  otpauthUri: string;
  /** An SVG document of the QR code for `otpauthUri`. */
  qrSvg: string;
}

export interface SmsSent {
  expiresAt: string;
  phoneMasked: string;
}

// Every call below belongs to the short-lived sign-in challenge, not to a session, so a 401 means
// the challenge failed and never that a session was lost.
const CHALLENGE = { reportSessionLoss: false } as const;

export function verifyTotp(input: { code: string; rememberDevice: boolean }): Promise<{ user: Me }> {
  return request('POST', '/api/auth/mfa/totp', { ...CHALLENGE, json: input });
}

export function sendSignInSms(): Promise<SmsSent> {
  return request('POST', '/api/auth/mfa/sms/send', { ...CHALLENGE, json: {} });
}

export function verifySms(input: { code: string; rememberDevice: boolean }): Promise<{ user: Me }> {
  return request('POST', '/api/auth/mfa/sms', { ...CHALLENGE, json: input });
}

export function verifyRecoveryCode(input: { code: string }): Promise<{ user: Me; recoveryCodesRemaining: number }> {
  return request('POST', '/api/auth/mfa/recovery', { ...CHALLENGE, json: input });
}

export function fetchSignInPasskeyOptions(): Promise<PasskeyChallenge<'request'>> {
  return request('POST', '/api/auth/mfa/passkey/options', { ...CHALLENGE, json: {} });
}

export function verifySignInPasskey(input: { challengeId: string; response: unknown; rememberDevice: boolean }): Promise<{ user: Me }> {
  return request('POST', '/api/auth/mfa/passkey', { ...CHALLENGE, json: input });
}

export function startTotpEnrolment(): Promise<TotpSetup> {
  return request('POST', '/api/auth/mfa/enrol/totp', { ...CHALLENGE, json: {} });
}

export function confirmTotpEnrolment(input: { code: string }): Promise<{ user: Me; recoveryCodes: string[] }> {
  return request('POST', '/api/auth/mfa/enrol/totp/confirm', { ...CHALLENGE, json: input });
}

export function fetchEnrolmentPasskeyOptions(): Promise<PasskeyChallenge<'creation'>> {
  return request('POST', '/api/auth/mfa/enrol/passkey/options', { ...CHALLENGE, json: {} });
}

export function completePasskeyEnrolment(input: PasskeyRegistration): Promise<{ user: Me; recoveryCodes: string[] }> {
  return request('POST', '/api/auth/mfa/enrol/passkey', { ...CHALLENGE, json: input });
}

/** Options for signing in with a discoverable passkey alone, without a username or password. */
export function fetchPasswordlessOptions(): Promise<PasskeyChallenge<'request'>> {
  return request('POST', '/api/auth/passkey/options', { ...CHALLENGE, json: {} });
}

export function verifyPasswordless(input: { challengeId: string; response: unknown }): Promise<{ user: Me }> {
  return request('POST', '/api/auth/passkey', { ...CHALLENGE, json: input });
}
