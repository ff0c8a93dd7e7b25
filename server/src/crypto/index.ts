export { FieldCrypto } from './field-crypto.js';
export { deriveServiceKey, ephemeralKeyring, loadOrCreateKeyFile, type KeyringMaterial } from './keyring.js';
export type { Ciphertext, FieldContext } from './envelope.js';
