import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import pkg from 'ciphersweet-js';
import type { BlindIndexForm } from '../../server/src/crypto/blind-index.js';

/**
 * The peers the field-encryption benchmark compares FieldCrypto with: raw node:crypto calls on
 * the same values, and ciphersweet-js 2.0.6 doing the same job (encrypt one value and compute one
 * blind index of it).
 */

/** One protected client field as the product stores it: column, index form and a generated value. */
export interface ProtectedValue {
  readonly column: 'legal_rep_id_number' | 'contact_phone' | 'bank_account';
  readonly form: BlindIndexForm;
  readonly value: string;
  readonly rowId: string;
}

/** Generates made-up values in the shape of a resident ID number, a mobile number and a bank account. */
export function generateValues(count: number): ProtectedValue[] {
  const digits = (length: number) => Array.from(randomBytes(length), (byte) => String(byte % 10)).join('');
  return Array.from({ length: count }, (_, index) => {
    const rowId = `client-${index}`;
    return [
      { column: 'legal_rep_id_number' as const, form: 'upper' as const, value: `110101${1960 + (index % 40)}0307${digits(3)}X`, rowId },
      { column: 'contact_phone' as const, form: 'digits' as const, value: `138 ${digits(4)} ${digits(4)}`, rowId },
      { column: 'bank_account' as const, form: 'digits' as const, value: `6222 ${digits(4)} ${digits(4)} ${digits(4)} ${digits(3)}`, rowId },
    ];
  }).flat();
}

export interface RawSealed {
  readonly nonce: Buffer;
  readonly body: Buffer;
  readonly tag: Buffer;
}

/** AES-256-GCM with a fresh 96-bit IV and the field's place as associated data; no envelope or encoding. */
export function rawAesGcmSeal(key: Buffer, aad: Buffer, plaintext: string): RawSealed {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { nonce, body, tag: cipher.getAuthTag() };
}

export function rawAesGcmOpen(key: Buffer, aad: Buffer, sealed: RawSealed): string {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.body), decipher.final()]).toString('utf8');
}

/** SM4-CTR with HMAC-SM3 over associated data, nonce and ciphertext, with the two keys given: the SM suite's composition without key derivation or envelope. */
export function rawSm4Seal(encryptionKey: Buffer, macKey: Buffer, aad: Buffer, plaintext: string): RawSealed {
  const nonce = randomBytes(16);
  const cipher = createCipheriv('sm4-ctr', encryptionKey, nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = createHmac('sm3', macKey).update(aad).update(nonce).update(body).digest();
  return { nonce, body, tag };
}

export function rawSm4Open(encryptionKey: Buffer, macKey: Buffer, aad: Buffer, sealed: RawSealed): string {
  const expected = createHmac('sm3', macKey).update(aad).update(sealed.nonce).update(sealed.body).digest();
  if (!timingSafeEqual(expected, sealed.tag)) throw new Error('SM4 test value failed authentication');
  const decipher = createDecipheriv('sm4-ctr', encryptionKey, sealed.nonce);
  return Buffer.concat([decipher.update(sealed.body), decipher.final()]).toString('utf8');
}

/** ciphersweet-js backends: BoringCrypto is its default (XChaCha20 with a BLAKE2b MAC), FIPSCrypto uses AES-256-CTR with HMAC-SHA-384. */
export type CipherSweetBackend = 'BoringCrypto' | 'FIPSCrypto';

export interface CipherSweetField {
  /** Encrypts the value with the field's place as associated data and computes its one blind index. */
  prepare(item: ProtectedValue): Promise<{ ciphertext: string; index: string }>;
  open(item: ProtectedValue, ciphertext: string): Promise<string>;
}

/**
 * Builds one EncryptedField per column with one 128-bit blind index, as the product keeps one index per
 * column. `fastHash: false` is ciphersweet's default (Argon2id for BoringCrypto, PBKDF2-SHA-384
 * with 50,000 iterations for FIPSCrypto); `true` selects BLAKE2b or PBKDF2 with one iteration.
 */
export function cipherSweetFields(backend: CipherSweetBackend, fastHash: boolean): CipherSweetField {
  const engine = new pkg.CipherSweet(new pkg.StringProvider(randomBytes(32).toString('hex')), backend === 'BoringCrypto' ? new pkg.BoringCrypto() : new pkg.FIPSCrypto());
  const fields = new Map<string, InstanceType<typeof pkg.EncryptedField>>();
  const fieldOf = (column: string) => {
    let field = fields.get(column);
    if (!field) {
      field = new pkg.EncryptedField(engine, 'clients', column);
      field.addBlindIndex(new pkg.BlindIndex(`${column}_bidx`, [], 128, fastHash));
      fields.set(column, field);
    }
    return field;
  };

  return {
    async prepare(item) {
      const [ciphertext, indexes] = (await fieldOf(item.column).prepareForStorage(item.value, `clients|${item.column}|${item.rowId}`)) as [string, Record<string, string>];
      return { ciphertext, index: indexes[`${item.column}_bidx`]! };
    },
    async open(item, ciphertext) {
      return (await fieldOf(item.column).decryptValue(ciphertext, `clients|${item.column}|${item.rowId}`)).toString('utf8');
    },
  };
}
