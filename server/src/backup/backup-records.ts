import type { Readable } from 'node:stream';

/** Record kinds of the compressed inner stream. */
export const RECORD_TABLE_ROWS = 1;
export const RECORD_DOCUMENT_BYTES = 2;

export interface BackupRecord {
  readonly kind: number;
  /** Table name or document path relative to DATA_DIR/documents. */
  readonly name: string;
  readonly data: Buffer;
}

/** Frames one record: u8 kind | u16 name length | name | u32 data length | data. */
export function encodeRecord(kind: number, name: string, data: Buffer): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const head = Buffer.alloc(1 + 2 + nameBytes.length + 4);
  head.writeUInt8(kind, 0);
  head.writeUInt16BE(nameBytes.length, 1);
  nameBytes.copy(head, 3);
  head.writeUInt32BE(data.length, 3 + nameBytes.length);
  return Buffer.concat([head, data]);
}

/** Parses the records of a decrypted, decompressed inner stream. */
export async function* readRecords(source: Readable): AsyncGenerator<BackupRecord> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    for (;;) {
      if (pending.length < 3) break;
      const nameLength = pending.readUInt16BE(1);
      if (pending.length < 3 + nameLength + 4) break;
      const dataLength = pending.readUInt32BE(3 + nameLength);
      const end = 3 + nameLength + 4 + dataLength;
      if (pending.length < end) break;

      yield { kind: pending.readUInt8(0), name: pending.subarray(3, 3 + nameLength).toString('utf8'), data: Buffer.from(pending.subarray(3 + nameLength + 4, end)) };
      pending = pending.subarray(end);
    }
  }
  if (pending.length > 0) throw new Error('The backup ends inside a record');
}
