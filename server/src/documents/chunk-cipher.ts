import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';

/**
 * Stored document format, version 1:
 *   header  = "LGD1" | chunk size (uint32 BE) | nonce prefix (8 bytes)
 *   records = AES-256-GCM(chunk) | tag (16 bytes), one per plaintext chunk
 * Every record but the last holds exactly `chunkSize` plaintext bytes. The nonce is the prefix
 * followed by the chunk index (uint32 BE), and the associated data is
 * `document id | chunk index | final flag`, so records cannot be reordered, dropped, moved to
 * another document, or cut off at a record boundary without failing authentication.
 */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
const MAGIC = Buffer.from('LGD1', 'ascii');
const NONCE_PREFIX_BYTES = 8;
export const HEADER_BYTES = MAGIC.length + 4 + NONCE_PREFIX_BYTES;
const TAG_BYTES = 16;
const MAX_CHUNKS = 2 ** 32;

/** Raised when a stored document fails authentication or does not have the expected layout. */
export class DocumentCorruptedError extends Error {
  constructor(detail: string) {
    super(`Stored document failed its integrity check: ${detail}`);
    this.name = 'DocumentCorruptedError';
  }
}

function nonceFor(prefix: Buffer, index: number): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  return nonce;
}

function associatedData(documentId: string, index: number, final: boolean): Buffer {
  return Buffer.from(`${documentId}|${index}|${final ? 1 : 0}`, 'utf8');
}

function sealChunk(key: Buffer, prefix: Buffer, documentId: string, index: number, final: boolean, plaintext: Buffer): Buffer {
  if (index >= MAX_CHUNKS) {
    throw new Error('Document has more chunks than the nonce counter allows');
  }
  const cipher = createCipheriv('aes-256-gcm', key, nonceFor(prefix, index));
  cipher.setAAD(associatedData(documentId, index, final));
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function openChunk(key: Buffer, prefix: Buffer, documentId: string, index: number, final: boolean, record: Buffer): Buffer {
  if (record.length < TAG_BYTES) {
    throw new DocumentCorruptedError(`record ${index} is shorter than its tag`);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, nonceFor(prefix, index));
  decipher.setAAD(associatedData(documentId, index, final));
  decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(record.subarray(0, record.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DocumentCorruptedError(`record ${index} failed authentication`);
  }
}

/**
 * Returns a transform that encrypts a plaintext stream into the stored format. It holds at most
 * two chunks, because a chunk is only known to be the final one when the input ends.
 */
export function createEncryptStream({ key, documentId, chunkSize = DEFAULT_CHUNK_SIZE }: { key: Buffer; documentId: string; chunkSize?: number }): Transform {
  const prefix = randomBytes(NONCE_PREFIX_BYTES);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;
  let headerSent = false;

  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(chunkSize, MAGIC.length);
  prefix.copy(header, MAGIC.length + 4);

  function emitHeader(stream: Transform): void {
    if (!headerSent) {
      stream.push(header);
      headerSent = true;
    }
  }

  return new Transform({
    transform(data: Buffer, _encoding, callback: TransformCallback) {
      emitHeader(this);
      pending.push(data);
      pendingBytes += data.length;

      // Strictly more than one chunk buffered: the first is certainly not the last one.
      while (pendingBytes > chunkSize) {
        const joined = Buffer.concat(pending);
        this.push(sealChunk(key, prefix, documentId, index, false, joined.subarray(0, chunkSize)));
        index += 1;
        pending = [joined.subarray(chunkSize)];
        pendingBytes = pending[0]!.length;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      emitHeader(this);
      this.push(sealChunk(key, prefix, documentId, index, true, Buffer.concat(pending)));
      callback();
    },
  });
}

interface StoredLayout {
  readonly chunkSize: number;
  readonly prefix: Buffer;
  readonly recordCount: number;
  readonly fileSize: number;
}

/** Opens a stored document for random-access reads of its plaintext, one record at a time. */
export class EncryptedDocumentReader {
  readonly #path: string;
  readonly #key: Buffer;
  readonly #documentId: string;
  #layout: StoredLayout | undefined;

  constructor({ path, key, documentId }: { path: string; key: Buffer; documentId: string }) {
    this.#path = path;
    this.#key = key;
    this.#documentId = documentId;
  }

  async layout(): Promise<StoredLayout> {
    if (this.#layout) return this.#layout;
    const handle = await open(this.#path, 'r');
    try {
      const { size } = await handle.stat();
      const header = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
      if (bytesRead !== HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
        throw new DocumentCorruptedError('header missing');
      }
      const chunkSize = header.readUInt32BE(MAGIC.length);
      const body = size - HEADER_BYTES;
      if (chunkSize === 0 || body < TAG_BYTES) {
        throw new DocumentCorruptedError('no records');
      }
      const recordCount = Math.ceil(body / (chunkSize + TAG_BYTES));
      this.#layout = { chunkSize, prefix: Buffer.from(header.subarray(MAGIC.length + 4)), recordCount, fileSize: size };
      return this.#layout;
    } finally {
      await handle.close();
    }
  }

  /** Decrypts and returns one chunk; the last record is opened with the final flag set. */
  async readChunk(index: number): Promise<Buffer> {
    const layout = await this.layout();
    const handle = await open(this.#path, 'r');
    try {
      return await this.#readChunkWith(handle, layout, index);
    } finally {
      await handle.close();
    }
  }

  /** Returns `length` plaintext bytes from `offset`, decrypting only the chunks they lie in. */
  async readRange(offset: number, length: number): Promise<Buffer> {
    const layout = await this.layout();
    const parts: Buffer[] = [];
    const first = Math.floor(offset / layout.chunkSize);
    const last = Math.floor((offset + Math.max(length, 1) - 1) / layout.chunkSize);
    const handle = await open(this.#path, 'r');
    try {
      for (let index = first; index <= last && index < layout.recordCount; index += 1) {
        parts.push(await this.#readChunkWith(handle, layout, index));
      }
    } finally {
      await handle.close();
    }
    const start = offset - first * layout.chunkSize;
    return Buffer.concat(parts).subarray(start, start + length);
  }

  /** Returns the plaintext as a stream; a failed record ends the stream with DocumentCorruptedError. */
  stream(): Readable {
    const reader = this;
    return Readable.from(
      (async function* chunks() {
        const layout = await reader.layout();
        const handle = await open(reader.#path, 'r');
        try {
          for (let index = 0; index < layout.recordCount; index += 1) {
            yield await reader.#readChunkWith(handle, layout, index);
          }
        } finally {
          await handle.close();
        }
      })(),
      { objectMode: false },
    );
  }

  async #readChunkWith(handle: Awaited<ReturnType<typeof open>>, layout: StoredLayout, index: number): Promise<Buffer> {
    const recordBytes = layout.chunkSize + TAG_BYTES;
    const position = HEADER_BYTES + index * recordBytes;
    const length = Math.min(recordBytes, layout.fileSize - position);
    const record = Buffer.alloc(length);
    const { bytesRead } = await handle.read(record, 0, length, position);
    if (bytesRead !== length) {
      throw new DocumentCorruptedError(`record ${index} is incomplete`);
    }
    const final = index === layout.recordCount - 1;
    return openChunk(this.#key, layout.prefix, this.#documentId, index, final, record);
  }

  /** Plaintext size implied by the layout: full chunks plus the final record's contents. */
  async plaintextSize(): Promise<number> {
    const layout = await this.layout();
    const body = layout.fileSize - HEADER_BYTES;
    return body - layout.recordCount * TAG_BYTES;
  }
}
