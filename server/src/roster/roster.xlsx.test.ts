import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { generateClients, writeRosterWorkbook } from '../demo/demo.data.js';
import type { RosterCell } from './roster.clean.js';
import { RosterFileError, readRosterFile } from './roster.parse.js';
import { isDateFormatCode, readFirstVisibleWorksheet } from './roster.xlsx.js';
import { XmlFormatError } from './roster.xml.js';
import { ZipFormatError, listZipEntries, readZipEntry } from './roster.zip.js';

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

/**
 * The reading the roster importer did with the full ExcelJS model (ExcelJS 4.4), kept here as
 * the reference the lean reader must match on workbooks ExcelJS writes.
 */
async function readWithExcelJs(content: Uint8Array): Promise<{ rowNumber: number; cells: RosterCell[] }[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(content.slice().buffer);
  const sheet = workbook.worksheets.find((candidate) => candidate.state === 'visible') ?? workbook.worksheets[0]!;
  const rows: { rowNumber: number; cells: RosterCell[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: RosterCell[] = [];
    for (let column = 1; column <= row.cellCount; column++) cells.push(referenceCell(row.getCell(column).value));
    let end = cells.length;
    while (end > 0 && cells[end - 1] === null) end--;
    rows.push({ rowNumber, cells: cells.slice(0, end) });
  });
  return rows;
}

function referenceCell(value: ExcelJS.CellValue): RosterCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || value instanceof Date) return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('hyperlink' in value) return referenceCell(value.text as ExcelJS.CellValue);
  if ('formula' in value || 'sharedFormula' in value) return referenceCell(value.result ?? null);
  return null;
}

/** Rows with content only, as readRosterFile returns them. */
function nonBlank<T extends { cells: readonly RosterCell[] }>(rows: readonly T[]): T[] {
  return rows.filter((row) => row.cells.some((cell) => cell !== null && !(typeof cell === 'string' && cell.trim() === '')));
}

/** Builds a minimal workbook from hand-written parts, for features ExcelJS never writes. */
async function handWrittenWorkbook({ sheet, sharedStrings, styles, workbookPr = '', compression = 'DEFLATE' }: { sheet: string; sharedStrings?: string; styles?: string; workbookPr?: string; compression?: 'DEFLATE' | 'STORE' }): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('_rels/.rels', `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PACKAGE_REL_NS}"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`);
  zip.file('xl/workbook.xml', `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">${workbookPr}<sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>`);
  const relationships = [`<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>`];
  if (sharedStrings !== undefined) {
    relationships.push(`<Relationship Id="rId2" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>`);
    zip.file('xl/sharedStrings.xml', `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN_NS}">${sharedStrings}</sst>`);
  }
  if (styles !== undefined) {
    relationships.push(`<Relationship Id="rId3" Type="${REL_NS}/styles" Target="/xl/styles.xml"/>`);
    zip.file('xl/styles.xml', `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="${MAIN_NS}">${styles}</styleSheet>`);
  }
  zip.file('xl/_rels/workbook.xml.rels', `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PACKAGE_REL_NS}">${relationships.join('')}</Relationships>`);
  zip.file('xl/worksheets/sheet1.xml', `<?xml version="1.0" encoding="UTF-8"?>${sheet}`);
  return zip.generateAsync({ type: 'nodebuffer', compression });
}

const sheetXml = (rows: string, after = '') => `<worksheet xmlns="${MAIN_NS}"><sheetData>${rows}</sheetData>${after}</worksheet>`;

/** Overwrites the uncompressed size that the central directory declares for one entry. */
function setDeclaredSize(bytes: Buffer, name: string, size: number): void {
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let offset = bytes.indexOf(signature); offset >= 0; offset = bytes.indexOf(signature, offset + 4)) {
    const nameLength = bytes.readUInt16LE(offset + 28);
    if (bytes.toString('latin1', offset + 46, offset + 46 + nameLength) === name) {
      bytes.writeUInt32LE(size, offset + 24);
      return;
    }
  }
  throw new Error(`No central directory entry for ${name}`);
}

function expectUnreadable(content: Uint8Array, cause: new (...args: never[]) => Error) {
  let caught: unknown;
  try {
    readFirstVisibleWorksheet(content);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(cause);
}

describe('readFirstVisibleWorksheet against ExcelJS', () => {
  it('matches ExcelJS on a generated roster', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'lg-xlsx-'));
    try {
      const file = path.join(folder, 'roster.xlsx');
      await writeRosterWorkbook(generateClients({ count: 300, seed: 11, departments: ['记账一部', '记账二部'], assigneesByDepartment: { 记账一部: ['bk1'] } }), file);
      const content = await readFile(file);

      const rows = readFirstVisibleWorksheet(content)!;
      expect(rows.length).toBeGreaterThan(300);
      expect(nonBlank(rows)).toEqual(nonBlank(await readWithExcelJs(content)));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('matches ExcelJS on merges, formulas, styles and sheets', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('lists', { state: 'hidden' }).addRow(['一般纳税人']);
    const sheet = workbook.addWorksheet('客户');
    sheet.getCell('A1').value = '客户花名册 & <清单>';
    sheet.mergeCells('A1:D1');
    sheet.addRow(['客户名称', '部门', '日期', '金额', '布尔', '公式']);
    sheet.addRow(['恒信', '记账一部', new Date(Date.UTC(2024, 1, 29)), 12.5, true, { formula: 'D3*2', result: 25 }]);
    sheet.addRow(['鑫达', null, { formula: 'C3+1', result: new Date(Date.UTC(2024, 2, 1)) }, { richText: [{ text: '1' }, { text: '00', font: { bold: true } }] }, false, { error: '#DIV/0!' }]);
    sheet.mergeCells('B3:B4');
    sheet.getCell('C5').value = { text: '链接', hyperlink: 'https://example.invalid/' };
    sheet.getCell('F5').value = 'trailing';
    sheet.getCell('F5').value = null;
    sheet.getCell('E6').value = '\t tab and _x000D_ text';
    sheet.getCell('G6').numFmt = 'yyyy"年"m"月"d"日"';
    sheet.getCell('G6').value = 45000;
    sheet.getCell('H6').numFmt = '0.00%';
    sheet.getCell('H6').value = 0.25;
    const content = new Uint8Array(await workbook.xlsx.writeBuffer());

    expect(nonBlank(readFirstVisibleWorksheet(content)!)).toEqual(nonBlank(await readWithExcelJs(content)));
  });
});

describe('readFirstVisibleWorksheet on hand-written parts', () => {
  it('isDateFormatCode ignores quoted text and brackets', () => {
    expect(isDateFormatCode('yyyy-mm-dd')).toBe(true);
    expect(isDateFormatCode('[h]:mm:ss')).toBe(true);
    expect(isDateFormatCode('"y"0.00')).toBe(false);
    expect(isDateFormatCode('[Red]#,##0')).toBe(false);
  });

  it('reads inline strings and cells without references', async () => {
    const content = await handWrittenWorkbook({
      sheet: sheetXml('<row><c t="inlineStr"><is><t>上海</t><r><t xml:space="preserve"> 恒信</t></r></is></c><c><v>42</v></c></row><row r="3"><c r="C3" t="str"><f>A1</f><v>x</v></c></row>'),
    });
    expect(readFirstVisibleWorksheet(content)).toEqual([
      { rowNumber: 1, cells: ['上海 恒信', 42] },
      { rowNumber: 3, cells: [null, null, 'x'] },
    ]);
  });

  it('reads prefixed elements, entities and escapes', async () => {
    const content = await handWrittenWorkbook({
      sheet: `<x:worksheet xmlns:x="${MAIN_NS}"><x:sheetData><x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c><x:c r="B2" t="s"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
      sharedStrings: '<si><t>A&amp;B &lt;&#x4E0A;&#28023;&gt; _x0041_</t></si><si><r><t>恒</t></r><r><t>信</t></r><rPh sb="0" eb="1"><t>ヘン</t></rPh></si>',
      compression: 'STORE',
    });
    expect(readFirstVisibleWorksheet(content)).toEqual([{ rowNumber: 2, cells: ['A&B <上海> A', '恒信'] }]);
  });

  it('turns date formats into dates, 1904 system included', async () => {
    const styles = '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="31"/></cellXfs>';
    const sheet = sheetXml('<row r="1"><c r="A1" s="1"><v>45000</v></c><c r="B1" s="2"><v>45000.5</v></c><c r="C1" s="3"><v>1</v></c><c r="D1" s="0"><v>45000</v></c></row>');

    const content1900 = await handWrittenWorkbook({ sheet, styles });
    expect(readFirstVisibleWorksheet(content1900)![0]!.cells).toEqual([new Date(Date.UTC(2023, 2, 15)), new Date(Date.UTC(2023, 2, 15, 12)), new Date(Date.UTC(1899, 11, 31)), 45000]);

    const content1904 = await handWrittenWorkbook({ sheet, styles, workbookPr: '<workbookPr date1904="1"/>' });
    expect(readFirstVisibleWorksheet(content1904)![0]!.cells[0]).toEqual(new Date(Date.UTC(2027, 2, 16)));
  });

  it('clips a merge over the whole sheet to the used area', async () => {
    const content = await handWrittenWorkbook({
      sheet: sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>部门</t></is></c></row><row r="2"><c r="B2"><v>1</v></c></row>', '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'),
    });
    expect(readFirstVisibleWorksheet(content)).toEqual([
      { rowNumber: 1, cells: ['部门', '部门'] },
      { rowNumber: 2, cells: ['部门', '部门'] },
    ]);
  });

  it('rejects merges over too many cells', async () => {
    // One cell in column XFD and one in row 1000 make the used area 16,384 × 1,000 cells.
    const content = await handWrittenWorkbook({
      sheet: sheetXml('<row r="1"><c r="XFD1"><v>1</v></c></row><row r="1000"><c r="A1000"><v>2</v></c></row>', '<mergeCells count="1"><mergeCell ref="A1:XFD1000"/></mergeCells>'),
    });
    expect(() => readFirstVisibleWorksheet(content)).toThrow(/Merged ranges cover more than/);
  });

  it('rejects a document type declaration', async () => {
    const content = await handWrittenWorkbook({ sheet: `<!DOCTYPE worksheet [<!ENTITY x "y">]>${sheetXml('<row r="1"><c r="A1"><v>1</v></c></row>')}` });
    expectUnreadable(content, XmlFormatError);
  });

  it('rejects unknown entities and bare ampersands', async () => {
    expectUnreadable(await handWrittenWorkbook({ sheet: sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>') }), XmlFormatError);
    expectUnreadable(await handWrittenWorkbook({ sheet: sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>A & B</t></is></c></row>') }), XmlFormatError);
  });

  it('rejects a reference to a missing shared string', async () => {
    const content = await handWrittenWorkbook({ sheet: sheetXml('<row r="1"><c r="A1" t="s"><v>5</v></c></row>'), sharedStrings: '<si><t>only</t></si>' });
    expect(() => readFirstVisibleWorksheet(content)).toThrow(/shared string/);
  });
});

describe('ZIP reading', () => {
  it('stops inflating at the limit', async () => {
    const zip = new JSZip();
    zip.file('big.xml', 'a'.repeat(100_000));
    const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    const entry = listZipEntries(bytes).get('big.xml')!;

    expect(readZipEntry(bytes, entry, 100_000).length).toBe(100_000);
    expect(() => readZipEntry(bytes, entry, 99_999)).toThrow(expect.objectContaining({ reason: 'too_large' }));
  });

  it('stops inflating an entry that declares a false size', async () => {
    const zip = new JSZip();
    zip.file('big.xml', 'a'.repeat(100_000));
    const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    setDeclaredSize(bytes, 'big.xml', 10);
    const entry = listZipEntries(bytes).get('big.xml')!;
    expect(entry.uncompressedSize).toBe(10);

    expect(() => readZipEntry(bytes, entry, 1000)).toThrow(expect.objectContaining({ reason: 'too_large' }));
    expect(() => readZipEntry(bytes, entry, 200_000)).toThrow(/declares 10/);
  });

  it('reports an oversized roster as too large', async () => {
    const bytes = await handWrittenWorkbook({ sheet: sheetXml('<row r="1"><c r="A1"><v>1</v></c></row>') });
    // A declared size past the limit is refused before any inflating.
    setDeclaredSize(bytes, 'xl/worksheets/sheet1.xml', 0xfffffff0);

    const error = await readRosterFile(bytes, 'roster.xlsx').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RosterFileError);
    expect((error as RosterFileError).code).toBe('roster_file_too_large');
  });

  it('rejects truncated and non-ZIP bytes', async () => {
    const content = await handWrittenWorkbook({ sheet: sheetXml('<row r="1"><c r="A1"><v>1</v></c></row>') });
    expectUnreadable(content.subarray(0, content.length - 30), ZipFormatError);
    expectUnreadable(Buffer.from('PK\u0003\u0004 not really'), ZipFormatError);
  });
});
