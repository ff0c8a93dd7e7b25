import type { ExportCell } from './export-cell.js';

/** The byte order mark that makes Excel read a CSV file as UTF-8 and show Chinese text correctly. */
export const UTF8_BOM = '\uFEFF';

// RFC 4180 section 2: a field containing a comma, a double quote or a line break is quoted.
const NEEDS_QUOTES = /[",\r\n]/;

/** Formats one field per RFC 4180; double quotes inside a quoted field are doubled. */
export function csvField(cell: ExportCell): string {
  if (cell === null) return '';

  const text = String(cell);
  if (!NEEDS_QUOTES.test(text)) return text;
  return `"${text.replaceAll('"', '""')}"`;
}

/** Formats one record, ending in CRLF as RFC 4180 prescribes. */
export function csvRecord(cells: readonly ExportCell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}
