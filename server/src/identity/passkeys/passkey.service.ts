import { createHash, randomBytes } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { Db } from '../../db/index.js';
import * as repository from './passkey.repository.js';
import type { ChallengePurpose, CredentialRecord } from './passkey.repository.js';

export const PASSKEY_ERROR_CODES = [
  'passkey_challenge_invalid',
  'passkey_verification_failed',
  'passkey_already_registered',
  'passkey_name_invalid',
  'passkey_unknown_credential',
  'passkey_counter_invalid',
  'passkey_not_found',
] as const;

export type PasskeyErrorCode = (typeof PASSKEY_ERROR_CODES)[number];

/** A rejected passkey operation. `code` is stable and safe to show, and `cause` is for logs only. */
export class PasskeyError extends Error {
  readonly code: PasskeyErrorCode;

  constructor(code: PasskeyErrorCode, options?: { cause?: unknown }) {
    super(code, options);
    this.name = 'PasskeyError';
    this.code = code;
  }
}

/** A passkey as its owner sees it in the list of their sign-in methods. */
export interface PasskeySummary {
  id: string;
  name: string;
  deviceType: string;
  backedUp: boolean;
  transports: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

export interface PasskeyServiceOptions {
  db: Db;
  /** The registrable domain the credentials are scoped to, such as `ledger.example.cn`. */
  rpId: string;
  rpName?: string;
  /** Every origin the web app is served from, such as `https://ledger.example.cn`. */
  origins: readonly string[];
  now?: () => Date;
}

// WebAuthn Level 3 recommends a ceremony timeout of 300000 to 600000 ms, default 300000 ms. The
// stored challenge expires when the browser's timeout ends.
const CEREMONY_TIMEOUT_MS = 300_000;
// ES256 (COSE -7) and RS256 (COSE -257). RS256 is for authenticators with RSA keys, such as
// TPM-backed Windows Hello.
const SUPPORTED_ALGORITHM_IDS = [-7, -257];
const DEFAULT_NAME = '通行密钥';
const MAX_NAME_LENGTH = 64;
// WebAuthn Level 3, §7.1: credential ids longer than 1023 bytes SHOULD fail registration.
const MAX_CREDENTIAL_ID_BYTES = 1023;
// The AuthenticatorTransport values of WebAuthn Level 3. Any other value a client sends is dropped.
const KNOWN_TRANSPORTS = new Set(['usb', 'nfc', 'ble', 'smart-card', 'hybrid', 'internal']);

/**
 * Registers passkeys and verifies passkey assertions with @simplewebauthn/server. Every ceremony
 * uses a single-use challenge stored in `webauthn_challenges` and requires user verification, so a
 * passkey alone proves both possession and the fingerprint, face or PIN check.
 */
export class PasskeyService {
  readonly #db: Db;
  readonly #rpId: string;
  readonly #rpName: string;
  readonly #origins: readonly string[];
  readonly #now: () => Date;

  constructor({ db, rpId, rpName = '账安 LedgerGuard', origins, now = () => new Date() }: PasskeyServiceOptions) {
    if (origins.length === 0) throw new Error('PasskeyService requires at least one expected origin, such as https://ledger.example.cn');
    this.#db = db;
    this.#rpId = rpId;
    this.#rpName = rpName;
    this.#origins = Object.freeze([...origins]);
    this.#now = now;
  }

  /** Creates options for `navigator.credentials.create()` and stores their challenge. */
  async registrationOptions(user: { id: string; username: string; displayName: string }): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; challengeId: string }> {
    const existing = await repository.listCredentials(this.#db, user.id);

    // A discoverable credential lets the user sign in without typing a username. No attachment is
    // set, so platform authenticators and security keys are both offered.
    const options = await generateRegistrationOptions({
      rpName: this.#rpName,
      rpID: this.#rpId,
      userName: user.username,
      userID: userHandleOf(user.id),
      userDisplayName: user.displayName,
      timeout: CEREMONY_TIMEOUT_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((credential) => ({ id: credential.id, transports: credential.transports })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: SUPPORTED_ALGORITHM_IDS,
    });

    const challengeId = await this.#storeChallenge({ userId: user.id, purpose: 'register', challenge: options.challenge });
    return { options, challengeId };
  }

  /** Verifies a registration response and stores the new credential, or throws `PasskeyError`. */
  async verifyRegistration({
    userId,
    challengeId,
    response,
    name,
  }: {
    userId: string;
    challengeId: string;
    response: RegistrationResponseJSON;
    name?: string;
  }): Promise<{ id: string; name: string }> {
    // The name is checked first so that a bad name does not spend the challenge.
    const credentialName = normalizeName(name, DEFAULT_NAME);

    const challenge = await this.#takeChallengeOrThrow(challengeId, 'register');
    if (challenge.userId !== userId) throw new PasskeyError('passkey_challenge_invalid');

    const verification = await verifyOrThrow(() =>
      verifyRegistrationResponse({
        response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: [...this.#origins],
        expectedRPID: this.#rpId,
        requireUserVerification: true,
        supportedAlgorithmIDs: SUPPORTED_ALGORITHM_IDS,
      }),
    );
    if (!verification.verified) throw new PasskeyError('passkey_verification_failed');
    const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;

    if (isoBase64URL.toBuffer(credential.id).length > MAX_CREDENTIAL_ID_BYTES) throw new PasskeyError('passkey_verification_failed');

    // WebAuthn Level 3, §7.1: a credential id already registered to any user SHOULD fail, or an
    // attacker who learnt a victim's id and public key could bind them to the attacker's account.
    if (await repository.findCredential(this.#db, credential.id)) throw new PasskeyError('passkey_already_registered');

    await repository.insertCredential(this.#db, {
      id: credential.id,
      userId,
      name: credentialName,
      publicKey: isoBase64URL.fromBuffer(credential.publicKey),
      counter: credential.counter,
      transports: (credential.transports ?? []).filter((transport) => KNOWN_TRANSPORTS.has(transport)),
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp,
      createdAt: this.#now().toISOString(),
    });
    return { id: credential.id, name: credentialName };
  }

  /**
   * Creates options for `navigator.credentials.get()`. With `userId` (second factor, step-up) only
   * that user's passkeys are allowed and a user without any gets `passkey_not_found`. Without it
   * the list is empty, so the browser offers any discoverable passkey for this site.
   */
  async authenticationOptions({ userId }: { userId?: string } = {}): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; challengeId: string }> {
    const allowCredentials = userId === undefined ? [] : await repository.listCredentials(this.#db, userId);
    if (userId !== undefined && allowCredentials.length === 0) throw new PasskeyError('passkey_not_found');

    const options = await generateAuthenticationOptions({
      rpID: this.#rpId,
      allowCredentials: allowCredentials.map((credential) => ({ id: credential.id, transports: credential.transports })),
      userVerification: 'required',
      timeout: CEREMONY_TIMEOUT_MS,
    });

    const challengeId = await this.#storeChallenge({ userId: userId ?? null, purpose: 'authenticate', challenge: options.challenge });
    return { options, challengeId };
  }

  /**
   * Verifies an assertion, records the credential's new signature counter and returns the owner.
   * Throws `PasskeyError` for an invalid challenge, an unknown credential (another user's included),
   * a failed verification or a counter that did not advance.
   */
  async verifyAuthentication({
    challengeId,
    response,
    expectedUserId,
  }: {
    challengeId: string;
    response: AuthenticationResponseJSON;
    expectedUserId?: string;
  }): Promise<{ userId: string; credentialId: string }> {
    const challenge = await this.#takeChallengeOrThrow(challengeId, 'authenticate');

    // A challenge issued for one user's step-up cannot be spent in another user's session.
    if (challenge.userId !== null && expectedUserId !== undefined && challenge.userId !== expectedUserId) throw new PasskeyError('passkey_challenge_invalid');
    const requiredOwner = challenge.userId ?? expectedUserId;

    const credential = typeof response?.id === 'string' ? await repository.findCredential(this.#db, response.id) : undefined;
    if (!credential || (requiredOwner !== undefined && credential.userId !== requiredOwner)) throw new PasskeyError('passkey_unknown_credential');
    this.#checkUserHandle(credential, response.response?.userHandle, requiredOwner === undefined);

    // In @simplewebauthn/server 14.0.3 the library's counter check runs before the signature check
    // and throws a plain Error. It is given counter 0, which it never rejects, and the rule is
    // applied below, after the signature is known to be good.
    const verification = await verifyOrThrow(() =>
      verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: [...this.#origins],
        expectedRPID: this.#rpId,
        credential: { id: credential.id, publicKey: isoBase64URL.toBuffer(credential.publicKey), counter: 0, transports: credential.transports },
        requireUserVerification: true,
      }),
    );
    if (!verification.verified) throw new PasskeyError('passkey_verification_failed');
    const { newCounter, credentialBackedUp } = verification.authenticationInfo;

    // WebAuthn Level 3, §7.2: when either the stored or the new signature counter is non-zero, a
    // new counter that is not greater signals a cloned authenticator. Authenticators that do not
    // implement a counter report 0 every time and pass.
    if ((newCounter !== 0 || credential.counter !== 0) && newCounter <= credential.counter) throw new PasskeyError('passkey_counter_invalid');

    const recorded = await repository.recordCredentialUse(this.#db, {
      id: credential.id,
      previousCounter: credential.counter,
      counter: newCounter,
      backedUp: credentialBackedUp,
      usedAt: this.#now().toISOString(),
    });
    // Another assertion with the same counter value was recorded in the meantime.
    if (!recorded) throw new PasskeyError('passkey_counter_invalid');

    return { userId: credential.userId, credentialId: credential.id };
  }

  async list(userId: string): Promise<PasskeySummary[]> {
    const credentials = await repository.listCredentials(this.#db, userId);
    return credentials.map(({ id, name, deviceType, backedUp, transports, createdAt, lastUsedAt }) => ({ id, name, deviceType, backedUp, transports, createdAt, lastUsedAt }));
  }

  /** Renames one of the user's own passkeys. Another user's passkey is `passkey_not_found`. */
  async rename(userId: string, credentialId: string, name: string): Promise<{ id: string; name: string }> {
    const credentialName = normalizeName(name);
    if (!(await repository.renameCredential(this.#db, { userId, id: credentialId, name: credentialName }))) throw new PasskeyError('passkey_not_found');
    return { id: credentialId, name: credentialName };
  }

  /**
   * Deletes one of the user's own passkeys. Another user's passkey is `passkey_not_found`.
   * Whether the user keeps enough factors to sign in is the caller's check (see `count`).
   */
  async remove(userId: string, credentialId: string): Promise<void> {
    if (!(await repository.deleteCredential(this.#db, { userId, id: credentialId }))) throw new PasskeyError('passkey_not_found');
  }

  count(userId: string): Promise<number> {
    return repository.countCredentials(this.#db, userId);
  }

  async #storeChallenge({ userId, purpose, challenge }: { userId: string | null; purpose: ChallengePurpose; challenge: string }): Promise<string> {
    const now = this.#now();

    // Expired challenges can never be used, so clearing them here keeps the table small.
    await repository.deleteExpiredChallenges(this.#db, now.toISOString());

    const id = randomBytes(18).toString('base64url');
    await repository.insertChallenge(this.#db, { id, userId, purpose, challenge, expiresAt: new Date(now.getTime() + CEREMONY_TIMEOUT_MS).toISOString() });
    return id;
  }

  /** Deletes the challenge before checking it, so a failed attempt spends it too. */
  async #takeChallengeOrThrow(challengeId: string, purpose: ChallengePurpose): Promise<repository.ChallengeRecord> {
    const challenge = typeof challengeId === 'string' ? await repository.takeChallenge(this.#db, challengeId) : undefined;
    if (!challenge || challenge.purpose !== purpose || challenge.expiresAt <= this.#now().toISOString()) throw new PasskeyError('passkey_challenge_invalid');
    return challenge;
  }

  /**
   * WebAuthn Level 3, §7.2: when the user was not identified before the ceremony the response must
   * carry a user handle, and any user handle must belong to the credential's owner.
   */
  #checkUserHandle(credential: CredentialRecord, userHandle: string | null | undefined, required: boolean): void {
    if (!userHandle) {
      if (required) throw new PasskeyError('passkey_unknown_credential');
      return;
    }
    if (userHandle !== isoBase64URL.fromBuffer(userHandleOf(credential.userId))) throw new PasskeyError('passkey_unknown_credential');
  }
}

/**
 * Derives the WebAuthn user handle from the user id. WebAuthn Level 3 ("User Handle Contents")
 * forbids personal data such as the username in it. A hash of the id is stable and opaque, and it
 * needs no extra column.
 */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(`ledgerguard:webauthn-user-handle:${userId}`).digest());
}

/** Trims a passkey name. An empty name becomes `fallback` when one is given, and is invalid otherwise. */
function normalizeName(name: unknown, fallback?: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed === '' && fallback !== undefined) return fallback;

  // Control characters would let a name break the layout of lists and audit views.
  if (trimmed === '' || [...trimmed].length > MAX_NAME_LENGTH || /\p{Cc}/u.test(trimmed)) throw new PasskeyError('passkey_name_invalid');
  return trimmed;
}

/** Runs a library verification, turning its plain errors into `passkey_verification_failed`. */
async function verifyOrThrow<T>(verify: () => Promise<T>): Promise<T> {
  try {
    return await verify();
  } catch (error) {
    throw new PasskeyError('passkey_verification_failed', { cause: error });
  }
}
