import type { DbOrTrx } from '../db/index.js';
import { type FieldCrypto, normalizeForBlindIndex } from '../crypto/index.js';
import { CLIENT_FIELDS, type ClientInput, type FieldDefinition } from './field-catalog.js';
import type { ClientRow } from './client.repository.js';
import { maskValue } from './masking.js';

/**
 * The form a value is blind-indexed in, applied both when storing and when searching: ID numbers
 * and codes upper-cased, phone and account numbers reduced to digits.
 */
export function normalizeForIndex(definition: Pick<FieldDefinition, 'mask'>, value: string): string {
  // The index rotation job recomputes from the same forms (BLIND_INDEXED_COLUMNS), so both share one function.
  return normalizeForBlindIndex(definition.mask === 'mobile' || definition.mask === 'bank_account' ? 'digits' : 'upper', value);
}

/** Builds a client row from validated input: plain columns as given, protected ones encrypted. */
export async function buildClientRow({
  db,
  crypto,
  id,
  input,
  departmentId,
  now,
}: {
  db: DbOrTrx;
  crypto: FieldCrypto;
  id: string;
  input: ClientInput;
  departmentId: string | null;
  now: string;
}): Promise<ClientRow> {
  const row: Record<string, string | null> = {
    id,
    name_key: input.name.normalize('NFKC').toLowerCase(),
    department_id: departmentId,
    status: 'active',
    created_at: now,
    updated_at: now,
  };

  for (const definition of CLIENT_FIELDS) {
    const value = input[definition.key]?.trim() || null;
    if (definition.protection === 'encrypted') {
      row[`${definition.column}_enc`] = value && (await crypto.encrypt(db, id, { table: 'clients', column: definition.column, rowId: id }, value));
      row[`${definition.column}_masked`] = value && maskValue(definition.mask, value);
      if (definition.searchable) {
        row[`${definition.column}_bidx`] = value && (await crypto.blindIndex(db, 'clients', definition.column, normalizeForIndex(definition, value)));
      }
    } else {
      row[definition.column] = value;
    }
  }
  return row as unknown as ClientRow;
}
