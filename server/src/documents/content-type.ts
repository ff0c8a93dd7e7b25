import { fileTypeFromBuffer } from 'file-type';

/** The file types a client document may have, judged by content. */
export const DOCUMENT_TYPES = ['pdf', 'jpeg', 'png', 'ofd', 'xlsx', 'docx'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const MEDIA_TYPES: Readonly<Record<DocumentType, string>> = Object.freeze({
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
  ofd: 'application/ofd',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
});

/** Bytes of the head the sniffer looks at; file-type needs at most about 4 KiB for these formats. */
export const SNIFF_BYTES = 4100;

/**
 * The verdict on the first bytes: a final type, `zip` when the central directory decides it
 * (OFD, XLSX and DOCX are all ZIP containers), or `undefined` for anything else.
 */
export type HeadVerdict = { kind: 'final'; type: DocumentType } | { kind: 'zip' } | undefined;

const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Classifies the head of an upload. Anything not on the allow list is rejected, which covers
 * executables (ELF, PE), scripts and archives of other kinds whatever their file name says.
 */
export async function sniffHead(head: Buffer): Promise<HeadVerdict> {
  if (head.subarray(0, 4).equals(ZIP_LOCAL_HEADER)) {
    return { kind: 'zip' };
  }

  const detected = await fileTypeFromBuffer(head);
  switch (detected?.mime) {
    case 'application/pdf':
      return { kind: 'final', type: 'pdf' };
    case 'image/jpeg':
      return { kind: 'final', type: 'jpeg' };
    case 'image/png':
      return { kind: 'final', type: 'png' };
    default:
      return undefined;
  }
}

/**
 * Classifies a ZIP container by its entry names. OFD (GB/T 33190) has `OFD.xml` at the root;
 * Office Open XML (ECMA-376) has `[Content_Types].xml` plus a `word/` or `xl/` part tree.
 */
export function classifyZipEntries(names: readonly string[]): DocumentType | undefined {
  // A container may carry a program or a macro project beside otherwise valid parts. Neither
  // belongs in a client's statements or contracts.
  if (names.some(isExecutableEntry)) {
    return undefined;
  }

  const set = new Set(names);
  if (set.has('OFD.xml')) {
    return 'ofd';
  }
  if (!set.has('[Content_Types].xml')) {
    return undefined;
  }
  const hasWord = names.some((name) => name.startsWith('word/'));
  const hasSheet = names.some((name) => name.startsWith('xl/'));
  if (hasWord && !hasSheet) return 'docx';
  if (hasSheet && !hasWord) return 'xlsx';
  return undefined;
}

/** Matches the entry names of programs, scripts and Office macro projects. */
const EXECUTABLE_ENTRY = /(\.(exe|dll|com|scr|msi|bat|cmd|ps1|vbs|vbe|js|jse|wsf|hta|jar|sh|elf|so|dylib|apk)|(^|\/)vbaProject\.bin|(^|\/)vbaData\.xml)$/i;

function isExecutableEntry(name: string): boolean {
  return EXECUTABLE_ENTRY.test(name);
}
