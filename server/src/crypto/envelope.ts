import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A field ciphertext in the versioned envelope format; never a plaintext by accident. */
export type Ciphertext = string & { readonly __brand: 'Ciphertext' };

/** Where a ciphertext belongs; bound as associated data, so a value moved elsewhere fails to decrypt. */
export interface FieldContext {
  readonly table: string;
  readonly column: string;
  readonly rowId: string;
}

export interface DataKey {
  readonly id: string;
  readonly version: number;
  readonly key: Buffer;
}

const FORMAT = 'lg1';
const SUITE_AES_GCM = 'a256gcm';

function associatedData(context: FieldContext, keyId: string, keyVersion: number): Buffer {
  return Buffer.from([FORMAT, SUITE_AES_GCM, keyId, keyVersion, context.table, context.column, context.rowId].join('|'));
}

/**
 * Encrypts one value with AES-256-GCM and a fresh 96-bit nonce. The envelope is
 * `lg1.a256gcm.<key id>.<key version>.<nonce>.<ciphertext>.<tag>`, base64url parts.
 */
export function sealField(dataKey: DataKey, context: FieldContext, plaintext: string): Ciphertext {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, nonce);
  cipher.setAAD(associatedData(context, dataKey.id, dataKey.version));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [FORMAT, SUITE_AES_GCM, dataKey.id, String(dataKey.version), nonce.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')];
  return parts.join('.') as Ciphertext;
}

export interface EnvelopeHeader {
  readonly keyId: string;
  readonly keyVersion: number;
}

/** Reads the key id and version of an envelope without decrypting it. */
export function readEnvelopeHeader(ciphertext: string): EnvelopeHeader {
  const [format, suite, keyId, version] = ciphertext.split('.');
  if (format !== FORMAT || suite !== SUITE_AES_GCM || !keyId || !version || !/^\d+$/.test(version)) {
    throw new Error('Ciphertext has an unknown envelope format or suite');
  }
  return { keyId, keyVersion: Number(version) };
}

/** Decrypts an envelope; throws when the key, the context or any byte does not match. */
export function openField(dataKey: DataKey, context: FieldContext, ciphertext: string): string {
  const parts = ciphertext.split('.');
  const [, , keyId, version, nonce, body, tag] = parts;
  const header = readEnvelopeHeader(ciphertext);
  if (parts.length !== 7 || !nonce || body === undefined || !tag) {
    throw new Error('Ciphertext envelope is incomplete');
  }
  if (header.keyId !== dataKey.id || header.keyVersion !== dataKey.version) {
    throw new Error(`Ciphertext needs key ${keyId} version ${version}`);
  }
  const decipher = createDecipheriv('aes-256-gcm', dataKey.key, Buffer.from(nonce, 'base64url'));
  decipher.setAAD(associatedData(context, dataKey.id, dataKey.version));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
