import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentCorruptedError, EncryptedDocumentReader, HEADER_BYTES, createEncryptStream } from './chunk-cipher.js';

const CHUNK = 1024;
const RECORD = CHUNK + 16;
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'lg-chunks-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function encryptToFile(plaintext: Buffer, key: Buffer, documentId: string): Promise<string> {
  const file = path.join(folder, `${documentId}.lgd`);
  await pipeline(Readable.from([plaintext.subarray(0, 700), plaintext.subarray(700)]), createEncryptStream({ key, documentId, chunkSize: CHUNK }), createWriteStream(file));
  return file;
}

async function readAll(reader: EncryptedDocumentReader): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of reader.stream()) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('chunked document encryption', () => {
  const key = randomBytes(32);

  it('round-trips sizes around chunk boundaries', async () => {
    for (const size of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5]) {
      const plaintext = randomBytes(size);
      const file = await encryptToFile(plaintext, key, `doc-${size}`);
      const reader = new EncryptedDocumentReader({ path: file, key, documentId: `doc-${size}` });
      expect(await readAll(reader)).toEqual(plaintext);
      expect(await reader.plaintextSize()).toBe(size);
    }
  });

  it('reads a range across chunks', async () => {
    const plaintext = randomBytes(5 * CHUNK + 17);
    const file = await encryptToFile(plaintext, key, 'range');
    const reader = new EncryptedDocumentReader({ path: file, key, documentId: 'range' });
    expect(await reader.readRange(CHUNK - 10, CHUNK + 30)).toEqual(plaintext.subarray(CHUNK - 10, 2 * CHUNK + 20));
  });

  it('stores no plaintext', async () => {
    const marker = Buffer.from('MARKER-营业执照-0123456789'.repeat(200));
    const file = await encryptToFile(marker, key, 'marker');
    const stored = await readFile(file);
    expect(stored.includes(Buffer.from('MARKER-'))).toBe(false);
  });

  const tampers: Array<[string, (stored: Buffer) => Buffer]> = [
    ['a flipped bit', (stored) => { const copy = Buffer.from(stored); copy[HEADER_BYTES + 5]! ^= 1; return copy; }],
    ['truncation at a record boundary', (stored) => stored.subarray(0, HEADER_BYTES + 2 * RECORD)],
    ['truncation inside a record', (stored) => stored.subarray(0, stored.length - 7)],
    ['a dropped middle record', (stored) => Buffer.concat([stored.subarray(0, HEADER_BYTES + RECORD), stored.subarray(HEADER_BYTES + 2 * RECORD)])],
    ['swapped records', (stored) => Buffer.concat([stored.subarray(0, HEADER_BYTES), stored.subarray(HEADER_BYTES + RECORD, HEADER_BYTES + 2 * RECORD), stored.subarray(HEADER_BYTES, HEADER_BYTES + RECORD), stored.subarray(HEADER_BYTES + 2 * RECORD)])],
  ];
  for (const [name, tamper] of tampers) {
    it(`rejects ${name}`, async () => {
      const file = await encryptToFile(randomBytes(4 * CHUNK + 100), key, 'tamper');
      await writeFile(file, tamper(await readFile(file)));
      const reader = new EncryptedDocumentReader({ path: file, key, documentId: 'tamper' });
      await expect(readAll(reader)).rejects.toBeInstanceOf(DocumentCorruptedError);
    });
  }

  it('rejects a file opened as another document', async () => {
    const file = await encryptToFile(randomBytes(100), key, 'first');
    const reader = new EncryptedDocumentReader({ path: file, key, documentId: 'second' });
    await expect(readAll(reader)).rejects.toBeInstanceOf(DocumentCorruptedError);
  });
});
