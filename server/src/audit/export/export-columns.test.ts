import { describe, expect, it } from 'vitest';
import { type ExportedEvent, exportHeaders, exportRow, formatWallClock } from './export-columns.js';

const EVENT: ExportedEvent = {
  seq: 42,
  occurredAt: '2026-12-04T16:30:05.000Z',
  actorId: 'user-1',
  actorUsername: '=cmd',
  action: 'client.reveal',
  outcome: 'success',
  targetType: 'client',
  targetId: 'client-1',
  clientId: 'client-1',
  clientName: '上海示例贸易有限公司',
  fields: ['contactPhone', 'bankAccount'],
  reason: '@SUM(A1)',
  ip: '10.0.3.17',
  userAgent: '-2+3',
  details: { count: 3 },
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
};

describe('exportRow', () => {
  it('writes every column in order', () => {
    expect(exportRow(EVENT, 'Asia/Shanghai')).toEqual([
      42,
      '2026-12-05 00:30:05',
      '2026-12-04T16:30:05.000Z',
      "'=cmd",
      'user-1',
      'client.reveal',
      'success',
      '上海示例贸易有限公司',
      'client-1',
      'client:client-1',
      'contactPhone, bankAccount',
      "'@SUM(A1)",
      '10.0.3.17',
      "'-2+3",
      '{"count":3}',
      'b'.repeat(64),
    ]);
  });

  it('leaves absent values empty', () => {
    const row = exportRow({ ...EVENT, actorUsername: null, clientName: null, clientId: null, targetType: null, fields: [], reason: null, ip: null, userAgent: null }, 'UTC');

    expect(row[3]).toBeNull();
    expect(row[7]).toBeNull();
    expect(row[9]).toBeNull();
    expect(row[10]).toBeNull();
    expect(row[13]).toBeNull();
  });
});

describe('exportHeaders', () => {
  it('names the firm time zone in both languages', () => {
    expect(exportHeaders('zh-CN', 'Asia/Shanghai')[1]).toBe('本地时间（Asia/Shanghai）');
    expect(exportHeaders('en-US', 'Asia/Shanghai')[1]).toBe('Local time (Asia/Shanghai)');
  });

  it('has one header per cell', () => {
    expect(exportHeaders('en-US', 'UTC')).toHaveLength(exportRow(EVENT, 'UTC').length);
  });
});

describe('formatWallClock', () => {
  it('uses a 24-hour clock at midnight', () => {
    expect(formatWallClock('2026-12-04T16:00:00.000Z', 'Asia/Shanghai')).toBe('2026-12-05 00:00:00');
  });
});
