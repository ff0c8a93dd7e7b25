import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidBankCard, isValidMobile, isValidResidentId, isValidUscc } from '../clients/identifiers.js';
import { locateHeader, readRosterFile, type RawRow, type RosterHeader } from '../roster/roster.parse.js';
import { validateRosterRow } from '../roster/roster.validate.js';
import { generateClients, writeRosterWorkbook, type GenerateClientsOptions, type GeneratedClient } from './demo.data.js';

const OPTIONS: GenerateClientsOptions = {
  count: 2000,
  seed: 20240601,
  departments: ['记账一部', '记账二部', '工商部'],
  assigneesByDepartment: { 记账一部: ['wangfang', 'lina', '张伟'], 记账二部: ['liuyang'], 工商部: [] },
};

describe('generateClients', () => {
  const generated = generateClients(OPTIONS);
  const clients = generated.map((row) => row.client);

  it('is deterministic per seed', () => {
    expect(generateClients({ ...OPTIONS, count: 50 })).toEqual(generated.slice(0, 50));
    expect(generateClients({ ...OPTIONS, count: 50, seed: 7 })).not.toEqual(generated.slice(0, 50));
  });

  it('generates valid identifiers', () => {
    for (const client of clients) {
      expect(isValidUscc(client.uscc), client.uscc).toBe(true);
      expect(isValidResidentId(client.legalRepIdNumber!), client.legalRepIdNumber).toBe(true);
      expect(isValidBankCard(client.bankAccount!), client.bankAccount).toBe(true);
      expect(client.bankAccount).toMatch(/^62\d{17}$/);
      expect(isValidMobile(client.contactPhone!) || /^021-\d{8}$/.test(client.contactPhone!), client.contactPhone).toBe(true);
    }
  });

  it('generates unique names and credit codes', () => {
    expect(new Set(clients.map((client) => client.uscc)).size).toBe(clients.length);
    expect(new Set(clients.map((client) => client.name)).size).toBe(clients.length);
  });

  it('generates ID numbers ending in X', () => {
    const endingInX = clients.filter((client) => client.legalRepIdNumber!.endsWith('X')).length;
    expect(endingInX).toBeGreaterThanOrEqual(5);
    expect(generateClients({ ...OPTIONS, count: 1 })[0]!.client.legalRepIdNumber).toMatch(/X$/);
  });

  it('mixes taxpayer types', () => {
    const general = clients.filter((client) => client.taxpayerType === '一般纳税人').length;
    expect(general / clients.length).toBeGreaterThan(0.25);
    expect(general / clients.length).toBeLessThan(0.35);
  });

  it('places credit code, address and tax bureau in one district', () => {
    for (const client of clients) {
      const district = /^上海市(.+?区)/.exec(client.registeredAddress!)?.[1];
      expect(client.taxBureau).toBe(`国家税务总局上海市${district}税务局`);
      expect(client.uscc.slice(2, 6)).toBe('3101');
    }
  });

  it('ends service after it starts', () => {
    for (const client of clients) {
      expect(client.serviceStart! >= '2015-01-01', client.serviceStart).toBe(true);
      expect(client.serviceStart! <= '2026-12-31', client.serviceStart).toBe(true);
      if (client.serviceEnd) expect(client.serviceEnd > client.serviceStart!).toBe(true);
    }
  });

  it('assigns staff of the department', () => {
    for (const { department, assignees } of generated) {
      const staff = OPTIONS.assigneesByDepartment[department]!;
      expect(assignees.every((assignee) => staff.includes(assignee))).toBe(true);
      expect(new Set(assignees).size).toBe(assignees.length);
      expect(assignees.length).toBe(staff.length === 0 ? 0 : Math.max(1, assignees.length));
      expect(assignees.length).toBeLessThanOrEqual(2);
    }
  });
});

describe('writeRosterWorkbook', () => {
  const generated = generateClients(OPTIONS);
  let directory: string;
  let sheetRows: RawRow[];
  let header: RosterHeader;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ledgerguard-demo-'));
    const filePath = join(directory, 'roster.xlsx');
    await writeRosterWorkbook(generated, filePath);
    ({ sheetRows } = await readRosterFile(await readFile(filePath), 'roster.xlsx'));
    header = locateHeader(sheetRows);
  }, 60_000);

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('puts a title above the header', () => {
    expect(String(sheetRows[0]!.cells[0])).toMatch(/^客户花名册（导出日期 \d{4}-\d{2}-\d{2}）$/);
    expect(header.rowNumber).toBe(2);
    expect(header.columns).toHaveLength(19);
    expect(header.unmappedHeaders).toEqual([]);
  });

  it('writes messy cells', () => {
    const cellsOf = (field: string): unknown[] => {
      const index = header.columns.find((column) => column.field === field)!.index;
      return sheetRows.slice(2).map((row) => row.cells[index]);
    };
    const texts = (field: string): string[] => cellsOf(field).filter((cell): cell is string => typeof cell === 'string');

    expect(texts('uscc').some((uscc) => /[０-９]/.test(uscc))).toBe(true);
    expect(texts('bankAccount').some((account) => account.includes(' '))).toBe(true);
    expect(texts('legalRepIdNumber').some((id) => id.endsWith('x'))).toBe(true);
    expect(texts('legalRepIdNumber').some((id) => /^\d{15}$/.test(id))).toBe(true);
    expect(texts('contactPhone').some((phone) => phone.startsWith('+86 '))).toBe(true);
    expect(cellsOf('serviceStart').some((cell) => typeof cell === 'number')).toBe(true);
    expect(cellsOf('serviceStart').some((cell) => cell instanceof Date)).toBe(true);
    expect(texts('serviceStart').some((date) => date.includes('年'))).toBe(true);
  });

  it('reads back every client after validation', () => {
    const dataRows = sheetRows.filter((row) => row.rowNumber > header.rowNumber);
    expect(dataRows).toHaveLength(generated.length);

    dataRows.forEach((row, index) => {
      const result = validateRosterRow(row, header);
      if (!result?.ok) {
        expect.fail(`row ${row.rowNumber}: ${JSON.stringify(result)}`);
      }
      const expected: GeneratedClient = generated[index]!;
      expect(result.client).toEqual(expected.client);
      expect(result.department).toBe(expected.department);
      expect(result.assignees).toEqual(expected.assignees);
    });
  });
});
