import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted, UTF-8, no insignificant white space, `undefined` members
 * dropped. Hashing this form makes the chain independent of key order and of the database's
 * JSON formatting.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Chain hash of one event: SHA-256 over the previous hash and the event's canonical form. */
export function chainHash(previousHash: string, canonicalEvent: string): string {
  return createHash('sha256').update(previousHash, 'utf8').update('\n', 'utf8').update(canonicalEvent, 'utf8').digest('hex');
}
