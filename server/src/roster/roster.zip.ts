/**
 * Reading the parts of a ZIP archive held in memory, as far as an .xlsx workbook needs: the
 * central directory, stored and deflated entries (APPNOTE.TXT 6.3, sections 4.3 and 4.4).
 * ZIP64, encryption and other compression methods are rejected, because no roster needs them.
 */
import { inflateRawSync } from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT_SIZE = 0xffff;

const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8_NAME = 0x0800;

/** A workbook has about a dozen parts; the cap bounds the work a crafted directory can cause. */
const MAX_ENTRIES = 10_000;

export class ZipFormatError extends Error {
  /** `too_large` when an entry inflates past the caller's limit, `invalid` for anything else. */
  readonly reason: 'invalid' | 'too_large';

  constructor(message: string, reason: 'invalid' | 'too_large' = 'invalid', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ZipFormatError';
    this.reason = reason;
  }
}

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

/**
 * Lists the archive's entries from its central directory, keyed by lower-cased name because
 * part names of an Office document are case-insensitive (ECMA-376 Part 2, 6.2.2.3). Throws
 * `ZipFormatError` when the bytes are not a ZIP archive this reader supports.
 */
export function listZipEntries(bytes: Buffer): Map<string, ZipEntry> {
  const end = findEndRecord(bytes);
  const entryCount = bytes.readUInt16LE(end + 10);
  const directorySize = bytes.readUInt32LE(end + 12);
  const directoryOffset = bytes.readUInt32LE(end + 16);
  if (entryCount === 0xffff || directoryOffset === 0xffffffff) {
    throw new ZipFormatError('ZIP64 archives are not supported');
  }
  if (entryCount > MAX_ENTRIES) {
    throw new ZipFormatError(`The archive lists ${entryCount} entries; at most ${MAX_ENTRIES} are read`);
  }
  if (directoryOffset + directorySize > end) {
    throw new ZipFormatError('The central directory lies outside the archive');
  }

  const entries = new Map<string, ZipEntry>();
  let offset = directoryOffset;
  for (let index = 0; index < entryCount; index += 1) {
    if (offset + 46 > end || bytes.readUInt32LE(offset) !== CENTRAL_DIRECTORY_ENTRY) {
      throw new ZipFormatError(`Central directory entry ${index} is damaged`);
    }
    const flags = bytes.readUInt16LE(offset + 8);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    const nameEnd = offset + 46 + nameLength;
    if (nameEnd > end) {
      throw new ZipFormatError(`Central directory entry ${index} is damaged`);
    }

    const name = bytes.toString(flags & FLAG_UTF8_NAME ? 'utf8' : 'latin1', offset + 46, nameEnd);
    entries.set(name.toLowerCase(), {
      name,
      method: bytes.readUInt16LE(offset + 10),
      flags,
      compressedSize: bytes.readUInt32LE(offset + 20),
      uncompressedSize: bytes.readUInt32LE(offset + 24),
      localHeaderOffset: bytes.readUInt32LE(offset + 42),
    });
    offset = nameEnd + extraLength + commentLength;
  }
  return entries;
}

/**
 * Returns an entry's content. Inflating stops at `maxBytes`, so a small archive that expands
 * to gigabytes (a ZIP bomb) fails with reason `too_large` instead of exhausting memory.
 */
export function readZipEntry(bytes: Buffer, entry: ZipEntry, maxBytes: number): Buffer {
  if (entry.flags & FLAG_ENCRYPTED) {
    throw new ZipFormatError(`Entry ${entry.name} is encrypted`);
  }
  const header = entry.localHeaderOffset;
  if (header + 30 > bytes.length || bytes.readUInt32LE(header) !== LOCAL_FILE_HEADER) {
    throw new ZipFormatError(`The local header of ${entry.name} is damaged`);
  }
  // Sizes come from the central directory: with a data descriptor (flag bit 3) the local header contains zeros.
  const dataStart = header + 30 + bytes.readUInt16LE(header + 26) + bytes.readUInt16LE(header + 28);
  const dataEnd = dataStart + entry.compressedSize;
  if (dataEnd > bytes.length) {
    throw new ZipFormatError(`The data of ${entry.name} lies outside the archive`);
  }
  if (entry.uncompressedSize > maxBytes) {
    throw new ZipFormatError(`${entry.name} declares ${entry.uncompressedSize} bytes; at most ${maxBytes} are read`, 'too_large');
  }

  const data = bytes.subarray(dataStart, dataEnd);
  let content: Buffer;
  if (entry.method === METHOD_STORED) {
    content = data;
  } else if (entry.method === METHOD_DEFLATED) {
    content = inflateOrThrow(data, entry.name, maxBytes);
  } else {
    throw new ZipFormatError(`${entry.name} uses compression method ${entry.method}; only stored and deflated entries are read`);
  }

  // The declared size is checked after inflating too, because only the inflated bytes are trustworthy.
  if (content.length !== entry.uncompressedSize) {
    throw new ZipFormatError(`${entry.name} inflates to ${content.length} bytes, but its directory entry declares ${entry.uncompressedSize}`);
  }
  return content;
}

function inflateOrThrow(data: Buffer, name: string, maxBytes: number): Buffer {
  try {
    return inflateRawSync(data, { maxOutputLength: maxBytes });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ZipFormatError(`${name} inflates past ${maxBytes} bytes`, 'too_large', { cause: error });
    }
    throw new ZipFormatError(`${name} could not be inflated`, 'invalid', { cause: error });
  }
}

/** Finds the end of central directory record, which a trailing archive comment may push back from the end. */
function findEndRecord(bytes: Buffer): number {
  const lowest = Math.max(0, bytes.length - END_RECORD_SIZE - MAX_COMMENT_SIZE);
  for (let offset = bytes.length - END_RECORD_SIZE; offset >= lowest; offset -= 1) {
    if (bytes.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  throw new ZipFormatError('No end of central directory record; the file is not a ZIP archive');
}
