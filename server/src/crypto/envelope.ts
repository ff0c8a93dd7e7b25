import { type CipherSuite, cipherSuite, findSuiteByLabel } from './cipher-suites.js';

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

/**
 * The authenticated header: format, suite, key id and version, and the owner. The suite label is
 * part of it, so relabelling a ciphertext with another suite fails authentication as well.
 */
function associatedData(suite: CipherSuite, context: FieldContext, keyId: string, keyVersion: number): Buffer {
  return Buffer.from([FORMAT, suite.label, keyId, keyVersion, context.table, context.column, context.rowId].join('|'));
}

/**
 * Encrypts one value with a fresh nonce. The envelope is
 * `lg1.<suite>.<key id>.<key version>.<nonce>.<ciphertext>.<tag>` with base64url parts; the suite
 * is `a256gcm` (AES-256-GCM, the default) or `sm4ctr-hsm3` (SM4-CTR with HMAC-SM3).
 */
export function sealField(dataKey: DataKey, context: FieldContext, plaintext: string, suite: CipherSuite = cipherSuite('aes-256-gcm')): Ciphertext {
  const sealed = suite.seal(dataKey.key, associatedData(suite, context, dataKey.id, dataKey.version), Buffer.from(plaintext, 'utf8'));
  const parts = [FORMAT, suite.label, dataKey.id, String(dataKey.version), sealed.nonce.toString('base64url'), sealed.body.toString('base64url'), sealed.tag.toString('base64url')];
  return parts.join('.') as Ciphertext;
}

export interface EnvelopeHeader {
  readonly suite: string;
  readonly keyId: string;
  readonly keyVersion: number;
}

/** Reads the suite, key id and version of an envelope without decrypting it. */
export function readEnvelopeHeader(ciphertext: string): EnvelopeHeader {
  const [format, suite, keyId, version] = ciphertext.split('.');
  if (format !== FORMAT || !suite || !findSuiteByLabel(suite) || !keyId || !version || !/^\d+$/.test(version)) {
    throw new Error('Ciphertext has an unknown envelope format or suite');
  }
  return { suite, keyId, keyVersion: Number(version) };
}

/**
 * Decrypts an envelope with the suite it names, whatever suite new values use; throws when the
 * key, the context or any byte does not match.
 */
export function openField(dataKey: DataKey, context: FieldContext, ciphertext: string): string {
  const parts = ciphertext.split('.');
  const header = readEnvelopeHeader(ciphertext);
  const [, , , , nonce, body, tag] = parts;
  if (parts.length !== 7 || !nonce || body === undefined || !tag) {
    throw new Error('Ciphertext envelope is incomplete');
  }
  if (header.keyId !== dataKey.id || header.keyVersion !== dataKey.version) {
    throw new Error(`Ciphertext needs key ${header.keyId} version ${header.keyVersion}`);
  }

  const suite = findSuiteByLabel(header.suite)!;
  const sealed = { nonce: Buffer.from(nonce, 'base64url'), body: Buffer.from(body, 'base64url'), tag: Buffer.from(tag, 'base64url') };
  return suite.open(dataKey.key, associatedData(suite, context, dataKey.id, dataKey.version), sealed).toString('utf8');
}
