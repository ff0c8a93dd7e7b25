/** Row types of the tables for client documents (migration 1600); part of DatabaseSchema. */
export interface DocumentTables {
  documents: DocumentTable;
}

export interface DocumentTable {
  id: string;
  client_id: string;
  /** One of DOCUMENT_CATEGORIES. */
  category: string;
  /** The uploaded file name, encrypted as field `documents.file_name` under the client's data key. */
  file_name_enc: string;
  /** The type found by content: pdf, jpeg, png, ofd, xlsx or docx. */
  file_type: string;
  /** Plaintext size; PostgreSQL returns bigint as text, so readers convert it. */
  size_bytes: number | string;
  /** SHA-256 of the plaintext, hex. */
  sha256: string;
  /** The document's own AES-256 content key, base64, encrypted as field `documents.content_key`. */
  content_key: string;
  /** File name of the encrypted content under DATA_DIR/documents/<client id>/. */
  storage_name: string;
  uploaded_by: string;
  uploaded_at: string;
}
