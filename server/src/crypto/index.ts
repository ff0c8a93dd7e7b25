export { FieldCrypto, type FieldCryptoOptions } from './field-crypto.js';
export {
  deriveServiceKey,
  ephemeralKeyring,
  loadKeyring,
  loadOrCreateKeyFile,
  type KeyringMaterial,
  type KeySourceSettings,
} from './keyring.js';
export type { Ciphertext, FieldContext } from './envelope.js';
export { CIPHER_SUITES, type CipherSuiteName } from './cipher-suites.js';
export type { KeyEncryptionKeys } from './kek-source.js';
export { ENCRYPTED_COLUMNS, type EncryptedColumn } from './encrypted-columns.js';
export { KeyRotation, type KeyStatus } from './key-rotation.service.js';
export { KeyStillInUseError } from './key-still-in-use.error.js';
export type { BlindIndexStatus } from './blind-index-rotation.service.js';
export { BLIND_INDEXED_COLUMNS, type BlindIndexedColumn, normalizeForBlindIndex } from './blind-index.js';
