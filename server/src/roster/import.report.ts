import ExcelJS from 'exceljs';
import type { Locale } from '../i18n/index.js';
import { IMPORT_ROW_MESSAGES, type ImportJobState, type Rejection } from './import.types.js';
import { ROW_ERROR_MESSAGES } from './roster.validate.js';
import { ROSTER_FILE_ERROR_MESSAGES } from './roster.parse.js';

export function rejectionMessage(rejection: Pick<Rejection, 'code'>, locale: Locale): string {
  const messages = { ...ROW_ERROR_MESSAGES, ...IMPORT_ROW_MESSAGES } as Record<string, { 'zh-CN': string; 'en-US': string }>;
  return messages[rejection.code]?.[locale] ?? rejection.code;
}

export function jobErrorMessage(code: string | null, locale: Locale): string | null {
  if (!code) return null;
  const known = (ROSTER_FILE_ERROR_MESSAGES as Record<string, { 'zh-CN': string; 'en-US': string }>)[code];
  if (known) return known[locale];
  return locale === 'zh-CN' ? '导入失败，未写入任何客户数据。' : 'The import failed; no client was written.';
}

const HEADERS: Record<Locale, string[]> = {
  'zh-CN': ['行号', '列', '字段', '错误代码', '原因'],
  'en-US': ['Row', 'Column', 'Field', 'Code', 'Reason'],
};

/** The rejection report as a workbook a person can open next to the roster and fix row by row. */
export async function buildRejectionWorkbook(job: ImportJobState, locale: Locale): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(locale === 'zh-CN' ? '导入报告' : 'Import report');
  sheet.columns = HEADERS[locale].map((header, index) => ({ header, width: [8, 24, 20, 26, 60][index] }));
  sheet.getRow(1).font = { bold: true };
  for (const rejection of job.rejections) {
    // Cells are written as strings; a column name from the file that starts with `=` stays text.
    sheet.addRow([rejection.row, String(rejection.column), String(rejection.field), rejection.code, rejectionMessage(rejection, locale)]);
  }
  sheet.addRow([]);
  const summary = locale === 'zh-CN'
    ? `文件：${job.fileName}；数据行 ${job.total}；新增 ${job.created}；已存在 ${job.duplicates}；拒绝 ${job.rejected}`
    : `File: ${job.fileName}; rows ${job.total}; created ${job.created}; already present ${job.duplicates}; rejected ${job.rejected}`;
  sheet.addRow([summary]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
