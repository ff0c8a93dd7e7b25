/**
 * Reading the first visible worksheet of an .xlsx workbook (ECMA-376 SpreadsheetML) into rows of
 * plain cell values. It reads only the parts a roster needs (workbook, relationships, shared
 * strings, number formats, one sheet) and keeps no model of the workbook. The full ExcelJS model
 * of a 10,000-row roster took about 100 MB more memory at its peak.
 *
 * Values come out as the roster reader took them from ExcelJS 4.4 `getCell().value` before.
 * Shared, inline and rich text become one string, and numbers stay numbers, except numbers in
 * a date or time format, which become a `Date`. Booleans become 'TRUE' or 'FALSE', formulas
 * their cached result and error values `null`. Every cell of a merged range gets the value of
 * its top-left cell. One
 * difference: the East Asian built-in date formats (ids 27-36 and 50-58) give a `Date` here,
 * where ExcelJS gave the serial number.
 */
import path from 'node:path/posix';
import type { RosterCell } from './roster.clean.js';
import { XmlScanner } from './roster.xml.js';
import { type ZipEntry, listZipEntries, readZipEntry } from './roster.zip.js';

/** One row of a worksheet, numbered as the file numbers it (1-based), trailing empty cells removed. */
export interface WorksheetRow {
  readonly rowNumber: number;
  readonly cells: readonly RosterCell[];
}

/**
 * Largest part read after inflating. The sheet and shared strings of a 10,000-row, 19-column
 * roster take about 9 MB, so this admits rosters of well over 100,000 rows.
 */
export const MAX_PART_BYTES = 128 * 1024 * 1024;

// Excel's sheet limits: 1,048,576 rows and 16,384 columns (XFD).
const MAX_ROW = 1_048_576;
const MAX_COLUMN = 16_384;
// Cells filled from merged ranges, in all: twice the cells of a 100,000-row, 20-column sheet.
const MAX_MERGED_CELLS = 4_000_000;

const RELATIONSHIP_TYPE_SUFFIX = {
  officeDocument: '/officeDocument',
  worksheet: '/worksheet',
  sharedStrings: '/sharedStrings',
  styles: '/styles',
} as const;

// Built-in number formats that show dates or times (ECMA-376 Part 1, 18.8.30, and the East
// Asian built-ins 27-36 and 50-58 that Chinese Excel uses for 年/月/日 formats).
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** Thrown for a workbook this reader cannot make sense of; the caller reports it as unreadable. */
export class WorkbookFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkbookFormatError';
  }
}

interface SheetReference {
  readonly relationshipId: string;
  readonly visible: boolean;
}

interface WorkbookParts {
  readonly sheets: readonly SheetReference[];
  readonly date1904: boolean;
}

interface CellStyles {
  /** Per cell format (`s` attribute) whether its number format shows a date or time. */
  readonly isDate: readonly boolean[];
}

/**
 * Reads the first visible worksheet, or the first worksheet when all are hidden. Returns
 * `undefined` when the workbook has no worksheet. Throws `ZipFormatError`, `XmlFormatError` or
 * `WorkbookFormatError` for a damaged file.
 */
export function readFirstVisibleWorksheet(content: Uint8Array): WorksheetRow[] | undefined {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const entries = listZipEntries(bytes);
  const readPart = (name: string): string | undefined => {
    const entry = entries.get(name.toLowerCase());
    return entry ? decodePart(bytes, entry) : undefined;
  };

  const rootRelationships = readRelationships(readPart('_rels/.rels'), '');
  const workbookPath = findByType(rootRelationships, RELATIONSHIP_TYPE_SUFFIX.officeDocument)?.target ?? 'xl/workbook.xml';
  const workbookXml = readPart(workbookPath);
  if (workbookXml === undefined) throw new WorkbookFormatError('The archive has no workbook part');

  const workbook = readWorkbook(workbookXml);
  const relationships = readRelationships(readPart(relationshipsPathOf(workbookPath)), path.dirname(workbookPath));
  const sheet = workbook.sheets.find((candidate) => candidate.visible) ?? workbook.sheets[0];
  if (!sheet) return undefined;
  const sheetPath = relationships.find((relationship) => relationship.id === sheet.relationshipId && relationship.type.endsWith(RELATIONSHIP_TYPE_SUFFIX.worksheet))?.target;
  const sheetXml = sheetPath === undefined ? undefined : readPart(sheetPath);
  if (sheetXml === undefined) throw new WorkbookFormatError('The first visible sheet is missing from the archive');

  const sharedStringsPath = findByType(relationships, RELATIONSHIP_TYPE_SUFFIX.sharedStrings)?.target;
  const stylesPath = findByType(relationships, RELATIONSHIP_TYPE_SUFFIX.styles)?.target;
  const sharedStrings = readSharedStrings(sharedStringsPath === undefined ? undefined : readPart(sharedStringsPath));
  const styles = readCellStyles(stylesPath === undefined ? undefined : readPart(stylesPath));
  return readWorksheet(sheetXml, { sharedStrings, styles, date1904: workbook.date1904 });
}

function decodePart(bytes: Buffer, entry: ZipEntry): string {
  const content = readZipEntry(bytes, entry, MAX_PART_BYTES);
  // XML parts are UTF-8 as Excel writes them; UTF-16 is allowed by XML and announced by its byte order mark.
  if (content[0] === 0xff && content[1] === 0xfe) return content.toString('utf16le', 2);
  return content.toString('utf8');
}

interface Relationship {
  readonly id: string;
  readonly type: string;
  /** Part name relative to the archive root, without a leading slash. */
  readonly target: string;
}

/** Reads a relationships part; targets are resolved against `baseFolder` (OPC, ECMA-376 Part 2, 9.3). */
function readRelationships(xml: string | undefined, baseFolder: string): Relationship[] {
  if (xml === undefined) return [];
  const relationships: Relationship[] = [];
  const scanner = new XmlScanner(xml);
  while (scanner.next()) {
    if (scanner.name !== 'Relationship' || scanner.closing) continue;
    const { Id: id, Type: type, Target: target, TargetMode: mode } = scanner.attributes();
    // External targets (hyperlinks) are addresses, not parts of the archive.
    if (!id || !type || !target || mode === 'External') continue;
    const resolved = target.startsWith('/') ? target.slice(1) : path.normalize(path.join(baseFolder, target));
    relationships.push({ id, type, target: resolved });
  }
  return relationships;
}

function findByType(relationships: readonly Relationship[], typeSuffix: string): Relationship | undefined {
  return relationships.find((relationship) => relationship.type.endsWith(typeSuffix));
}

function relationshipsPathOf(partPath: string): string {
  return path.join(path.dirname(partPath), '_rels', `${path.basename(partPath)}.rels`);
}

function readWorkbook(xml: string): WorkbookParts {
  const sheets: SheetReference[] = [];
  let date1904 = false;
  const scanner = new XmlScanner(xml);
  while (scanner.next()) {
    if (scanner.closing) continue;
    if (scanner.name === 'workbookPr') {
      const value = scanner.attributes().date1904;
      date1904 = value === '1' || value === 'true';
    } else if (scanner.name === 'sheet') {
      const { id, state } = scanner.attributes();
      if (id) sheets.push({ relationshipId: id, visible: state === undefined || state === 'visible' });
    }
  }
  return { sheets, date1904 };
}

/**
 * Reads the shared string table. A rich-text string is the concatenation of its runs; phonetic
 * guides (`rPh`) are not part of the text.
 */
function readSharedStrings(xml: string | undefined): string[] {
  if (xml === undefined) return [];
  const strings: string[] = [];
  const scanner = new XmlScanner(xml);
  let current: string[] | undefined;
  let phoneticDepth = 0;
  while (scanner.next()) {
    if (scanner.name === 'si') {
      if (!scanner.closing) current = [];
      if (scanner.closing || scanner.selfClosing) {
        strings.push(unescapeOoxml((current ?? []).join('')));
        current = undefined;
      }
    } else if (scanner.name === 'rPh') {
      if (!scanner.selfClosing) phoneticDepth += scanner.closing ? -1 : 1;
    } else if (scanner.name === 't' && scanner.closing && current && phoneticDepth === 0) {
      current.push(scanner.text());
    }
  }
  return strings;
}

/** Reads which cell formats show dates, from the number formats of `cellXfs`. */
function readCellStyles(xml: string | undefined): CellStyles {
  if (xml === undefined) return { isDate: [] };
  const customFormats = new Map<number, string>();
  const isDate: boolean[] = [];
  let inCellFormats = false;
  const scanner = new XmlScanner(xml);
  while (scanner.next()) {
    if (scanner.name === 'numFmt' && !scanner.closing) {
      const { numFmtId, formatCode } = scanner.attributes();
      if (numFmtId !== undefined && formatCode !== undefined) customFormats.set(Number(numFmtId), formatCode);
    } else if (scanner.name === 'cellXfs') {
      inCellFormats = !scanner.closing && !scanner.selfClosing;
    } else if (scanner.name === 'xf' && inCellFormats && !scanner.closing) {
      const formatId = Number(scanner.attributes().numFmtId ?? 0);
      const custom = customFormats.get(formatId);
      isDate.push(custom !== undefined ? isDateFormatCode(custom) : BUILT_IN_DATE_FORMATS.has(formatId));
    }
  }
  return { isDate };
}

/**
 * Tells whether a custom number format shows a date or time, by the rule ExcelJS 4.4 applies
 * (utils.isDateFmt): a date or time letter outside quoted text and brackets.
 */
export function isDateFormatCode(code: string): boolean {
  const visible = code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '');
  return /[ymdhMsb]/.test(visible);
}

/** Converts an Excel serial day number to a Date as ExcelJS 4.4 does (utils.excelToDate). */
export function excelSerialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

/** Replaces `_xHHHH_` escapes, the form OOXML strings use for characters XML cannot carry. */
function unescapeOoxml(text: string): string {
  return text.includes('_x') ? text.replace(/_x([0-9A-F]{4})_/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))) : text;
}

interface SheetContext {
  readonly sharedStrings: readonly string[];
  readonly styles: CellStyles;
  readonly date1904: boolean;
}

/** The content of one `<c>` element before it becomes a value. */
interface CellContent {
  type: string;
  styleIndex: number;
  value: string | undefined;
  inlineText: string[];
}

function readWorksheet(xml: string, context: SheetContext): WorksheetRow[] {
  const rows = new Map<number, RosterCell[]>();
  const merges: string[] = [];
  const scanner = new XmlScanner(xml);
  let rowNumber = 0;
  let cells: RosterCell[] | undefined;
  let column = 0;
  let maxColumn = 0;

  while (scanner.next()) {
    const name = scanner.name;
    if (name === 'row' && !scanner.closing) {
      const reference = scanner.attributes().r;
      rowNumber = reference === undefined ? rowNumber + 1 : parseIndex(reference, MAX_ROW, 'row number');
      cells = rows.get(rowNumber) ?? [];
      rows.set(rowNumber, cells);
      column = 0;
      if (scanner.selfClosing) cells = undefined;
    } else if (name === 'row') {
      cells = undefined;
    } else if (name === 'c' && !scanner.closing) {
      if (!cells) throw new WorkbookFormatError('A cell outside a row');
      const { r: reference, t: type = 'n', s: style } = scanner.attributes();
      column = reference === undefined ? column + 1 : columnOfReference(reference);
      maxColumn = Math.max(maxColumn, column);
      const content: CellContent = { type, styleIndex: style === undefined ? 0 : Number(style), value: undefined, inlineText: [] };
      if (!scanner.selfClosing) readCellContent(scanner, content);
      setCell(cells, column, cellValue(content, context));
    } else if (name === 'mergeCell' && !scanner.closing) {
      const reference = scanner.attributes().ref;
      if (reference) merges.push(reference);
    }
  }

  applyMerges(rows, merges, maxColumn);
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([number, rowCells]) => ({ rowNumber: number, cells: trimTrailingNulls(rowCells) }));
}

/** Reads the children of a `<c>` element up to its end tag. */
function readCellContent(scanner: XmlScanner, content: CellContent): void {
  let phoneticDepth = 0;
  while (scanner.next()) {
    const name = scanner.name;
    if (name === 'c' && scanner.closing) return;
    if (name === 'v' && scanner.closing) {
      content.value = scanner.text();
    } else if (name === 'rPh' && !scanner.selfClosing) {
      phoneticDepth += scanner.closing ? -1 : 1;
    } else if (name === 't' && scanner.closing && phoneticDepth === 0) {
      content.inlineText.push(scanner.text());
    }
  }
  throw new WorkbookFormatError('A cell element is not closed');
}

function cellValue(content: CellContent, context: SheetContext): RosterCell {
  const { type, value } = content;
  switch (type) {
    case 's': {
      if (value === undefined) return null;
      const text = context.sharedStrings[Number(value)];
      if (text === undefined) throw new WorkbookFormatError('A cell refers to a shared string that does not exist');
      return text;
    }
    case 'inlineStr':
      return unescapeOoxml(content.inlineText.join(''));
    case 'str':
      return value === undefined ? null : unescapeOoxml(value);
    case 'b':
      return value === undefined ? null : value.trim() === '1' || value.trim() === 'true' ? 'TRUE' : 'FALSE';
    case 'e':
      return null;
    case 'd': {
      const date = value === undefined ? undefined : new Date(value);
      return date && !Number.isNaN(date.getTime()) ? date : null;
    }
    default: {
      // A formula saved without a calculated result has no `<v>`, and reads as empty.
      if (value === undefined || value.trim() === '') return null;
      const number = Number(value);
      if (!Number.isFinite(number)) throw new WorkbookFormatError('A numeric cell contains no valid number');
      return context.styles.isDate[content.styleIndex] ? excelSerialToDate(number, context.date1904) : number;
    }
  }
}

function setCell(cells: RosterCell[], column: number, value: RosterCell): void {
  while (cells.length < column - 1) cells.push(null);
  cells[column - 1] = value;
}

/**
 * Gives every cell of each merged range the value of its top-left cell. Ranges are clipped to
 * the rows and columns the sheet uses, so a range declared over the whole sheet costs no more
 * than the data it covers.
 */
function applyMerges(rows: Map<number, RosterCell[]>, merges: readonly string[], maxColumn: number): void {
  if (merges.length === 0) return;
  let maxRow = 0;
  for (const row of rows.keys()) maxRow = Math.max(maxRow, row);

  let filled = 0;
  for (const reference of merges) {
    const [start, end = start] = reference.split(':');
    const top = rowOfReference(start!);
    const left = columnOfReference(start!);
    const bottom = Math.min(rowOfReference(end!), maxRow);
    const right = Math.min(columnOfReference(end!), maxColumn);
    const master = rows.get(top)?.[left - 1] ?? null;

    // Many overlapping ranges could still ask for far more cells than the sheet contains.
    filled += Math.max(0, bottom - top + 1) * Math.max(0, right - left + 1);
    if (filled > MAX_MERGED_CELLS) throw new WorkbookFormatError(`Merged ranges cover more than ${MAX_MERGED_CELLS} cells`);

    for (let row = top; row <= bottom; row += 1) {
      let cells = rows.get(row);
      if (!cells) {
        cells = [];
        rows.set(row, cells);
      }
      for (let column = left; column <= right; column += 1) {
        if (row !== top || column !== left) setCell(cells, column, master);
      }
    }
  }
}

function trimTrailingNulls(cells: RosterCell[]): RosterCell[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === null) end -= 1;
  return end === cells.length ? cells : cells.slice(0, end);
}

function parseIndex(text: string, max: number, what: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new WorkbookFormatError(`A ${what} is out of range`);
  return value;
}

/** Returns the 1-based column of an A1 reference such as `AB12`. */
function columnOfReference(reference: string): number {
  const letters = /^\$?([A-Za-z]{1,3})/.exec(reference)?.[1];
  if (!letters) throw new WorkbookFormatError('A cell reference has no column');
  let column = 0;
  for (const letter of letters.toUpperCase()) column = column * 26 + (letter.charCodeAt(0) - 64);
  if (column > MAX_COLUMN) throw new WorkbookFormatError('A column is out of range');
  return column;
}

function rowOfReference(reference: string): number {
  const digits = /([0-9]+)$/.exec(reference)?.[1];
  if (!digits) throw new WorkbookFormatError('A cell reference has no row');
  return parseIndex(digits, MAX_ROW, 'row number');
}
