import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { HEADER_ALIASES, locateHeader, normalizeHeader, readRosterFile, RosterFileError, type RawRow, type RosterFileErrorCode } from './roster.parse.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

// Node has a GB18030 decoder but no encoder. Every two-byte GB18030 sequence decodes to exactly
// one character, so decoding all of them once gives the table to encode with.
const gb18030Table = buildGb18030Table();

function buildGb18030Table(): Map<string, [number, number]> {
  const pairs: [number, number][] = [];
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail !== 0x7f) pairs.push([lead, trail]);
    }
  }
  const decoded = [...new TextDecoder('gb18030').decode(new Uint8Array(pairs.flat()))];
  return new Map(decoded.map((char, i) => [char, pairs[i]!]));
}

function encodeGb18030(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) {
      bytes.push(code);
      continue;
    }
    const pair = gb18030Table.get(char);
    if (!pair) throw new Error(`no two-byte GB18030 code for ${char}`);
    bytes.push(...pair);
  }
  return new Uint8Array(bytes);
}

async function workbookBytes(build: (workbook: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  build(workbook);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

async function expectRosterError(promise: Promise<unknown>, code: RosterFileErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RosterFileError);
  expect((error as RosterFileError).code).toBe(code);
}

const CSV_TEXT = '客户名称,统一社会信用代码,联系电话\r\n上海恒信商贸有限公司,91350100M000100Y43,13912345678\r\n';

describe('readRosterFile: xlsx', () => {
  it('reads a workbook whose header is on row 3', async () => {
    const bytes = await workbookBytes((workbook) => {
      const sheet = workbook.addWorksheet('客户');
      sheet.getCell('A1').value = '客户花名册';
      sheet.mergeCells('A1:C1');
      sheet.getCell('A2').value = '说明：带 * 的列必填';
      sheet.addRow(['*客户名称', '统一社会信用代码（必填）', '服务开始日期', '注册资本']);
      sheet.addRow(['上海恒信商贸有限公司', '91350100M000100Y43', new Date(Date.UTC(2023, 0, 5)), 500]);
    });

    const { sheetRows } = await readRosterFile(bytes, '花名册.XLSX');
    expect(sheetRows.map((row) => row.rowNumber)).toEqual([1, 2, 3, 4]);
    expect(sheetRows[0]!.cells).toEqual(['客户花名册', '客户花名册', '客户花名册']);
    expect(sheetRows[3]!.cells).toEqual(['上海恒信商贸有限公司', '91350100M000100Y43', new Date(Date.UTC(2023, 0, 5)), 500]);

    const header = locateHeader(sheetRows);
    expect(header.rowNumber).toBe(3);
    expect(header.columns).toEqual([
      { index: 0, header: '*客户名称', field: 'name' },
      { index: 1, header: '统一社会信用代码（必填）', field: 'uscc' },
      { index: 2, header: '服务开始日期', field: 'serviceStart' },
      { index: 3, header: '注册资本', field: 'registeredCapital' },
    ]);
  });

  it('reads formula results, rich text and hyperlinks', async () => {
    const bytes = await workbookBytes((workbook) => {
      const sheet = workbook.addWorksheet('客户');
      sheet.addRow([
        { formula: 'UPPER("a")', result: 'A' },
        { richText: [{ text: '恒信' }, { text: '商贸', font: { bold: true } }] },
        { text: '主页', hyperlink: 'https://example.invalid/' },
        { formula: '1+1', result: 2 },
        true,
        { error: '#N/A' },
      ]);
    });

    const { sheetRows } = await readRosterFile(bytes, 'roster.xlsx');
    expect(sheetRows[0]!.cells).toEqual(['A', '恒信商贸', '主页', 2, 'TRUE']);
  });

  it('skips empty rows and hidden sheets', async () => {
    const bytes = await workbookBytes((workbook) => {
      workbook.addWorksheet('lists', { state: 'hidden' }).addRow(['一般纳税人', '小规模纳税人']);
      const sheet = workbook.addWorksheet('客户');
      sheet.getCell('A2').value = 'first';
      sheet.getCell('B4').value = '  ';
      sheet.getCell('B6').value = 'second';
    });

    const { sheetRows } = await readRosterFile(bytes, 'roster.xlsx');
    expect(sheetRows).toEqual([
      { rowNumber: 2, cells: ['first'] },
      { rowNumber: 6, cells: [null, 'second'] },
    ]);
  });

  it('rejects damaged and empty workbooks', async () => {
    await expectRosterError(readRosterFile(utf8('not a zip file'), 'roster.xlsx'), 'roster_file_unreadable');

    const empty = await workbookBytes((workbook) => workbook.addWorksheet('客户'));
    await expectRosterError(readRosterFile(empty, 'roster.xlsx'), 'roster_file_empty');
  });
});

describe('readRosterFile: csv', () => {
  const expected: RawRow[] = [
    { rowNumber: 1, cells: ['客户名称', '统一社会信用代码', '联系电话'] },
    { rowNumber: 2, cells: ['上海恒信商贸有限公司', '91350100M000100Y43', '13912345678'] },
  ];

  it('reads UTF-8 with BOM', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(CSV_TEXT)]);
    expect((await readRosterFile(bytes, 'roster.csv')).sheetRows).toEqual(expected);
  });

  it('reads UTF-8 without BOM', async () => {
    expect((await readRosterFile(utf8(CSV_TEXT), 'roster.csv')).sheetRows).toEqual(expected);
  });

  it('reads GB18030', async () => {
    expect([...encodeGb18030('中文')]).toEqual([0xd6, 0xd0, 0xce, 0xc4]);

    const bytes = encodeGb18030(CSV_TEXT);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect((await readRosterFile(bytes, 'roster.csv')).sheetRows).toEqual(expected);
  });

  it('parses quotes, line breaks and empty fields', async () => {
    const text = 'a,"b,1","say ""hi""",,"multi\r\nline"\n"",x,\n\n last ,"tail"';
    const { sheetRows } = await readRosterFile(utf8(text), 'roster.csv');
    expect(sheetRows).toEqual([
      { rowNumber: 1, cells: ['a', 'b,1', 'say "hi"', null, 'multi\r\nline'] },
      { rowNumber: 2, cells: [null, 'x'] },
      { rowNumber: 4, cells: [' last ', 'tail'] },
    ]);
  });

  it('ends records at CR alone', async () => {
    const { sheetRows } = await readRosterFile(utf8('a,b\rc,d\r'), 'roster.csv');
    expect(sheetRows).toEqual([
      { rowNumber: 1, cells: ['a', 'b'] },
      { rowNumber: 2, cells: ['c', 'd'] },
    ]);
  });

  it('keeps stray quotes as text', async () => {
    const { sheetRows } = await readRosterFile(utf8('a"b,"c"d\n'), 'roster.csv');
    expect(sheetRows[0]!.cells).toEqual(['a"b', 'cd']);
  });

  it('rejects an unclosed quote', async () => {
    await expectRosterError(readRosterFile(utf8('a,"b\nc,d\n'), 'roster.csv'), 'roster_file_unreadable');
  });

  it('rejects a file without data', async () => {
    await expectRosterError(readRosterFile(utf8(''), 'roster.csv'), 'roster_file_empty');
    await expectRosterError(readRosterFile(utf8('\uFEFF,,\r\n , \r\n'), 'roster.csv'), 'roster_file_empty');
  });
});

describe('readRosterFile: other files', () => {
  it('rejects other extensions', async () => {
    for (const name of ['roster.xls', 'roster.txt', 'roster', 'roster.xlsx.exe']) {
      await expectRosterError(readRosterFile(utf8(CSV_TEXT), name), 'roster_file_unsupported');
    }
  });
});

describe('locateHeader', () => {
  const row = (rowNumber: number, ...cells: (string | null)[]): RawRow => ({ rowNumber, cells });

  it('picks the row that maps the most fields', () => {
    const header = locateHeader([
      row(1, '客户名称', '税号'),
      row(2, '公司名称', '统一社会信用代码', '法人', '联系电话'),
      row(3, '上海恒信商贸有限公司', '91350100M000100Y43', '张三', '13912345678'),
    ]);
    expect(header.rowNumber).toBe(2);
    expect(header.columns.map((column) => column.field)).toEqual(['name', 'uscc', 'legalRepName', 'contactPhone']);
  });

  it('normalises header marks and full-width forms', () => {
    const header = locateHeader([row(5, ' ＊客户 名称：', '【必填】纳税人识别号', 'Contact phone', 'legal_rep_id_number', '注册资本（万元）', '负责会计')]);
    expect(header.columns.map((column) => column.field)).toEqual([
      'name',
      'uscc',
      'contactPhone',
      'legalRepIdNumber',
      'registeredCapital',
      'assignee',
    ]);
    expect(header.columns[0]!.header).toBe('＊客户 名称：');
  });

  it('uses the first of two columns for one field', () => {
    const header = locateHeader([row(1, '客户名称', '税号', '手机', '电话', '序号')]);
    expect(header.columns.map((column) => column.header)).toEqual(['客户名称', '税号', '手机']);
    expect(header.unmappedHeaders).toEqual(['电话', '序号']);
  });

  it('requires name and credit code columns', () => {
    expect(() => locateHeader([row(1, '客户名称', '联系电话', '地址')])).toThrow(RosterFileError);
    expect(() => locateHeader([row(1, '统一社会信用代码', '联系电话')])).toThrow(RosterFileError);
  });

  it('searches only the first 30 rows', () => {
    const rows = Array.from({ length: 30 }, (_, i) => row(i + 1, 'x'));
    rows.push(row(31, '客户名称', '税号'));
    expect(() => locateHeader(rows)).toThrow(expect.objectContaining({ code: 'roster_header_not_found' }));
  });
});

describe('HEADER_ALIASES', () => {
  it('maps no header text to two fields', () => {
    const seen = new Map<string, string>();
    for (const [field, aliases] of Object.entries(HEADER_ALIASES)) {
      for (const alias of aliases) {
        const key = normalizeHeader(alias);
        expect(seen.get(key) ?? field, alias).toBe(field);
        seen.set(key, field);
      }
    }
  });
});
