/**
 * Cleaning of single roster cells. Rosters are typed by hand in Chinese input methods, so cells
 * carry full-width digits and letters, ideographic spaces, stray non-breaking spaces and
 * dates in half a dozen spellings.
 */

/** A cell value as the roster reader delivers it. */
export type RosterCell = string | number | Date | null;

// Zero-width characters survive NFKC and `\s`, but are never meant as content.
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
const DASHES = /[-\u2010-\u2015\u2212]/g;

// Excel's 1900 date system: serial 1 is 1900-01-01, and serial 60 is the 1900-02-29 that never
// existed (kept for Lotus 1-2-3 compatibility), so from serial 61 on the epoch is 1899-12-30.
const EXCEL_EPOCH_BEFORE_LEAP_BUG = Date.UTC(1899, 11, 31);
const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
const EXCEL_FAKE_LEAP_DAY = 60;
const EXCEL_MAX_SERIAL = 2958465; // 9999-12-31
const DAY_MS = 86_400_000;

// Full-width punctuation that is the correct form in Chinese text (GB/T 15834). NFKC would turn
// it half-width, which changes registered company names such as 上海恒信（集团）有限公司.
const OUTSIDE_CHINESE_PUNCTUATION = /[^！（），：；？]+/g;

/**
 * Returns the text of a cell with full-width letters, digits and symbols turned half-width
 * (NFKC), white space runs (ideographic space and NBSP included) collapsed to one space, and
 * ends trimmed. The Chinese punctuation ！（），：；？ is kept as it is. A Date becomes
 * `YYYY-MM-DD`, and an empty cell ''.
 */
export function cleanText(value: RosterCell | undefined): string {
  const normalized = cellToText(value).replace(OUTSIDE_CHINESE_PUNCTUATION, (run) => run.normalize('NFKC'));
  return collapseWhiteSpace(normalized);
}

/**
 * Returns an identifier cell (ID number, credit code, account, phone) in compact form: all
 * full-width forms half-width, every space and dash removed and letters upper-cased, so
 * `1101 0519－4912 3100 2x` becomes `11010519491231002X`.
 */
export function cleanIdentifier(value: RosterCell | undefined): string {
  return foldText(value).replace(/\s/g, '').replace(DASHES, '').toUpperCase();
}

/** Returns the cell text with every full-width form folded, punctuation included. */
function foldText(value: RosterCell | undefined): string {
  return collapseWhiteSpace(cellToText(value).normalize('NFKC'));
}

function cellToText(value: RosterCell | undefined): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (value instanceof Date) {
    return parseDateCell(value) ?? '';
  }
  return typeof value === 'number' ? numberToText(value) : value;
}

function collapseWhiteSpace(text: string): string {
  return text.replace(ZERO_WIDTH, '').replace(/\s+/g, ' ').trim();
}

// A long identifier typed into a number cell: print every digit instead of `1.1e+17`. Digits
// beyond 2^53 are already lost in the workbook, and the identifier's check character catches that.
function numberToText(value: number): string {
  return Number.isInteger(value) ? BigInt(value).toString() : String(value);
}

/**
 * Parses a date cell to `YYYY-MM-DD`. Accepts a Date (read as a UTC calendar date, which is how
 * exceljs returns date cells), an Excel serial number of the 1900 date system, and the strings
 * `2023-1-5`, `2023/01/05`, `2023.1.5`, `2023年1月5日`, `20230105` and `2023-01-05 00:00:00`.
 * Returns `undefined` for anything else, including impossible dates like 2023-02-30.
 * NOTE: serial numbers of a workbook in the 1904 date system (old Mac Excel) come out 4 years
 * and a day early. Date cells of such a workbook are right, because exceljs converts them.
 */
export function parseDateCell(value: RosterCell | undefined): string | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? undefined : formatUtcDate(value);
  }

  // People type 20230105 as a number, which is far beyond the last serial.
  if (typeof value === 'number' && value <= EXCEL_MAX_SERIAL) {
    return excelSerialToDate(value);
  }
  return parseDateText(foldText(value));
}

function excelSerialToDate(serial: number): string | undefined {
  const day = Math.floor(serial);
  if (!Number.isFinite(serial) || day < 1 || day === EXCEL_FAKE_LEAP_DAY) {
    return undefined;
  }

  const epoch = day < EXCEL_FAKE_LEAP_DAY ? EXCEL_EPOCH_BEFORE_LEAP_BUG : EXCEL_EPOCH;
  return formatUtcDate(new Date(epoch + day * DAY_MS));
}

const DATE_PATTERNS = [
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/,
  /^(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日?$/,
  /^(\d{4})(\d{2})(\d{2})$/,
];

function parseDateText(text: string): string | undefined {
  for (const pattern of DATE_PATTERNS) {
    const match = pattern.exec(text);
    if (match) {
      return formatCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
    }
  }
  return undefined;
}

function formatCalendarDate(year: number, month: number, day: number): string | undefined {
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > 31) {
    return undefined;
  }

  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) {
    return undefined;
  }
  return formatUtcDate(date);
}

function formatUtcDate(date: Date): string {
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${year}-${month}-${day}`;
}

// Thousands separators, currency signs and unit words. A unit is removed, not converted: the
// roster's money columns are in 10k CNY, and `500万元` in such a column means 500.
const MONEY_DECORATION = /[,¥]|人民币|RMB|CNY|万元|万|元/gi;

/**
 * Parses an amount cell to a plain decimal string (`1234.5`, `-20`). Strips thousands
 * separators, `¥`, `元` and `万元`. Returns `undefined` for an empty or non-numeric cell.
 */
export function parseMoneyCell(value: RosterCell | undefined): string | undefined {
  if (typeof value === 'number') {
    // Rounding to 6 places removes binary noise of formula results such as 0.1 + 0.2.
    return Number.isFinite(value) && Math.abs(value) < 1e15 ? String(Number(value.toFixed(6))) : undefined;
  }

  const text = foldText(value).replace(MONEY_DECORATION, '').replace(/\s/g, '');
  const match = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) {
    return undefined;
  }

  const sign = match[1] === '-' ? '-' : '';
  const integer = match[2]!.replace(/^0+(?=\d)/, '');
  return match[3] === undefined ? `${sign}${integer}` : `${sign}${integer}.${match[3]}`;
}
