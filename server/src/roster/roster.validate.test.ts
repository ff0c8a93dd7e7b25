import { describe, expect, it } from 'vitest';
import type { RosterCell } from './roster.clean.js';
import { locateHeader, readRosterFile, type RawRow, type RosterHeader } from './roster.parse.js';
import { ROW_ERROR_MESSAGES, validateRosterRow, type RowValidation } from './roster.validate.js';

const HEADERS = [
  '客户名称',
  '统一社会信用代码',
  '纳税人类型',
  '注册资本（万元）',
  '法定代表人',
  '法人身份证号',
  '联系电话',
  '银行账号',
  '服务开始日期',
  '服务结束日期',
  '备注',
  '所属部门',
  '负责会计',
  '序号',
];

const header: RosterHeader = locateHeader([{ rowNumber: 1, cells: HEADERS }]);

const VALID: Record<string, RosterCell> = {
  客户名称: '上海恒信商贸有限公司',
  统一社会信用代码: '91350100M000100Y43',
  纳税人类型: '小规模',
  '注册资本（万元）': 100,
  法定代表人: '张伟',
  法人身份证号: '11010519491231002X',
  联系电话: '13912345678',
  银行账号: '6228480012345678903',
  服务开始日期: '2023-01-05',
  服务结束日期: 45658,
  备注: '按季申报',
  所属部门: '记账一部',
  负责会计: '王芳、liuyang',
  序号: 7,
};

function rowOf(values: Record<string, RosterCell>, rowNumber = 2): RawRow {
  return { rowNumber, cells: HEADERS.map((name) => values[name] ?? null) };
}

function validate(changes: Record<string, RosterCell>): RowValidation | undefined {
  return validateRosterRow(rowOf({ ...VALID, ...changes }), header);
}

function errorCodes(changes: Record<string, RosterCell>): string[] {
  const result = validate(changes);
  return result && !result.ok ? result.errors.map((error) => `${error.column}:${error.code}`) : [];
}

describe('validateRosterRow', () => {
  it('returns the client in stored form', () => {
    expect(validate({})).toEqual({
      ok: true,
      rowNumber: 2,
      client: {
        name: '上海恒信商贸有限公司',
        uscc: '91350100M000100Y43',
        taxpayerType: '小规模纳税人',
        registeredCapital: '100',
        legalRepName: '张伟',
        legalRepIdNumber: '11010519491231002X',
        contactPhone: '13912345678',
        bankAccount: '6228480012345678903',
        serviceStart: '2023-01-05',
        serviceEnd: '2025-01-01',
        notes: '按季申报',
      },
      department: '记账一部',
      assignees: ['王芳', 'liuyang'],
    });
  });

  it('cleans messy but valid cells', () => {
    const result = validate({
      统一社会信用代码: '９１３５０１００ｍ０００１００ｙ４３',
      法人身份证号: '110105 19491231 002x',
      联系电话: '+86 139-1234-5678',
      银行账号: '6228 4800 1234 5678 903',
      纳税人类型: ' 一般纳税人 ',
      负责会计: '王芳，王芳/ 李娜 ',
    });
    expect(result).toMatchObject({
      ok: true,
      client: {
        uscc: '91350100M000100Y43',
        legalRepIdNumber: '11010519491231002X',
        contactPhone: '13912345678',
        bankAccount: '6228480012345678903',
        taxpayerType: '一般纳税人',
      },
      assignees: ['王芳', '李娜'],
    });
  });

  it('keeps Chinese punctuation in names and notes', () => {
    expect(validate({ 客户名称: '上海恒信（集团）有限公司', 备注: '按季申报，每月10日前交票' })).toMatchObject({
      ok: true,
      client: { name: '上海恒信（集团）有限公司', notes: '按季申报，每月10日前交票' },
    });
  });

  it('converts a 15-digit ID number', () => {
    expect(validate({ 法人身份证号: '110105491231002' })).toMatchObject({ ok: true, client: { legalRepIdNumber: '11010519491231002X' } });
  });

  it('accepts landlines as area-local', () => {
    for (const [typed, stored] of [
      ['021-12345678', '021-12345678'],
      ['02112345678', '021-12345678'],
      ['(021) 6123-4567', '021-61234567'],
      ['（０２１）６１２３－４５６７', '021-61234567'],
      ['0571-8888888', '0571-8888888'],
      ['057188888888', '0571-88888888'],
    ] as const) {
      expect(validate({ 联系电话: typed }), typed).toMatchObject({ ok: true, client: { contactPhone: stored } });
    }
  });

  it('accepts corporate accounts without Luhn digit', () => {
    for (const account of ['31001234567890123', '1001 2345 6789 0123 456', '12345678', '440100000000000000000000001']) {
      expect(validate({ 银行账号: account }), account).toMatchObject({ ok: true });
    }
  });

  it('omits empty cells', () => {
    const result = validate({ 纳税人类型: null, 备注: ' \u3000', 所属部门: null, 负责会计: null });
    expect(result?.ok).toBe(true);
    if (result?.ok) {
      expect(result.client).not.toHaveProperty('taxpayerType');
      expect(result.client).not.toHaveProperty('notes');
      expect(result).not.toHaveProperty('department');
      expect(result.assignees).toEqual([]);
    }
  });

  it('skips rows whose mapped cells are empty', () => {
    expect(validateRosterRow(rowOf({ 序号: 12 }), header)).toBeUndefined();
    expect(validateRosterRow({ rowNumber: 9, cells: [] }, header)).toBeUndefined();
  });

  it('reports missing required values', () => {
    expect(errorCodes({ 客户名称: null })).toEqual(['客户名称:required_missing']);
    expect(errorCodes({ 客户名称: ' ', 统一社会信用代码: '' })).toEqual(['客户名称:required_missing', '统一社会信用代码:required_missing']);
  });

  it('reports invalid identifiers', () => {
    expect(errorCodes({ 统一社会信用代码: '91350100M000100Y44' })).toEqual(['统一社会信用代码:uscc_invalid']);
    expect(errorCodes({ 法人身份证号: '110105194912310021' })).toEqual(['法人身份证号:resident_id_invalid']);
    expect(errorCodes({ 法人身份证号: '1101051949123100' })).toEqual(['法人身份证号:resident_id_invalid']);
    expect(errorCodes({ 法人身份证号: '110105491331002' })).toEqual(['法人身份证号:resident_id_legacy_invalid']);
  });

  it('reports invalid phones and accounts', () => {
    for (const phone of ['1391234567', '12912345678', '021-123456', '12345', '13912345678/13812345678']) {
      expect(errorCodes({ 联系电话: phone }), phone).toEqual(['联系电话:mobile_invalid']);
    }
    for (const account of ['6228480012345678906', '4111111111111112', '1234567', '6228-abc', '1'.repeat(31)]) {
      expect(errorCodes({ 银行账号: account }), account).toEqual(['银行账号:bank_account_invalid']);
    }
  });

  it('reports invalid enums, amounts and dates', () => {
    expect(errorCodes({ 纳税人类型: '个体户' })).toEqual(['纳税人类型:taxpayer_type_invalid']);
    expect(errorCodes({ '注册资本（万元）': '约100' })).toEqual(['注册资本（万元）:amount_invalid']);
    expect(errorCodes({ '注册资本（万元）': -5 })).toEqual(['注册资本（万元）:amount_invalid']);
    expect(errorCodes({ 服务开始日期: '2023-02-30' })).toEqual(['服务开始日期:date_invalid']);
    expect(errorCodes({ 服务开始日期: '2026-01-01', 服务结束日期: '2025-12-31' })).toEqual(['服务结束日期:date_invalid']);
  });

  it('reports text that is too long', () => {
    expect(errorCodes({ 法定代表人: '张'.repeat(51) })).toEqual(['法定代表人:text_too_long']);
    expect(errorCodes({ 负责会计: `王芳、${'x'.repeat(101)}` })).toEqual(['负责会计:text_too_long']);
    expect(errorCodes({ 备注: '注'.repeat(2000) })).toEqual([]);
  });

  it('reports every error of a row', () => {
    expect(errorCodes({ 客户名称: null, 统一社会信用代码: 'X', 联系电话: '1' })).toEqual([
      '统一社会信用代码:uscc_invalid',
      '联系电话:mobile_invalid',
      '客户名称:required_missing',
    ]);
  });

  it('never puts a cell value into an error', () => {
    const secrets = { 法人身份证号: '110105194912310021', 银行账号: '6228480012345678906', 联系电话: '1391234567' };
    const result = validate(secrets);
    const serialized = JSON.stringify(result);
    for (const secret of Object.values(secrets)) {
      expect(serialized).not.toContain(secret);
    }
  });
});

describe('validateRosterRow on a parsed CSV', () => {
  it('reports broken rows with codes and column names', async () => {
    const csv = [
      '*客户名称,税号,法人身份证号,服务开始日期',
      '上海恒信商贸有限公司,91350100M000100Y43,11010519491231002X,2023/1/5',
      '上海瑞达信息科技有限公司,91350100M000100Y44,110105194912310021,2023-1-5',
      ',91350100M000100Y43,,2023年13月1日',
      ',,,',
    ].join('\r\n');
    const { sheetRows } = await readRosterFile(new TextEncoder().encode(csv), 'roster.csv');
    const csvHeader = locateHeader(sheetRows);
    const dataRows = sheetRows.filter((row) => row.rowNumber > csvHeader.rowNumber);
    const results = dataRows.map((row) => validateRosterRow(row, csvHeader));

    expect(results.map((result) => result?.ok)).toEqual([true, false, false]);
    expect(results[1]).toEqual({
      ok: false,
      rowNumber: 3,
      errors: [
        { column: '税号', field: 'uscc', code: 'uscc_invalid' },
        { column: '法人身份证号', field: 'legalRepIdNumber', code: 'resident_id_invalid' },
      ],
    });
    expect(results[2]).toEqual({
      ok: false,
      rowNumber: 4,
      errors: [
        { column: '服务开始日期', field: 'serviceStart', code: 'date_invalid' },
        { column: '*客户名称', field: 'name', code: 'required_missing' },
      ],
    });
  });
});

describe('ROW_ERROR_MESSAGES', () => {
  it('has both languages for every code', () => {
    for (const messages of Object.values(ROW_ERROR_MESSAGES)) {
      expect(messages['zh-CN']).not.toBe('');
      expect(messages['en-US']).not.toBe('');
    }
  });
});
