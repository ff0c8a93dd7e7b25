/**
 * Reading a client roster file (.xlsx or .csv) into raw rows, and finding its header row.
 * Cell contents are validated in roster.validate.ts, not here.
 */
import { CLIENT_FIELDS, type ClientFieldKey } from '../clients/field-catalog.js';
import { cleanText, type RosterCell } from './roster.clean.js';
import { MAX_PART_BYTES, readFirstVisibleWorksheet } from './roster.xlsx.js';
import { ZipFormatError } from './roster.zip.js';

/** One row of the first worksheet, numbered as the file numbers it (1-based). */
export interface RawRow {
  readonly rowNumber: number;
  readonly cells: readonly RosterCell[];
}

export type RosterFileErrorCode =
  | 'roster_file_unsupported'
  | 'roster_file_unreadable'
  | 'roster_file_too_large'
  | 'roster_header_not_found'
  | 'roster_file_empty';

export const ROSTER_FILE_ERROR_MESSAGES: Readonly<Record<RosterFileErrorCode, { 'zh-CN': string; 'en-US': string }>> = Object.freeze({
  roster_file_unsupported: { 'zh-CN': '仅支持 .xlsx 和 .csv 格式的花名册文件，请另存为其中一种格式后重新上传。', 'en-US': 'Only .xlsx and .csv roster files are supported. Save the file in one of these formats and upload it again.' },
  roster_file_unreadable: { 'zh-CN': '无法读取花名册文件，文件可能已损坏或已加密。', 'en-US': 'The roster file could not be read. It may be damaged or password-protected.' },
  roster_file_too_large: { 'zh-CN': `花名册文件解压后超过 ${MAX_PART_BYTES / 1024 / 1024} MB，请拆分为几个较小的文件后分别导入。`, 'en-US': `The roster file unpacks to more than ${MAX_PART_BYTES / 1024 / 1024} MB. Split it into smaller files and import them one by one.` },
  roster_header_not_found: { 'zh-CN': '前 30 行中未找到表头，表头至少需包含“客户名称”和“统一社会信用代码”两列。', 'en-US': 'No header row found in the first 30 rows. The header needs at least the columns 客户名称 (company name) and 统一社会信用代码 (credit code).' },
  roster_file_empty: { 'zh-CN': '花名册文件中没有数据。', 'en-US': 'The roster file contains no data.' },
});

export class RosterFileError extends Error {
  readonly code: RosterFileErrorCode;

  constructor(code: RosterFileErrorCode, options?: { cause?: unknown }) {
    super(ROSTER_FILE_ERROR_MESSAGES[code]['en-US'], options);
    this.name = 'RosterFileError';
    this.code = code;
  }
}

/**
 * Reads the first visible worksheet of an .xlsx file, or a .csv file, into rows. Rows whose
 * cells are all empty are left out. Throws `RosterFileError` for another extension, a file that
 * cannot be parsed, or a file without data.
 */
export async function readRosterFile(content: Uint8Array, fileName: string): Promise<{ sheetRows: RawRow[] }> {
  const extension = /\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase();

  let rows: RawRow[];
  if (extension === 'xlsx') {
    rows = readWorkbookRows(content);
  } else if (extension === 'csv') {
    rows = parseCsv(decodeCsvText(content));
  } else {
    throw new RosterFileError('roster_file_unsupported');
  }

  const sheetRows = rows.filter((row) => row.cells.some((cell) => !isBlankCell(cell)));
  if (sheetRows.length === 0) {
    throw new RosterFileError('roster_file_empty');
  }
  return { sheetRows };
}

function isBlankCell(cell: RosterCell): boolean {
  return cell === null || (typeof cell === 'string' && cell.trim() === '');
}

function readWorkbookRows(content: Uint8Array): RawRow[] {
  let rows: RawRow[] | undefined;
  try {
    rows = readFirstVisibleWorksheet(content);
  } catch (error) {
    const tooLarge = error instanceof ZipFormatError && error.reason === 'too_large';
    throw new RosterFileError(tooLarge ? 'roster_file_too_large' : 'roster_file_unreadable', { cause: error });
  }
  if (!rows) {
    throw new RosterFileError('roster_file_empty');
  }
  return rows;
}

function trimTrailingNulls(cells: RosterCell[]): RosterCell[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === null) end--;
  return cells.slice(0, end);
}

/**
 * Decodes CSV bytes: UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise
 * GB18030, the encoding Excel on Chinese Windows uses for "CSV (comma delimited)".
 */
function decodeCsvText(content: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return new TextDecoder('gb18030').decode(content);
  }
}

/**
 * Parses RFC 4180 CSV: comma-separated fields, double-quoted fields that may contain commas,
 * line breaks and doubled quotes. Records end at CRLF, LF or CR. Empty fields become `null`.
 */
function parseCsv(text: string): RawRow[] {
  const rows: RawRow[] = [];
  let cells: RosterCell[] = [];
  let field = '';
  let fieldQuoted = false;
  let i = 0;

  const endField = (): void => {
    cells.push(field === '' ? null : field);
    field = '';
    fieldQuoted = false;
  };
  const endRecord = (): void => {
    endField();
    rows.push({ rowNumber: rows.length + 1, cells: trimTrailingNulls(cells) });
    cells = [];
  };

  while (i < text.length) {
    const char = text[i]!;

    if (char === '"' && field === '' && !fieldQuoted) {
      // A quoted field runs to the next quote that is not doubled.
      const end = findClosingQuote(text, i + 1);
      field = text.slice(i + 1, end).replaceAll('""', '"');
      fieldQuoted = true;
      i = end + 1;
    } else if (char === ',') {
      endField();
      i++;
    } else if (char === '\r' || char === '\n') {
      endRecord();
      i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      // Text after a closing quote, and a quote inside an unquoted field, are kept as they
      // are, as Excel does.
      const end = findFieldEnd(text, i);
      field += text.slice(i, end);
      i = end;
    }
  }

  // Text after the final line break is one more record, but the line break itself adds none.
  if (field !== '' || fieldQuoted || cells.length > 0) {
    endRecord();
  }
  return rows;
}

function findFieldEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') i++;
  return i;
}

function findClosingQuote(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === '"' && text[i + 1] === '"') {
      i += 2;
    } else if (text[i] === '"') {
      return i;
    } else {
      i++;
    }
  }
  // A quote that never closes would swallow the rest of the file into one cell.
  throw new RosterFileError('roster_file_unreadable');
}

/** A roster column's meaning: a client field, or the department and staff the client belongs to. */
export type RosterField = ClientFieldKey | 'department' | 'assignee';

/**
 * Header texts firms use for each roster field. Matching ignores white space, case, `*` and
 * `:` marks and bracketed remarks, so `*客户名称（必填）：` matches 客户名称. The catalog's own
 * labels, keys and column names are accepted as well.
 */
export const HEADER_ALIASES: Readonly<Record<RosterField, readonly string[]>> = Object.freeze({
  name: ['客户名称', '客户全称', '公司名称', '企业名称', '单位名称', '纳税人名称'],
  uscc: ['统一社会信用代码', '纳税人识别号', '社会信用代码', '税号', '信用代码', '统一社会信用代码/纳税人识别号', '纳税人识别号/统一社会信用代码'],
  taxpayerType: ['纳税人类型', '纳税人资格', '纳税性质'],
  registeredAddress: ['注册地址', '地址', '经营地址'],
  registeredCapital: ['注册资本', '注册资本(万元)', '注册资金'],
  legalRepName: ['法定代表人', '法人', '法人代表', '法人姓名', '负责人'],
  legalRepIdNumber: ['法定代表人身份证号', '法定代表人身份证号码', '法人身份证号', '法人身份证号码', '法人身份证', '身份证号', '身份证号码', '证件号码'],
  contactName: ['联系人', '财务联系人', '办税人'],
  contactPhone: ['联系电话', '手机', '手机号', '手机号码', '联系手机', '电话', '联系方式'],
  bankName: ['开户银行', '开户行', '银行'],
  // 帐号 is a common variant spelling of 账号.
  bankAccount: ['银行账号', '开户账号', '基本户账号', '账号', '银行帐号', '开户帐号', '基本户帐号', '帐号'],
  taxBureau: ['主管税务机关', '税务机关', '主管税局', '税务局'],
  serviceStart: ['服务开始日期', '合同开始日期', '开始日期', '服务起始日'],
  serviceEnd: ['服务结束日期', '合同结束日期', '合同到期日', '到期日期', '到期日'],
  lastYearRevenue: ['上年营业收入', '营业收入', '年收入'],
  notes: ['备注', '说明'],
  confidentialNotes: ['保密备注', '机密备注'],
  department: ['所属部门', '部门', '负责部门', 'Department'],
  assignee: ['负责会计', '记账会计', '主办会计', '会计', '负责人员', 'Assignee', 'Assignees', 'Accountant'],
});

export interface RosterColumn {
  /** 0-based index into `RawRow.cells`. */
  readonly index: number;
  /** The header text as the file shows it, for messages that point a person to the column. */
  readonly header: string;
  readonly field: RosterField;
}

export interface RosterHeader {
  readonly rowNumber: number;
  readonly columns: readonly RosterColumn[];
  /** Columns with a header that matched no field, or a field that an earlier column already took. */
  readonly unmappedHeaders: readonly string[];
}

const HEADER_SEARCH_ROWS = 30;

const aliasToField = buildAliasIndex();

function buildAliasIndex(): Map<string, RosterField> {
  const index = new Map<string, RosterField>();
  const add = (alias: string, field: RosterField): void => {
    const key = normalizeHeader(alias);
    const existing = index.get(key);
    // One header text for two fields would import a column into the wrong field.
    if (existing !== undefined && existing !== field) {
      throw new Error(`Header alias ${alias} maps to both ${existing} and ${field}`);
    }
    index.set(key, field);
  };

  for (const definition of CLIENT_FIELDS) {
    add(definition.label['zh-CN'], definition.key);
    add(definition.label['en-US'], definition.key);
    add(definition.key, definition.key);
    add(definition.column, definition.key);
  }
  for (const [field, aliases] of Object.entries(HEADER_ALIASES) as [RosterField, readonly string[]][]) {
    for (const alias of aliases) add(alias, field);
  }
  return index;
}

/** Reduces a header text to the form aliases are matched in. */
export function normalizeHeader(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕/g, '')
    .replace(/[\s*:_]/g, '')
    .toLowerCase();
}

/**
 * Finds the header row among the first 30 rows with content. Of the rows that map both the
 * company name and the credit code, the one that maps the most columns wins, and the earliest
 * wins a tie. When two columns map to the same field, the first one is used. Throws
 * `RosterFileError` with code `roster_header_not_found` when no row qualifies.
 */
export function locateHeader(rows: readonly RawRow[]): RosterHeader {
  let best: RosterHeader | undefined;

  for (const row of rows.slice(0, HEADER_SEARCH_ROWS)) {
    const candidate = mapHeaderRow(row);
    const fields = new Set(candidate.columns.map((column) => column.field));
    if (!fields.has('name') || !fields.has('uscc')) {
      continue;
    }
    if (!best || candidate.columns.length > best.columns.length) {
      best = candidate;
    }
  }

  if (!best) {
    throw new RosterFileError('roster_header_not_found');
  }
  return best;
}

function mapHeaderRow(row: RawRow): RosterHeader {
  const columns: RosterColumn[] = [];
  const unmappedHeaders: string[] = [];
  const taken = new Set<RosterField>();

  row.cells.forEach((cell, index) => {
    const header = typeof cell === 'string' ? cell.replace(/\s+/g, ' ').trim() : cleanText(cell);
    if (header === '') {
      return;
    }

    const field = aliasToField.get(normalizeHeader(header));
    if (field === undefined || taken.has(field)) {
      unmappedHeaders.push(header);
      return;
    }
    taken.add(field);
    columns.push({ index, header, field });
  });

  return { rowNumber: row.rowNumber, columns, unmappedHeaders };
}
