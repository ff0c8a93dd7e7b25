/** A data key wrapped by a key-encryption key (KEK), with the KEK version that wrapped it. */
export interface WrappedDataKey {
  readonly wrapped: string;
  readonly kekVersion: number;
}

/**
 * Where the KEK lives: a key file, environment variables, or a key service. Data keys are only
 * ever wrapped and unwrapped through this interface, so the KEK itself may never leave its
 * service. Errors name key ids and versions, never key material.
 */
export interface KeyEncryptionKeys {
  readonly source: 'file' | 'env' | 'vault' | 'ephemeral';
  /** The KEK version that wraps new data keys. */
  currentVersion(): Promise<number>;
  wrap(keyId: string, dataKey: Buffer): Promise<WrappedDataKey>;
  /** Throws when the wrapped key was not made for `keyId` or its KEK version is not available. */
  unwrap(keyId: string, wrapped: string): Promise<Buffer>;
  /** Reads the KEK version out of a wrapped key without unwrapping it. */
  versionOf(wrapped: string): number;
  /**
   * Makes a new KEK version current and returns it. Sources that cannot create keys (environment
   * variables) return the configured current version instead.
   */
  addVersion(): Promise<number>;
  /** Removes an old KEK version; the caller has checked that no data key still needs it. */
  removeVersion(version: number): Promise<void>;
}
