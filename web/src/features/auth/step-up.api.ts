import { request } from '../../api/index.js';
import type { SmsSent } from './mfa.api.js';
import type { PasskeyChallenge } from './second-factor/passkey-ceremony.js';

export type StepUpMethod = 'totp' | 'sms' | 'passkey';

export const STEP_UP_METHODS: readonly StepUpMethod[] = ['totp', 'sms', 'passkey'];

interface StepUpDone {
  secondFactorAt: string;
}

// A wrong code returns 401 inside a valid session. The server's codes for that are listed in
// `isSessionLoss`, so a real session loss here still signs the member out.
export function stepUpWithTotp(input: { code: string }): Promise<StepUpDone> {
  return request('POST', '/api/auth/step-up/totp', { json: input });
}

export function sendStepUpSms(): Promise<SmsSent> {
  return request('POST', '/api/auth/step-up/sms/send', { json: {} });
}

export function stepUpWithSms(input: { code: string }): Promise<StepUpDone> {
  return request('POST', '/api/auth/step-up/sms', { json: input });
}

export function fetchStepUpPasskeyOptions(): Promise<PasskeyChallenge<'request'>> {
  return request('POST', '/api/auth/step-up/passkey/options', { json: {} });
}

export function stepUpWithPasskey(input: { challengeId: string; response: unknown }): Promise<StepUpDone> {
  return request('POST', '/api/auth/step-up/passkey', { json: input });
}
