import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/browser';

import { isApiError } from '../../../api/index.js';
import { describeError } from '../../../app/describe-error.js';
import type { Translate } from '../../../i18n/index.js';

/** Options for one WebAuthn ceremony; the server keeps the challenge under `challengeId`. */
export interface PasskeyChallenge<Kind extends 'request' | 'creation'> {
  challengeId: string;
  options: Kind extends 'request' ? PublicKeyCredentialRequestOptionsJSON : PublicKeyCredentialCreationOptionsJSON;
}

export interface PasskeyAssertion {
  challengeId: string;
  response: AuthenticationResponseJSON;
}

export interface PasskeyRegistration {
  challengeId: string;
  response: RegistrationResponseJSON;
  name: string;
}

export function isPasskeySupported(): boolean {
  return browserSupportsWebAuthn();
}

/** Fetches request options, lets the authenticator sign the challenge and sends the signature back. */
export async function authenticateWithPasskey<Result>({
  fetchOptions,
  verify,
}: {
  fetchOptions: () => Promise<PasskeyChallenge<'request'>>;
  verify: (assertion: PasskeyAssertion) => Promise<Result>;
}): Promise<Result> {
  const { challengeId, options } = await fetchOptions();
  const response = await startAuthentication({ optionsJSON: options });
  return verify({ challengeId, response });
}

/** Fetches creation options, lets the authenticator create a key pair and registers its public key under `name`. */
export async function registerPasskey<Result>({
  name,
  fetchOptions,
  complete,
}: {
  name: string;
  fetchOptions: () => Promise<PasskeyChallenge<'creation'>>;
  complete: (registration: PasskeyRegistration) => Promise<Result>;
}): Promise<Result> {
  const { challengeId, options } = await fetchOptions();
  const response = await startRegistration({ optionsJSON: options });
  return complete({ challengeId, response, name });
}

/**
 * Returns the text for a failed passkey ceremony. Browser errors carry English developer messages,
 * so they map to the locale's text by their WebAuthn name or code. Server errors keep their message.
 */
export function describePasskeyError(error: unknown, t: Translate): string {
  if (isApiError(error)) return describeError(error, t);

  // The browser raises NotAllowedError both when the member cancels and when the prompt times out.
  if (error instanceof Error && error.name === 'NotAllowedError') return t('passkey.error.cancelled');
  if (error instanceof WebAuthnError && error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return t('passkey.error.alreadyRegistered');
  if (!isPasskeySupported()) return t('passkey.error.unsupported');
  return t('passkey.error.failed');
}
