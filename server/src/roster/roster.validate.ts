/**
 * Validation of one roster row against the located header: each mapped cell is cleaned,
 * checked and turned into the stored form of its field. Errors name the column and a code but
 * never carry the cell's value, because an import report must not repeat ID or account numbers.
 */
import { findClientField, TAXPAYER_TYPES, type ClientInput, type TaxpayerType } from '../clients/field-catalog.js';
import { convertLegacyResidentId, isValidBankCard, isValidResidentId, isValidUscc, normalizeMobile } from '../clients/identifiers.js';
import { cleanIdentifier, cleanText, parseDateCell, parseMoneyCell, type RosterCell } from './roster.clean.js';
import type { RawRow, RosterField, RosterHeader } from './roster.parse.js';

export type RowErrorCode =
  | 'required_missing'
  | 'uscc_invalid'
  | 'resident_id_invalid'
  | 'resident_id_legacy_invalid'
  | 'mobile_invalid'
  | 'bank_account_invalid'
  | 'date_invalid'
  | 'taxpayer_type_invalid'
  | 'amount_invalid'
  | 'text_too_long';

export const ROW_ERROR_MESSAGES: Readonly<Record<RowErrorCode, { 'zh-CN': string; 'en-US': string }>> = Object.freeze({
  required_missing: { 'zh-CN': '必填项为空。', 'en-US': 'A required value is missing.' },
  uscc_invalid: { 'zh-CN': '统一社会信用代码无效：应为 18 位，且校验位正确。', 'en-US': 'Invalid unified social credit code: it must have 18 characters and a correct check character.' },
  resident_id_invalid: { 'zh-CN': '身份证号无效：应为 18 位，出生日期真实，且校验位正确。', 'en-US': 'Invalid resident ID number: it must have 18 characters, a real birth date and a correct check character.' },
  resident_id_legacy_invalid: { 'zh-CN': '15 位旧身份证号无效：出生日期不存在。', 'en-US': 'Invalid 15-digit resident ID number: the birth date does not exist.' },
  mobile_invalid: { 'zh-CN': '电话号码无效：应为 11 位手机号或带区号的固定电话（如 021-12345678）。', 'en-US': 'Invalid phone number: enter an 11-digit mobile number or a landline with area code, such as 021-12345678.' },
  bank_account_invalid: { 'zh-CN': '银行账号无效：应为 8 至 30 位数字，银行卡号须通过校验。', 'en-US': 'Invalid bank account number: it must have 8 to 30 digits, and a card number must pass the Luhn check.' },
  date_invalid: { 'zh-CN': '日期无效：请使用 2023-01-05 这样的格式，结束日期不能早于开始日期。', 'en-US': 'Invalid date: use a form like 2023-01-05, and the end date cannot be before the start date.' },
  taxpayer_type_invalid: { 'zh-CN': '纳税人类型无效：应为“一般纳税人”或“小规模纳税人”。', 'en-US': 'Invalid taxpayer type: use 一般纳税人 (general) or 小规模纳税人 (small-scale).' },
  amount_invalid: { 'zh-CN': '金额无效：应为不小于 0 的数字（单位：万元）。', 'en-US': 'Invalid amount: enter a number of at least 0, in 10k CNY.' },
  text_too_long: { 'zh-CN': '内容过长。', 'en-US': 'The text is too long.' },
});

export interface RowError {
  /** The header text of the column, as the file shows it. */
  readonly column: string;
  readonly field: RosterField;
  readonly code: RowErrorCode;
}

export type RowValidation =
  | { ok: true; rowNumber: number; client: ClientInput; department?: string; assignees: string[] }
  | { ok: false; rowNumber: number; errors: RowError[] };

type CellResult = { value: string } | { code: RowErrorCode };

// Maximum lengths in characters (code points). Longer text in a roster cell is almost always
// a paste into the wrong column.
const MAX_LENGTH: Partial<Record<RosterField, number>> = {
  name: 200,
  registeredAddress: 300,
  legalRepName: 50,
  contactName: 50,
  bankName: 100,
  taxBureau: 100,
  notes: 2000,
  confidentialNotes: 2000,
  department: 100,
  assignee: 100,
};

const TAXPAYER_TYPE_FORMS: ReadonlyMap<string, TaxpayerType> = new Map<string, TaxpayerType>([
  ...TAXPAYER_TYPES.map((type) => [type, type] as const),
  ['一般', '一般纳税人'],
  ['generaltaxpayer', '一般纳税人'],
  ['general', '一般纳税人'],
  ['小规模', '小规模纳税人'],
  ['smallscaletaxpayer', '小规模纳税人'],
  ['smallscale', '小规模纳税人'],
]);

/**
 * Validates one data row. Returns `undefined` for a row whose mapped cells are all empty (a
 * spare numbered row, for instance), which is skipped rather than reported. Otherwise returns
 * the client in stored form, or every error of the row.
 */
export function validateRosterRow(raw: RawRow, header: RosterHeader): RowValidation | undefined {
  const mapped = header.columns.map((column) => ({ column, cell: raw.cells[column.index] ?? null }));
  if (mapped.every(({ cell }) => cleanText(cell) === '')) {
    return undefined;
  }

  const errors: RowError[] = [];
  const values: Partial<Record<Exclude<RosterField, 'assignee'>, string>> = {};
  let assignees: string[] = [];

  for (const { column, cell } of mapped) {
    if (column.field === 'assignee') {
      assignees = splitAssignees(cell);
      if (assignees.some((assignee) => [...assignee].length > MAX_LENGTH.assignee!)) {
        errors.push({ column: column.header, field: column.field, code: 'text_too_long' });
      }
      continue;
    }
    if (cleanText(cell) === '') {
      continue;
    }

    const result = validateCell(column.field, cell);
    if ('code' in result) {
      errors.push({ column: column.header, field: column.field, code: result.code });
    } else {
      values[column.field] = result.value;
    }
  }

  // Missing required fields are reported once each, whether the cell or the whole column is missing.
  for (const field of ['name', 'uscc'] as const) {
    const column = header.columns.find((candidate) => candidate.field === field);
    const cell = column ? raw.cells[column.index] : null;
    if (cleanText(cell) === '') {
      errors.push({ column: column?.header ?? findClientField(field)!.label['zh-CN'], field, code: 'required_missing' });
    }
  }

  if (values.serviceStart && values.serviceEnd && values.serviceEnd < values.serviceStart) {
    const column = header.columns.find((candidate) => candidate.field === 'serviceEnd')!;
    errors.push({ column: column.header, field: 'serviceEnd', code: 'date_invalid' });
  }

  if (errors.length > 0) {
    return { ok: false, rowNumber: raw.rowNumber, errors };
  }

  const { department, name, uscc, ...fields } = values;
  const client: ClientInput = { name: name!, uscc: uscc!, ...fields };
  return department === undefined
    ? { ok: true, rowNumber: raw.rowNumber, client, assignees }
    : { ok: true, rowNumber: raw.rowNumber, client, department, assignees };
}

function validateCell(field: Exclude<RosterField, 'assignee'>, cell: RosterCell): CellResult {
  switch (field) {
    case 'uscc': {
      const uscc = cleanIdentifier(cell);
      return isValidUscc(uscc) ? { value: uscc } : { code: 'uscc_invalid' };
    }
    case 'legalRepIdNumber':
      return validateResidentId(cleanIdentifier(cell));
    case 'contactPhone': {
      const text = cleanText(cell).normalize('NFKC');
      const phone = normalizeMobile(text) ?? normalizeLandline(text);
      return phone === undefined ? { code: 'mobile_invalid' } : { value: phone };
    }
    case 'bankAccount':
      return validateBankAccount(cleanIdentifier(cell));
    case 'taxpayerType': {
      const type = TAXPAYER_TYPE_FORMS.get(cleanText(cell).replace(/[\s-]/g, '').toLowerCase());
      return type === undefined ? { code: 'taxpayer_type_invalid' } : { value: type };
    }
    case 'serviceStart':
    case 'serviceEnd': {
      const date = parseDateCell(cell);
      return date === undefined ? { code: 'date_invalid' } : { value: date };
    }
    case 'registeredCapital':
    case 'lastYearRevenue': {
      const amount = parseMoneyCell(cell);
      return amount === undefined || amount.startsWith('-') ? { code: 'amount_invalid' } : { value: amount };
    }
    default:
      return validateText(field, cleanText(cell));
  }
}

function validateText(field: RosterField, text: string): CellResult {
  const maxLength = MAX_LENGTH[field] ?? 100;
  return [...text].length > maxLength ? { code: 'text_too_long' } : { value: text };
}

function validateResidentId(id: string): CellResult {
  // Numbers issued before 1999 have 15 digits. The stored form is always the 18-digit one.
  if (/^\d{15}$/.test(id)) {
    const converted = convertLegacyResidentId(id);
    return converted === undefined ? { code: 'resident_id_legacy_invalid' } : { value: converted };
  }
  return isValidResidentId(id) ? { value: id } : { code: 'resident_id_invalid' };
}

function validateBankAccount(account: string): CellResult {
  if (!/^\d{8,30}$/.test(account)) {
    return { code: 'bank_account_invalid' };
  }

  // Card numbers (UnionPay 62, Visa 4, Mastercard 5) carry a Luhn digit. Corporate settlement
  // accounts of Chinese banks follow each bank's own scheme, so they are checked for length only.
  const looksLikeCard = account.length >= 16 && account.length <= 19 && /^(?:62|4|5)/.test(account);
  if (looksLikeCard && !isValidBankCard(account)) {
    return { code: 'bank_account_invalid' };
  }
  return { value: account };
}

/**
 * Normalises a landline number to `area-local`, such as `021-12345678`. Without a dash, the area
 * code has 3 digits for Beijing (010) and the 02x cities, and 4 digits elsewhere.
 */
function normalizeLandline(text: string): string | undefined {
  const compact = text.replace(/[\s()]/g, '');
  const dashed = /^(0\d{2,3})-([\d-]+)$/.exec(compact);
  if (dashed) {
    const local = dashed[2]!.replaceAll('-', '');
    return /^\d{7,8}$/.test(local) ? `${dashed[1]}-${local}` : undefined;
  }

  // `(021) 6123-4567` has its dash inside the local number, so the area code is inferred.
  const digits = compact.replaceAll('-', '');
  if (!/^0\d{9,11}$/.test(digits)) {
    return undefined;
  }
  const areaLength = /^0[12]/.test(digits) ? 3 : 4;
  const local = digits.slice(areaLength);
  return /^\d{7,8}$/.test(local) ? `${digits.slice(0, areaLength)}-${local}` : undefined;
}

/** Splits an assignee cell such as `张三、李四/wangwu` into distinct staff names. */
function splitAssignees(cell: RosterCell): string[] {
  const names = cleanText(cell)
    .split(/[、,，/;；]/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return [...new Set(names)];
}
