import { createHmac, hkdfSync } from 'node:crypto';
import type { KeyringMaterial } from './keyring.js';

/** The form a value is reduced to before indexing, so that spacing and letter case never decide a match. */
export type BlindIndexForm = 'digits' | 'upper';

/**
 * A `*_bidx` column: the keyed index of the plaintext that `encryptedColumn` holds. The rotation
 * job decrypts that value (bound to `contextColumn` and the row id) and computes the index again.
 */
export interface BlindIndexedColumn {
  readonly table: string;
  readonly indexColumn: string;
  readonly encryptedColumn: string;
  readonly contextColumn: string;
  readonly rowIdColumn: string;
  readonly form: BlindIndexForm;
}

const indexed = (table: string, contextColumn: string, form: BlindIndexForm): BlindIndexedColumn =>
  Object.freeze({ table, indexColumn: `${contextColumn}_bidx`, encryptedColumn: `${contextColumn}_enc`, contextColumn, rowIdColumn: 'id', form });

/**
 * Every blind-indexed column, which the index rotation job walks and `keys retire --index` checks.
 * A domain that adds a `*_bidx` column appends it here.
 */
export const BLIND_INDEXED_COLUMNS: readonly BlindIndexedColumn[] = Object.freeze([
  indexed('clients', 'legal_rep_id_number', 'upper'),
  indexed('clients', 'contact_phone', 'digits'),
  indexed('clients', 'bank_account', 'digits'),
  indexed('client_people', 'id_number', 'upper'),
  indexed('client_people', 'phone', 'digits'),
]);

/** Reduces a value to its indexed form: phone and account numbers to digits, ID numbers upper-cased. */
export function normalizeForBlindIndex(form: BlindIndexForm, value: string): string {
  const compact = value.normalize('NFKC').replace(/[\s-]/g, '');
  return form === 'digits' ? compact.replace(/\D/g, '') : compact.toUpperCase();
}

/**
 * Derives the key of one column under one index key version (HKDF-SHA256 from the index root).
 * Version 1 keeps the derivation that predates versioning, so indexes written then stay valid.
 * The index root itself never changes, so the SQLite file key and other service keys stay put.
 */
export function deriveBlindIndexKey(material: KeyringMaterial, version: number, table: string, column: string): Buffer {
  const info = version === 1 ? `lg-blind-index|${table}.${column}` : `lg-bidx|v${version}|${table}|${column}`;
  return Buffer.from(hkdfSync('sha256', material.indexRoot, Buffer.alloc(0), info, 32));
}

/**
 * Formats an index value: HMAC-SHA256 truncated to 128 bits in base64url. Values of version 2 and
 * later carry a `v<N>.` prefix (base64url has no dot), so a stored value names its version, and
 * version 1 values keep their original bare form.
 */
export function computeBlindIndex(key: Buffer, version: number, normalizedValue: string): string {
  const mac = createHmac('sha256', key).update(normalizedValue, 'utf8').digest().subarray(0, 16).toString('base64url');
  return version === 1 ? mac : `v${version}.${mac}`;
}

/** The index key version a stored value was computed under. */
export function blindIndexVersionOf(value: string): number {
  const match = /^v(\d+)\./.exec(value);
  return match ? Number(match[1]) : 1;
}

/** The LIKE pattern of values under a version of 2 or more; version 1 values contain no dot. */
export function blindIndexPrefixPattern(version: number): string {
  return `v${version}.%`;
}
