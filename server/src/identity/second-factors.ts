import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { AvailableFactors } from './mfa-policy.js';

/** The parts of the factor services the sign-in flow uses; each service is tested on its own. */
export interface TotpPort {
  verify(userId: string, code: string): Promise<boolean>;
  isEnrolled(userId: string): Promise<boolean>;
}
export interface RecoveryPort {
  consume(userId: string, code: string): Promise<boolean>;
  remaining(userId: string): Promise<number>;
}
export interface SmsPort {
  send(request: { userId: string; phone: string; purpose: 'sign_in' | 'step_up'; ip: string | null }): Promise<{ expiresAt: string }>;
  verify(request: { userId: string; purpose: 'sign_in' | 'step_up'; code: string }): Promise<boolean>;
}
export interface PasskeyPort {
  count(userId: string): Promise<number>;
}

export type CodeMethod = 'totp' | 'sms' | 'recovery';

/** One view over a member's second factors: which are set up, and checking a code of any kind. */
export class SecondFactors {
  readonly #db: Db;
  readonly #crypto: FieldCrypto;
  readonly totp: TotpPort;
  readonly recovery: RecoveryPort;
  readonly sms: SmsPort;
  readonly passkeys: PasskeyPort;

  constructor({ db, crypto, totp, recovery, sms, passkeys }: { db: Db; crypto: FieldCrypto; totp: TotpPort; recovery: RecoveryPort; sms: SmsPort; passkeys: PasskeyPort }) {
    this.#db = db;
    this.#crypto = crypto;
    this.totp = totp;
    this.recovery = recovery;
    this.sms = sms;
    this.passkeys = passkeys;
  }

  async available(userId: string): Promise<AvailableFactors & { phoneMasked: string | null }> {
    const [totp, passkeys, recovery, user] = await Promise.all([
      this.totp.isEnrolled(userId),
      this.passkeys.count(userId),
      this.recovery.remaining(userId),
      this.#db.selectFrom('users').select(['phone_enc', 'phone_masked']).where('id', '=', userId).executeTakeFirst(),
    ]);
    return { totp, passkey: passkeys > 0, sms: Boolean(user?.phone_enc), recovery: recovery > 0, phoneMasked: user?.phone_masked ?? null };
  }

  async verifyCode(userId: string, method: CodeMethod, code: string, purpose: 'sign_in' | 'step_up'): Promise<boolean> {
    switch (method) {
      case 'totp':
        return this.totp.verify(userId, code);
      case 'sms':
        return this.sms.verify({ userId, purpose, code });
      case 'recovery':
        return this.recovery.consume(userId, code);
    }
  }

  /** Sends an SMS code to the member's stored phone. */
  async sendSms(userId: string, purpose: 'sign_in' | 'step_up', ip: string | undefined): Promise<{ expiresAt: string; phoneMasked: string }> {
    const user = await this.#db.selectFrom('users').select(['phone_enc', 'phone_masked']).where('id', '=', userId).executeTakeFirst();
    if (!user?.phone_enc || !user.phone_masked) {
      throw new AppError('mfa_method_unavailable');
    }
    const phone = await this.#crypto.decrypt(this.#db, { table: 'users', column: 'phone', rowId: userId }, user.phone_enc);
    const { expiresAt } = await this.sms.send({ userId, phone, purpose, ip: ip ?? null });
    return { expiresAt, phoneMasked: user.phone_masked };
  }
}
