import type { FieldCrypto } from '../crypto/index.js';
import type { DbOrTrx } from '../db/index.js';
import { findClientField } from './field-catalog.js';
import { normalizeForIndex } from './protected-fields.js';

export type SearchKind = 'none' | 'name' | 'identifier';

export interface ClassifiedSearch {
  kind: SearchKind;
  nameContains?: string;
  /** Blind index values under every active index key version, so a search during an index rotation misses no row. */
  exact?: { uscc?: string; idNumberIndexes?: string[]; phoneIndexes?: string[]; bankAccountIndexes?: string[] };
}

/**
 * Turns the list's one search box into conditions: identifier-shaped input becomes exact
 * matches on the USCC and on blind indexes (never a LIKE over plaintext); anything else is a
 * name substring.
 */
export async function classifySearch(db: DbOrTrx, q: string | undefined, crypto: FieldCrypto): Promise<ClassifiedSearch> {
  const text = q?.normalize('NFKC').trim().toLowerCase() ?? '';
  if (text === '') {
    return { kind: 'none' };
  }

  const compact = text.replace(/[\s-]/g, '').toUpperCase();
  const indexes = (key: string, value: string) => {
    const definition = findClientField(key)!;
    return crypto.blindIndexesForLookup(db, 'clients', definition.column, normalizeForIndex(definition, value));
  };

  if (/^[0-9A-Z]{18}$/.test(compact)) {
    return { kind: 'identifier', exact: { uscc: compact, idNumberIndexes: await indexes('legalRepIdNumber', compact) } };
  }
  if (/^\+?\d{7,30}$/.test(compact)) {
    const digits = compact.replace(/^\+?86(?=1\d{10}$)/, '');
    return { kind: 'identifier', exact: { phoneIndexes: await indexes('contactPhone', digits), bankAccountIndexes: await indexes('bankAccount', digits) } };
  }
  return { kind: 'name', nameContains: text.slice(0, 100) };
}
