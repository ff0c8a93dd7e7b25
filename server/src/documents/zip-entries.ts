/** Reads plaintext bytes by position; the stored-document reader decrypts only the chunks it needs. */
export type RangeReader = (offset: number, length: number) => Promise<Buffer>;

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const END_RECORD_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
/** Upper bound on the central directory read, so a crafted size cannot make the check read gigabytes. */
const MAX_CENTRAL_DIRECTORY_BYTES = 8 * 1024 * 1024;
const MAX_ENTRIES = 50_000;

/**
 * Lists the entry names of a ZIP file from its central directory (APPNOTE.TXT 4.3.12 and 4.3.16).
 * Returns `undefined` when the file is not a readable single-disk ZIP; ZIP64 archives are
 * treated as unreadable, which is safe because they are then rejected.
 */
export async function readZipEntryNames(read: RangeReader, size: number): Promise<string[] | undefined> {
  const tailLength = Math.min(size, END_RECORD_BYTES + MAX_COMMENT_BYTES);
  const tail = await read(size - tailLength, tailLength);

  // The end record sits before an optional comment, so search backwards for its signature.
  let endOffset = -1;
  for (let index = tail.length - END_RECORD_BYTES; index >= 0; index -= 1) {
    if (tail.readUInt32LE(index) === END_OF_CENTRAL_DIRECTORY) {
      endOffset = index;
      break;
    }
  }
  if (endOffset < 0) {
    return undefined;
  }

  const entryCount = tail.readUInt16LE(endOffset + 10);
  const directorySize = tail.readUInt32LE(endOffset + 12);
  const directoryOffset = tail.readUInt32LE(endOffset + 16);
  if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    return undefined;
  }
  if (directorySize > MAX_CENTRAL_DIRECTORY_BYTES || entryCount > MAX_ENTRIES || directoryOffset + directorySize > size) {
    return undefined;
  }

  const directory = await read(directoryOffset, directorySize);
  const names: string[] = [];
  let position = 0;
  for (let entry = 0; entry < entryCount; entry += 1) {
    if (position + 46 > directory.length || directory.readUInt32LE(position) !== CENTRAL_DIRECTORY_ENTRY) {
      return undefined;
    }
    const nameLength = directory.readUInt16LE(position + 28);
    const extraLength = directory.readUInt16LE(position + 30);
    const commentLength = directory.readUInt16LE(position + 32);
    const nameEnd = position + 46 + nameLength;
    if (nameEnd > directory.length) {
      return undefined;
    }
    names.push(directory.subarray(position + 46, nameEnd).toString('utf8'));
    position = nameEnd + extraLength + commentLength;
  }
  return names;
}
