import type { FieldCrypto } from '../crypto/index.js';
import { findClientField } from './field-catalog.js';
import { normalizeForIndex } from './protected-fields.js';

export type SearchKind = 'none' | 'name' | 'identifier';

export interface ClassifiedSearch {
  kind: SearchKind;
  nameContains?: string;
  exact?: { uscc?: string; idNumberIndex?: string; phoneIndex?: string; bankAccountIndex?: string };
}

/**
 * Turns the list's one search box into conditions: identifier-shaped input becomes exact
 * matches on the USCC and on blind indexes (never a LIKE over plaintext); anything else is a
 * name substring.
 */
export function classifySearch(q: string | undefined, crypto: FieldCrypto): ClassifiedSearch {
  const text = q?.normalize('NFKC').trim().toLowerCase() ?? '';
  if (text === '') {
    return { kind: 'none' };
  }

  const compact = text.replace(/[\s-]/g, '').toUpperCase();
  const index = (key: string, value: string) => {
    const definition = findClientField(key)!;
    return crypto.blindIndex('clients', definition.column, normalizeForIndex(definition, value));
  };

  if (/^[0-9A-Z]{18}$/.test(compact)) {
    return { kind: 'identifier', exact: { uscc: compact, idNumberIndex: index('legalRepIdNumber', compact) } };
  }
  if (/^\+?\d{7,30}$/.test(compact)) {
    const digits = compact.replace(/^\+?86(?=1\d{10}$)/, '');
    return { kind: 'identifier', exact: { phoneIndex: index('contactPhone', digits), bankAccountIndex: index('bankAccount', digits) } };
  }
  return { kind: 'name', nameContains: text.slice(0, 100) };
}
