import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type TestApp, createMember, createTestApp } from '../../../test/test-app.js';
import { PasskeyError, type PasskeyErrorCode, PasskeyService, userHandleOf } from './index.js';

const RP_ID = 'ledger.test';
const ORIGIN = 'https://ledger.test';
const FIVE_MINUTES_MS = 5 * 60_000;

// Flag bits of authenticator data (WebAuthn Level 3, §6.1).
const USER_PRESENT = 0x01;
const USER_VERIFIED = 0x04;
const ATTESTED_CREDENTIAL_DATA = 0x40;

/**
 * A software authenticator: one ES256 credential, "none" attestation, and a signature counter
 * that the test sets directly to play a cloned or counter-less device.
 */
class SoftwareAuthenticator {
  readonly credentialId = randomBytes(16);
  readonly #keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  #userHandle = '';
  counter: number;
  origin = ORIGIN;
  flags = USER_PRESENT | USER_VERIFIED;

  constructor({ counter = 0 }: { counter?: number } = {}) {
    this.counter = counter;
  }

  get id(): string {
    return this.credentialId.toString('base64url');
  }

  register(options: PublicKeyCredentialCreationOptionsJSON): RegistrationResponseJSON {
    this.#userHandle = options.user.id;
    const clientDataJSON = this.#clientData('webauthn.create', options.challenge);

    const jwk = this.#keys.publicKey.export({ format: 'jwk' });
    const coseKey = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x ?? '', 'base64url')],
      [-3, Buffer.from(jwk.y ?? '', 'base64url')],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([this.#authDataHead(this.flags | ATTESTED_CREDENTIAL_DATA), Buffer.alloc(16), idLength, this.credentialId, isoCBOR.encode(coseKey)]);
    const attestationObject = isoCBOR.encode(new Map<string, string | Uint8Array | Map<string, string>>([['fmt', 'none'], ['attStmt', new Map<string, string>()], ['authData', authData]]));

    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: { clientDataJSON: clientDataJSON.toString('base64url'), attestationObject: isoBase64URL.fromBuffer(attestationObject), transports: ['internal', 'made-up'] },
    };
  }

  authenticate(options: PublicKeyCredentialRequestOptionsJSON, { withUserHandle = true }: { withUserHandle?: boolean } = {}): AuthenticationResponseJSON {
    const clientDataJSON = this.#clientData('webauthn.get', options.challenge);
    const authData = this.#authDataHead(this.flags);
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]), this.#keys.privateKey);

    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(withUserHandle ? { userHandle: this.#userHandle } : {}),
      },
    };
  }

  #clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }

  #authDataHead(flags: number): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([createHash('sha256').update(RP_ID).digest(), Buffer.from([flags]), counter]);
  }
}

let app: TestApp;
let clock: Date;
let service: PasskeyService;
let userCount = 0;

beforeAll(async () => {
  app = await createTestApp();
});

afterAll(async () => {
  await app.dispose();
});

beforeEach(() => {
  clock = new Date('2026-12-05T08:00:00.000Z');
  service = new PasskeyService({ db: app.db, rpId: RP_ID, origins: [ORIGIN], now: () => clock });
});

async function newUser() {
  userCount += 1;
  const { id, username } = await createMember(app, { username: `passkey${userCount}`, roles: ['bookkeeper'] });
  return { id, username, displayName: `${username} 测试` };
}

async function registerPasskey(user: { id: string; username: string; displayName: string }, authenticator = new SoftwareAuthenticator(), name?: string) {
  const { options, challengeId } = await service.registrationOptions(user);
  return service.verifyRegistration({ userId: user.id, challengeId, response: authenticator.register(options), name });
}

async function expectPasskeyError(promise: Promise<unknown>, code: PasskeyErrorCode) {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PasskeyError);
  expect((error as PasskeyError).code).toBe(code);
}

/** Runs one authentication ceremony: passwordless without `userId`, second factor with it. */
async function signIn(authenticator: SoftwareAuthenticator, { userId, expectedUserId, withUserHandle }: { userId?: string; expectedUserId?: string; withUserHandle?: boolean } = {}) {
  const { options, challengeId } = await service.authenticationOptions(userId === undefined ? {} : { userId });
  return service.verifyAuthentication({ challengeId, response: authenticator.authenticate(options, { withUserHandle }), expectedUserId });
}

function credentialRows(userId: string) {
  return app.db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).execute();
}

function challengeRow(id: string) {
  return app.db.selectFrom('webauthn_challenges').selectAll().where('id', '=', id).executeTakeFirst();
}

describe('registration options', () => {
  it('require a discoverable, user-verified credential', async () => {
    const user = await newUser();

    const { options, challengeId } = await service.registrationOptions(user);

    expect(options.rp).toEqual({ id: RP_ID, name: '账安 LedgerGuard' });
    expect(options.user).toEqual({ id: isoBase64URL.fromBuffer(userHandleOf(user.id)), name: user.username, displayName: user.displayName });
    expect(options.user.id).not.toContain(isoBase64URL.fromUTF8String(user.username));
    expect(options.authenticatorSelection).toEqual({ residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
    expect(options.authenticatorSelection).not.toHaveProperty('authenticatorAttachment');
    expect(options.attestation).toBe('none');
    expect(options.pubKeyCredParams.map((parameter) => parameter.alg)).toEqual([-7, -257]);
    expect(options.timeout).toBe(FIVE_MINUTES_MS);
    expect(options.excludeCredentials).toEqual([]);
    expect(await challengeRow(challengeId)).toEqual({
      id: challengeId,
      user_id: user.id,
      purpose: 'register',
      challenge: options.challenge,
      expires_at: new Date(clock.getTime() + FIVE_MINUTES_MS).toISOString(),
    });
  });

  it('give the same user handle every time', async () => {
    const user = await newUser();

    const first = await service.registrationOptions(user);
    const second = await service.registrationOptions(user);

    expect(second.options.user.id).toBe(first.options.user.id);
    expect(second.options.challenge).not.toBe(first.options.challenge);
    expect(second.challengeId).not.toBe(first.challengeId);
  });

  it('exclude the user’s existing passkeys', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(user, authenticator);

    const { options } = await service.registrationOptions(user);

    expect(options.excludeCredentials).toEqual([{ id: authenticator.id, type: 'public-key', transports: ['internal'] }]);
  });
});

describe('registration', () => {
  it('stores a verified credential', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator({ counter: 3 });

    const created = await registerPasskey(user, authenticator, '  办公室电脑  ');

    expect(created).toEqual({ id: authenticator.id, name: '办公室电脑' });
    const [row] = await credentialRows(user.id);
    expect(row).toMatchObject({ id: authenticator.id, user_id: user.id, name: '办公室电脑', transports: '["internal"]', device_type: 'singleDevice', created_at: clock.toISOString(), last_used_at: null });
    expect(Number(row?.counter)).toBe(3);
    expect(Number(row?.backed_up)).toBe(0);
    expect(isoBase64URL.isBase64URL(row?.public_key ?? '')).toBe(true);
  });

  it('names a passkey 通行密钥 by default', async () => {
    const user = await newUser();

    const created = await registerPasskey(user, new SoftwareAuthenticator(), '   ');

    expect(created.name).toBe('通行密钥');
  });

  it('rejects a garbage response and stores nothing', async () => {
    const user = await newUser();
    const { challengeId } = await service.registrationOptions(user);
    const garbage = { id: 'abc', rawId: 'abc', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', attestationObject: 'oA' } } as RegistrationResponseJSON;

    await expectPasskeyError(service.verifyRegistration({ userId: user.id, challengeId, response: garbage }), 'passkey_verification_failed');

    expect(await credentialRows(user.id)).toEqual([]);
    expect(await challengeRow(challengeId)).toBeUndefined();
  });

  it('rejects a response from another origin', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    authenticator.origin = 'https://phish.test';
    const { options, challengeId } = await service.registrationOptions(user);

    await expectPasskeyError(service.verifyRegistration({ userId: user.id, challengeId, response: authenticator.register(options) }), 'passkey_verification_failed');

    expect(await credentialRows(user.id)).toEqual([]);
  });

  it('rejects a credential made without user verification', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    authenticator.flags = USER_PRESENT;
    const { options, challengeId } = await service.registrationOptions(user);

    await expectPasskeyError(service.verifyRegistration({ userId: user.id, challengeId, response: authenticator.register(options) }), 'passkey_verification_failed');

    expect(await credentialRows(user.id)).toEqual([]);
  });

  it('spends the challenge on first use', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    const { options, challengeId } = await service.registrationOptions(user);
    const response = authenticator.register(options);
    await service.verifyRegistration({ userId: user.id, challengeId, response });
    await app.db.deleteFrom('webauthn_credentials').where('user_id', '=', user.id).execute();

    await expectPasskeyError(service.verifyRegistration({ userId: user.id, challengeId, response }), 'passkey_challenge_invalid');

    expect(await credentialRows(user.id)).toEqual([]);
  });

  it('rejects an expired challenge', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    const { options, challengeId } = await service.registrationOptions(user);

    clock = new Date(clock.getTime() + FIVE_MINUTES_MS);

    await expectPasskeyError(service.verifyRegistration({ userId: user.id, challengeId, response: authenticator.register(options) }), 'passkey_challenge_invalid');
    expect(await credentialRows(user.id)).toEqual([]);
  });

  it('accepts a challenge just before expiry', async () => {
    const user = await newUser();
    const { options, challengeId } = await service.registrationOptions(user);

    clock = new Date(clock.getTime() + FIVE_MINUTES_MS - 1);

    await service.verifyRegistration({ userId: user.id, challengeId, response: new SoftwareAuthenticator().register(options) });
    expect(await credentialRows(user.id)).toHaveLength(1);
  });

  it('rejects another user’s challenge', async () => {
    const owner = await newUser();
    const intruder = await newUser();
    const { options, challengeId } = await service.registrationOptions(owner);

    await expectPasskeyError(service.verifyRegistration({ userId: intruder.id, challengeId, response: new SoftwareAuthenticator().register(options) }), 'passkey_challenge_invalid');

    expect(await credentialRows(intruder.id)).toEqual([]);
    expect(await credentialRows(owner.id)).toEqual([]);
  });

  it('rejects an unknown or sign-in challenge', async () => {
    const user = await newUser();
    const { options } = await service.registrationOptions(user);
    const response = new SoftwareAuthenticator().register(options);
    await registerPasskey(user);
    const { challengeId: signInChallengeId } = await service.authenticationOptions({ userId: user.id });

    await expectPasskeyError(service.verifyRegistration({ userId: user.id, challengeId: 'no-such-challenge', response }), 'passkey_challenge_invalid');
    await expectPasskeyError(service.verifyRegistration({ userId: user.id, challengeId: signInChallengeId, response }), 'passkey_challenge_invalid');
  });

  it('rejects a credential id registered before', async () => {
    const first = await newUser();
    const second = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(first, authenticator);

    await expectPasskeyError(registerPasskey(second, authenticator), 'passkey_already_registered');

    expect(await credentialRows(second.id)).toEqual([]);
  });

  it('rejects a bad name without spending the challenge', async () => {
    const user = await newUser();
    const { options, challengeId } = await service.registrationOptions(user);
    const response = new SoftwareAuthenticator().register(options);

    await expectPasskeyError(service.verifyRegistration({ userId: user.id, challengeId, response, name: '长'.repeat(65) }), 'passkey_name_invalid');
    await expectPasskeyError(service.verifyRegistration({ userId: user.id, challengeId, response, name: 'line\nbreak' }), 'passkey_name_invalid');

    const created = await service.verifyRegistration({ userId: user.id, challengeId, response, name: '长'.repeat(64) });
    expect(created.name).toBe('长'.repeat(64));
  });
});

describe('authentication options', () => {
  it('list the user’s passkeys for a second factor', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(user, authenticator);

    const { options, challengeId } = await service.authenticationOptions({ userId: user.id });

    expect(options.rpId).toBe(RP_ID);
    expect(options.userVerification).toBe('required');
    expect(options.timeout).toBe(FIVE_MINUTES_MS);
    expect(options.allowCredentials).toEqual([{ id: authenticator.id, type: 'public-key', transports: ['internal'] }]);
    expect(await challengeRow(challengeId)).toMatchObject({ user_id: user.id, purpose: 'authenticate', challenge: options.challenge });
  });

  it('list nothing for passwordless sign-in', async () => {
    const { options, challengeId } = await service.authenticationOptions();

    expect(options.allowCredentials).toEqual([]);
    expect(options.userVerification).toBe('required');
    expect(await challengeRow(challengeId)).toMatchObject({ user_id: null, purpose: 'authenticate' });
  });

  it('reject a user without passkeys', async () => {
    const user = await newUser();

    await expectPasskeyError(service.authenticationOptions({ userId: user.id }), 'passkey_not_found');
  });

  it('clear expired challenges', async () => {
    const { challengeId } = await service.authenticationOptions();

    clock = new Date(clock.getTime() + FIVE_MINUTES_MS);
    await service.authenticationOptions();

    expect(await challengeRow(challengeId)).toBeUndefined();
  });
});

describe('authentication', () => {
  async function storedCounter(credentialId: string) {
    const row = await app.db.selectFrom('webauthn_credentials').select(['counter', 'last_used_at']).where('id', '=', credentialId).executeTakeFirstOrThrow();
    return { counter: Number(row.counter), lastUsedAt: row.last_used_at };
  }

  it('signs in with a discoverable passkey', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator({ counter: 1 });
    await registerPasskey(user, authenticator);
    authenticator.counter = 2;
    clock = new Date(clock.getTime() + 1000);

    const result = await signIn(authenticator);

    expect(result).toEqual({ userId: user.id, credentialId: authenticator.id });
    expect(await storedCounter(authenticator.id)).toEqual({ counter: 2, lastUsedAt: clock.toISOString() });
  });

  it('confirms a second factor for the expected user', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(user, authenticator);

    const result = await signIn(authenticator, { userId: user.id, expectedUserId: user.id });

    expect(result.userId).toBe(user.id);
  });

  it('rejects a discoverable response without user handle', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(user, authenticator);

    await expectPasskeyError(signIn(authenticator, { withUserHandle: false }), 'passkey_unknown_credential');
    expect((await signIn(authenticator, { userId: user.id, withUserHandle: false })).userId).toBe(user.id);
  });

  it('rejects another user’s passkey', async () => {
    const owner = await newUser();
    const other = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(owner, authenticator);
    await registerPasskey(other);

    await expectPasskeyError(signIn(authenticator, { expectedUserId: other.id }), 'passkey_unknown_credential');
    await expectPasskeyError(signIn(authenticator, { userId: other.id }), 'passkey_unknown_credential');
    expect(await storedCounter(authenticator.id)).toEqual({ counter: 0, lastUsedAt: null });
  });

  it('rejects a step-up challenge spent by another user', async () => {
    const owner = await newUser();
    const other = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(owner, authenticator);
    const { options, challengeId } = await service.authenticationOptions({ userId: owner.id });

    await expectPasskeyError(service.verifyAuthentication({ challengeId, response: authenticator.authenticate(options), expectedUserId: other.id }), 'passkey_challenge_invalid');
  });

  it('rejects an unknown credential', async () => {
    await expectPasskeyError(signIn(new SoftwareAuthenticator()), 'passkey_unknown_credential');
  });

  it('spends the challenge on first use', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(user, authenticator);
    const { options, challengeId } = await service.authenticationOptions();
    const response = authenticator.authenticate(options);

    await service.verifyAuthentication({ challengeId, response });

    await expectPasskeyError(service.verifyAuthentication({ challengeId, response }), 'passkey_challenge_invalid');
  });

  it('rejects an expired challenge', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(user, authenticator);
    const { options, challengeId } = await service.authenticationOptions();

    clock = new Date(clock.getTime() + FIVE_MINUTES_MS);

    await expectPasskeyError(service.verifyAuthentication({ challengeId, response: authenticator.authenticate(options) }), 'passkey_challenge_invalid');
    expect(await storedCounter(authenticator.id)).toEqual({ counter: 0, lastUsedAt: null });
  });

  it('rejects a tampered signature', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator({ counter: 1 });
    await registerPasskey(user, authenticator);
    authenticator.counter = 2;
    const { options, challengeId } = await service.authenticationOptions();
    const response = authenticator.authenticate(options);
    const signature = Buffer.from(response.response.signature, 'base64url');
    signature.writeUInt8(signature.readUInt8(signature.length - 1) ^ 0x01, signature.length - 1);
    response.response.signature = signature.toString('base64url');

    await expectPasskeyError(service.verifyAuthentication({ challengeId, response }), 'passkey_verification_failed');
    expect(await storedCounter(authenticator.id)).toEqual({ counter: 1, lastUsedAt: null });
  });

  it('rejects an assertion without user verification', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(user, authenticator);
    authenticator.flags = USER_PRESENT;

    await expectPasskeyError(signIn(authenticator), 'passkey_verification_failed');
  });

  it('rejects a counter that did not advance', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator({ counter: 5 });
    await registerPasskey(user, authenticator);

    await expectPasskeyError(signIn(authenticator), 'passkey_counter_invalid');
    authenticator.counter = 4;
    await expectPasskeyError(signIn(authenticator), 'passkey_counter_invalid');
    authenticator.counter = 0;
    await expectPasskeyError(signIn(authenticator), 'passkey_counter_invalid');

    expect(await storedCounter(authenticator.id)).toEqual({ counter: 5, lastUsedAt: null });
    authenticator.counter = 6;
    expect((await signIn(authenticator)).userId).toBe(user.id);
    expect((await storedCounter(authenticator.id)).counter).toBe(6);
  });

  it('accepts an authenticator that never counts', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator({ counter: 0 });
    await registerPasskey(user, authenticator);

    await signIn(authenticator);
    const second = await signIn(authenticator);

    expect(second.userId).toBe(user.id);
    expect((await storedCounter(authenticator.id)).counter).toBe(0);
  });

  it('records only one of two racing assertions', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator({ counter: 1 });
    await registerPasskey(user, authenticator);
    authenticator.counter = 2;
    const first = await service.authenticationOptions();
    const second = await service.authenticationOptions();

    const results = await Promise.allSettled([
      service.verifyAuthentication({ challengeId: first.challengeId, response: authenticator.authenticate(first.options) }),
      service.verifyAuthentication({ challengeId: second.challengeId, response: authenticator.authenticate(second.options) }),
    ]);

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const [rejected] = results.filter((result) => result.status === 'rejected');
    expect((rejected?.reason as PasskeyError).code).toBe('passkey_counter_invalid');
  });
});

describe('passkey management', () => {
  it('lists and counts only the user’s passkeys', async () => {
    const user = await newUser();
    const other = await newUser();
    const laptop = new SoftwareAuthenticator();
    await registerPasskey(user, laptop, '笔记本');
    await registerPasskey(other, new SoftwareAuthenticator(), '别人的');

    const list = await service.list(user.id);

    expect(list).toEqual([{ id: laptop.id, name: '笔记本', deviceType: 'singleDevice', backedUp: false, transports: ['internal'], createdAt: clock.toISOString(), lastUsedAt: null }]);
    expect(await service.count(user.id)).toBe(1);
    expect(await service.count(other.id)).toBe(1);
  });

  it('renames own passkeys only', async () => {
    const owner = await newUser();
    const other = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(owner, authenticator, '旧名字');

    await expectPasskeyError(service.rename(other.id, authenticator.id, '抢来的'), 'passkey_not_found');
    await expectPasskeyError(service.rename(owner.id, 'no-such-credential', '新名字'), 'passkey_not_found');
    await expectPasskeyError(service.rename(owner.id, authenticator.id, '  '), 'passkey_name_invalid');
    expect((await service.list(owner.id))[0]?.name).toBe('旧名字');

    expect(await service.rename(owner.id, authenticator.id, ' 新名字 ')).toEqual({ id: authenticator.id, name: '新名字' });
    expect((await service.list(owner.id))[0]?.name).toBe('新名字');
  });

  it('removes own passkeys only', async () => {
    const owner = await newUser();
    const other = await newUser();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(owner, authenticator);

    await expectPasskeyError(service.remove(other.id, authenticator.id), 'passkey_not_found');
    expect(await service.count(owner.id)).toBe(1);

    await service.remove(owner.id, authenticator.id);
    expect(await service.count(owner.id)).toBe(0);
    await expectPasskeyError(service.remove(owner.id, authenticator.id), 'passkey_not_found');
    await expectPasskeyError(signIn(authenticator), 'passkey_unknown_credential');
  });
});
