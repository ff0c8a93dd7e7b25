/**
 * A column that holds field ciphertexts: `column` is where they are stored, `contextColumn` the
 * name bound into each ciphertext, `rowIdColumn` the column whose value is the bound row id.
 */
export interface EncryptedColumn {
  readonly table: string;
  readonly column: string;
  readonly contextColumn: string;
  readonly rowIdColumn: string;
}

const column = (table: string, stored: string, contextColumn: string, rowIdColumn = 'id'): EncryptedColumn =>
  Object.freeze({ table, column: stored, contextColumn, rowIdColumn });

/**
 * Every encrypted column the re-encryption job walks and `keys retire` checks. A domain that adds
 * an encrypted column appends it here; a listed table that does not exist yet is skipped.
 */
export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = Object.freeze([
  column('clients', 'legal_rep_id_number_enc', 'legal_rep_id_number'),
  column('clients', 'contact_phone_enc', 'contact_phone'),
  column('clients', 'bank_account_enc', 'bank_account'),
  column('clients', 'confidential_notes_enc', 'confidential_notes'),
  column('client_people', 'id_number_enc', 'id_number'),
  column('client_people', 'phone_enc', 'phone'),
  column('users', 'phone_enc', 'phone'),
  column('totp_credentials', 'secret_enc', 'secret', 'user_id'),
  column('notification_channels', 'url_enc', 'url_enc'),
  column('notification_channels', 'secret_enc', 'secret_enc'),
  column('documents', 'content_key', 'content_key'),
  column('documents', 'file_name_enc', 'file_name'),
]);
