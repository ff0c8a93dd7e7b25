import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** Configuration names of the field cipher suites. */
export const CIPHER_SUITES = ['aes-256-gcm', 'sm4'] as const;
export type CipherSuiteName = (typeof CIPHER_SUITES)[number];

/** The output of one suite: nonce, ciphertext and authentication tag. */
export interface SealedParts {
  readonly nonce: Buffer;
  readonly body: Buffer;
  readonly tag: Buffer;
}

/**
 * An authenticated cipher. `label` is the suite's name inside envelopes; `header` is the text
 * that names the key and the owner, authenticated but not encrypted.
 */
export interface CipherSuite {
  readonly label: string;
  seal(key: Buffer, header: Buffer, plaintext: Buffer): SealedParts;
  /** Throws when the key, the header or any byte of the parts does not match. */
  open(key: Buffer, header: Buffer, parts: SealedParts): Buffer;
}

const aes256Gcm: CipherSuite = {
  label: 'a256gcm',
  seal(key, header, plaintext) {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { nonce, body, tag: cipher.getAuthTag() };
  },
  open(key, header, { nonce, body, tag }) {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(header);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  },
};

const SM_LABEL = 'sm4ctr-hsm3';

/**
 * Splits one 32-byte data key into an SM4 key (16 bytes) and an HMAC-SM3 key (32 bytes) with
 * HKDF-SM3, so the cipher and the MAC never share a key.
 */
function smKeys(dataKey: Buffer): { encryptionKey: Buffer; macKey: Buffer } {
  const okm = Buffer.from(hkdfSync('sm3', dataKey, Buffer.alloc(0), `lg-suite|${SM_LABEL}`, 48));
  return { encryptionKey: okm.subarray(0, 16), macKey: okm.subarray(16) };
}

/** Length-prefixes every part, so no two different inputs produce the same MAC input. */
function smMacInput(header: Buffer, nonce: Buffer, body: Buffer): Buffer {
  const parts = [Buffer.from(SM_LABEL), header, nonce, body];
  return Buffer.concat(parts.flatMap((part) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    return [length, part];
  }));
}

/**
 * SM4 in CTR mode with HMAC-SM3 over suite, header, nonce and ciphertext (encrypt-then-MAC).
 * Node's OpenSSL offers SM4 and SM3 but no SM4-GCM, hence the composition. The 16-byte nonce is
 * the initial counter block; a random one per value keeps counters from overlapping in practice.
 */
const sm4CtrHmacSm3: CipherSuite = {
  label: SM_LABEL,
  seal(key, header, plaintext) {
    const { encryptionKey, macKey } = smKeys(key);
    const nonce = randomBytes(16);
    const cipher = createCipheriv('sm4-ctr', encryptionKey, nonce);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const tag = createHmac('sm3', macKey).update(smMacInput(header, nonce, body)).digest();
    return { nonce, body, tag };
  },
  open(key, header, { nonce, body, tag }) {
    const { encryptionKey, macKey } = smKeys(key);
    const expected = createHmac('sm3', macKey).update(smMacInput(header, nonce, body)).digest();

    // The MAC is checked before any decryption, in constant time.
    if (nonce.length !== 16 || tag.length !== expected.length || !timingSafeEqual(tag, expected)) {
      throw new Error('Ciphertext failed authentication');
    }
    const decipher = createDecipheriv('sm4-ctr', encryptionKey, nonce);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  },
};

const BY_NAME: Readonly<Record<CipherSuiteName, CipherSuite>> = Object.freeze({ 'aes-256-gcm': aes256Gcm, sm4: sm4CtrHmacSm3 });
const BY_LABEL: ReadonlyMap<string, CipherSuite> = new Map([aes256Gcm, sm4CtrHmacSm3].map((suite) => [suite.label, suite]));

export function cipherSuite(name: CipherSuiteName): CipherSuite {
  return BY_NAME[name];
}

/** Finds the suite an envelope names, or `undefined` for a label this build does not know. */
export function findSuiteByLabel(label: string): CipherSuite | undefined {
  return BY_LABEL.get(label);
}
