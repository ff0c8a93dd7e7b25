import { canonicalJson } from './canonical.js';
import { type SigningKey, type SigningPublicKey, isValidSignature, signMessage } from './signing-keys.js';

/**
 * The signed description of one archive segment: which events it holds, how the chain enters
 * and leaves it, and the SHA-256 of the segment file. After archiving, verification of the
 * database starts from the last manifest's `lastSeq` and `lastHash`.
 */
export interface ArchiveManifest {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstPrevHash: string;
  readonly lastHash: string;
  readonly eventCount: number;
  readonly fileName: string;
  readonly fileSha256: string;
  readonly beforeAt: string;
  readonly createdAt: string;
  readonly algorithm: string;
  readonly keyId: string;
  /** Base64 signature over `archiveManifestMessage`. */
  readonly signature: string;
}

export type UnsignedArchiveManifest = Omit<ArchiveManifest, 'algorithm' | 'keyId' | 'signature'>;

/** Builds the signed bytes, type-tagged so they never pass for a checkpoint's. */
export function archiveManifestMessage(manifest: Omit<ArchiveManifest, 'signature'>): string {
  return canonicalJson({
    type: 'ledgerguard.audit.archive',
    version: 1,
    firstSeq: manifest.firstSeq,
    lastSeq: manifest.lastSeq,
    firstPrevHash: manifest.firstPrevHash,
    lastHash: manifest.lastHash,
    eventCount: manifest.eventCount,
    fileName: manifest.fileName,
    fileSha256: manifest.fileSha256,
    beforeAt: manifest.beforeAt,
    createdAt: manifest.createdAt,
    algorithm: manifest.algorithm,
    keyId: manifest.keyId,
  });
}

export function signArchiveManifest(key: SigningKey, manifest: UnsignedArchiveManifest): ArchiveManifest {
  const unsigned = { ...manifest, algorithm: key.algorithm, keyId: key.keyId };
  return { ...unsigned, signature: signMessage(key, archiveManifestMessage(unsigned)) };
}

export function isManifestSignedBy(manifest: ArchiveManifest, keys: readonly SigningPublicKey[]): boolean {
  const key = keys.find((candidate) => candidate.keyId === manifest.keyId && candidate.algorithm === manifest.algorithm);
  return key !== undefined && isValidSignature(key, archiveManifestMessage(manifest), manifest.signature);
}
