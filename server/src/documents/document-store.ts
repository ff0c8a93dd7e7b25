import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EncryptedDocumentReader, createEncryptStream } from './chunk-cipher.js';
import { type DocumentType, type HeadVerdict, SNIFF_BYTES, classifyZipEntries, sniffHead } from './content-type.js';
import { readZipEntryNames } from './zip-entries.js';

/** Raised while storing an upload whose content is not an accepted type. */
export class DocumentTypeRejectedError extends Error {
  constructor() {
    super('Upload content is not an accepted document type');
    this.name = 'DocumentTypeRejectedError';
  }
}

/** Raised while storing an upload larger than the configured maximum. */
export class DocumentTooLargeError extends Error {
  constructor() {
    super('Upload exceeds the maximum document size');
    this.name = 'DocumentTooLargeError';
  }
}

export interface StoredUpload {
  readonly storageName: string;
  readonly fileType: DocumentType;
  readonly sizeBytes: number;
  readonly sha256: string;
}

/**
 * Encrypted document files under `<data dir>/documents/<client id>/`. An upload is written to a
 * `.part` file and renamed only after its content passed the type check, so a failed or aborted
 * upload leaves nothing behind, and leftovers of a crash are removed at start-up.
 */
export class DocumentStore {
  readonly #root: string;

  constructor(dataDir: string) {
    this.#root = path.join(dataDir, 'documents');
  }

  pathOf(clientId: string, storageName: string): string {
    // Ids are UUIDs chosen by the server; the check stops a crafted row from escaping the root.
    if (!/^[0-9a-f-]{36}$/.test(clientId) || !/^[0-9a-f-]{36}\.lgd$/.test(storageName)) {
      throw new Error('Invalid document storage path');
    }
    return path.join(this.#root, clientId, storageName);
  }

  /** Streams an upload through the content check, hashing and chunked encryption into the store. */
  async write({ source, clientId, documentId, key, maxBytes }: { source: Readable; clientId: string; documentId: string; key: Buffer; maxBytes: number }): Promise<StoredUpload> {
    const storageName = `${documentId}.lgd`;
    const finalPath = this.pathOf(clientId, storageName);
    const partPath = `${finalPath}.part`;
    await mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });

    try {
      const inspection = new UploadInspection(maxBytes);
      await pipeline(source, inspection.transform, createEncryptStream({ key, documentId }), createWriteStream(partPath, { mode: 0o600 }));
      const verdict = inspection.verdictOrThrow();

      let fileType: DocumentType | undefined = verdict.kind === 'final' ? verdict.type : undefined;
      if (verdict.kind === 'zip') {
        // The central directory sits at the end of a ZIP, so it is read back from the encrypted file.
        const reader = new EncryptedDocumentReader({ path: partPath, key, documentId });
        const names = await readZipEntryNames((offset, length) => reader.readRange(offset, length), inspection.size);
        fileType = names ? classifyZipEntries(names) : undefined;
      }
      if (!fileType) {
        throw new DocumentTypeRejectedError();
      }

      await rename(partPath, finalPath);
      return { storageName, fileType, sizeBytes: inspection.size, sha256: inspection.sha256() };
    } catch (error) {
      await rm(partPath, { force: true });
      throw error;
    }
  }

  async remove(clientId: string, storageName: string): Promise<void> {
    await rm(this.pathOf(clientId, storageName), { force: true });
  }

  /** Deletes `.part` files left by a process that stopped during an upload; returns how many. */
  async removeIncompleteUploads(): Promise<number> {
    let removed = 0;
    const clientDirs = await readdir(this.#root, { withFileTypes: true }).catch(() => []);
    for (const entry of clientDirs) {
      if (!entry.isDirectory()) continue;
      const folder = path.join(this.#root, entry.name);
      for (const name of await readdir(folder)) {
        if (name.endsWith('.part')) {
          await rm(path.join(folder, name), { force: true });
          removed += 1;
        }
      }
    }
    return removed;
  }
}

/**
 * Hashes and counts the plaintext as it passes, and checks the first bytes before more than
 * one look-ahead buffer reaches the encryptor, so a rejected type fails early.
 */
class UploadInspection {
  readonly transform: Transform;
  readonly #hash = createHash('sha256');
  #head: Buffer[] = [];
  #headBytes = 0;
  #verdict: HeadVerdict | null = null;
  size = 0;

  constructor(maxBytes: number) {
    const inspection = this;
    this.transform = new Transform({
      transform(data: Buffer, _encoding, callback: TransformCallback) {
        inspection.size += data.length;
        if (inspection.size > maxBytes) {
          callback(new DocumentTooLargeError());
          return;
        }
        inspection.#hash.update(data);
        if (inspection.#verdict !== null) {
          callback(null, data);
          return;
        }

        inspection.#head.push(data);
        inspection.#headBytes += data.length;
        if (inspection.#headBytes < SNIFF_BYTES) {
          callback();
          return;
        }
        inspection.#decide().then(() => callback(null, Buffer.concat(inspection.#head.splice(0))), callback);
      },
      flush(callback: TransformCallback) {
        if (inspection.#verdict !== null) {
          callback();
          return;
        }
        inspection.#decide().then(() => callback(null, Buffer.concat(inspection.#head.splice(0))), callback);
      },
    });
  }

  async #decide(): Promise<void> {
    this.#verdict = await sniffHead(Buffer.concat(this.#head).subarray(0, SNIFF_BYTES));
    if (this.#verdict === undefined) {
      throw new DocumentTypeRejectedError();
    }
  }

  verdictOrThrow(): NonNullable<HeadVerdict> {
    if (!this.#verdict) {
      throw new DocumentTypeRejectedError();
    }
    return this.#verdict;
  }

  sha256(): string {
    return this.#hash.digest('hex');
  }
}
