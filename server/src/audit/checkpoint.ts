import { canonicalJson } from './canonical.js';
import { type SigningKey, type SigningPublicKey, SIGNING_ALGORITHMS, type SigningAlgorithm, isValidSignature, signMessage } from './signing-keys.js';

/** A signed statement: the chain's hash at `seq` was `chainHash`, as seen at `signedAt`. */
export interface Checkpoint {
  readonly seq: number;
  readonly chainHash: string;
  readonly signedAt: string;
  readonly algorithm: SigningAlgorithm;
  readonly keyId: string;
  /** Base64 signature over `checkpointMessage`. */
  readonly signature: string;
}

/**
 * Builds the signed bytes: canonical JSON of every field but the signature, with a type tag so
 * a checkpoint signature can never pass for an archive manifest's or the other way round.
 */
export function checkpointMessage(checkpoint: Omit<Checkpoint, 'signature'>): string {
  return canonicalJson({
    type: 'ledgerguard.audit.checkpoint',
    version: 1,
    seq: checkpoint.seq,
    chainHash: checkpoint.chainHash,
    signedAt: checkpoint.signedAt,
    algorithm: checkpoint.algorithm,
    keyId: checkpoint.keyId,
  });
}

export function signCheckpoint(key: SigningKey, { seq, chainHash, signedAt }: { seq: number; chainHash: string; signedAt: string }): Checkpoint {
  const unsigned = { seq, chainHash, signedAt, algorithm: key.algorithm, keyId: key.keyId };
  return { ...unsigned, signature: signMessage(key, checkpointMessage(unsigned)) };
}

/** Whether one of the given keys signed this checkpoint; the key must match by id and algorithm. */
export function isCheckpointSignedBy(checkpoint: Checkpoint, keys: readonly SigningPublicKey[]): boolean {
  const key = keys.find((candidate) => candidate.keyId === checkpoint.keyId && candidate.algorithm === checkpoint.algorithm);
  return key !== undefined && isValidSignature(key, checkpointMessage(checkpoint), checkpoint.signature);
}

/** Reads a checkpoint from parsed JSON, or `undefined` when a member is missing or of the wrong type. */
export function parseCheckpoint(value: unknown): Checkpoint | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const { seq, chainHash, signedAt, algorithm, keyId, signature } = record;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (typeof chainHash !== 'string' || typeof signedAt !== 'string' || typeof keyId !== 'string' || typeof signature !== 'string') return undefined;
  if (!SIGNING_ALGORITHMS.includes(algorithm as SigningAlgorithm)) return undefined;
  return { seq, chainHash, signedAt, algorithm: algorithm as SigningAlgorithm, keyId, signature };
}
