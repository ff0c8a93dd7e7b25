import { createHash, timingSafeEqual } from 'node:crypto';
import { DocumentCorruptedError, type EncryptedDocumentReader } from './chunk-cipher.js';

/**
 * Decrypts every record of a stored document and compares its plaintext size and SHA-256 with
 * the values recorded at upload. Memory use is one chunk at a time.
 */
export async function verifyStoredDocumentOrThrow(reader: EncryptedDocumentReader, expected: { sha256: string; sizeBytes: number }): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of reader.stream()) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }

  if (size !== expected.sizeBytes) {
    throw new DocumentCorruptedError('plaintext size differs from the recorded size');
  }
  const actual = hash.digest();
  const recorded = Buffer.from(expected.sha256, 'hex');
  if (recorded.length !== actual.length || !timingSafeEqual(actual, recorded)) {
    throw new DocumentCorruptedError('SHA-256 differs from the recorded digest');
  }
}
