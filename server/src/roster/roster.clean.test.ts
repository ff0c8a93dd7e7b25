import { describe, expect, it } from 'vitest';
import { cleanIdentifier, cleanText, parseDateCell, parseMoneyCell } from './roster.clean.js';

describe('cleanText', () => {
  it('turns full-width forms half-width', () => {
    expect(cleanText('ＡＢＣ１２３')).toBe('ABC123');
    expect(cleanText('ＡＢＣ－１％／２')).toBe('ABC-1%/2');
  });

  it('keeps Chinese punctuation', () => {
    expect(cleanText('上海恒信（集团）有限公司')).toBe('上海恒信（集团）有限公司');
    expect(cleanText('注意：按季申报，勿催！可以吗？是；否')).toBe('注意：按季申报，勿催！可以吗？是；否');
    expect(cleanText('ＡＢ（１２）')).toBe('AB（12）');
  });

  it('collapses ideographic space, NBSP and tabs', () => {
    expect(cleanText('\u3000 上海\u00A0\u00A0恒信\t商贸 \u3000')).toBe('上海 恒信 商贸');
    expect(cleanText('a\r\n b')).toBe('a b');
  });

  it('removes zero-width characters', () => {
    expect(cleanText('\uFEFF恒\u200B信')).toBe('恒信');
  });

  it('prints numbers and dates', () => {
    expect(cleanText(13912345678)).toBe('13912345678');
    expect(cleanText(12.5)).toBe('12.5');
    expect(cleanText(1.1e21)).toBe('1100000000000000000000');
    expect(cleanText(new Date(Date.UTC(2023, 0, 5)))).toBe('2023-01-05');
  });

  it('returns empty text for empty cells', () => {
    expect(cleanText(null)).toBe('');
    expect(cleanText(undefined)).toBe('');
    expect(cleanText(' \u3000 ')).toBe('');
  });
});

describe('cleanIdentifier', () => {
  it('removes spaces and dashes and upper-cases', () => {
    expect(cleanIdentifier('1101 0519-4912 3100 2x')).toBe('11010519491231002X');
    expect(cleanIdentifier('９１３５０１００ｍ０００１００ｙ４３')).toBe('91350100M000100Y43');
    expect(cleanIdentifier('6222\u00A00212\u30003456－7890')).toBe('6222021234567890');
    expect(cleanIdentifier('（０２１）６１２３－４５６７')).toBe('(021)61234567');
  });
});

describe('parseDateCell', () => {
  it('reads Date cells as UTC calendar dates', () => {
    expect(parseDateCell(new Date(Date.UTC(2023, 0, 5)))).toBe('2023-01-05');
    expect(parseDateCell(new Date(Date.UTC(2023, 0, 5, 23, 59)))).toBe('2023-01-05');
    expect(parseDateCell(new Date(Number.NaN))).toBeUndefined();
  });

  it('reads Excel serial numbers', () => {
    expect(parseDateCell(1)).toBe('1900-01-01');
    expect(parseDateCell(59)).toBe('1900-02-28');
    expect(parseDateCell(61)).toBe('1900-03-01');
    expect(parseDateCell(44931)).toBe('2023-01-05');
    expect(parseDateCell(44931.75)).toBe('2023-01-05');
    expect(parseDateCell(2958465)).toBe('9999-12-31');
  });

  it('rejects the fake 1900-02-29 and serials below 1', () => {
    expect(parseDateCell(60)).toBeUndefined();
    expect(parseDateCell(0)).toBeUndefined();
    expect(parseDateCell(-5)).toBeUndefined();
  });

  it('reads the common spellings', () => {
    for (const text of [
      '2023-1-5',
      '2023/01/05',
      '2023.1.5',
      '2023年1月5日',
      '2023年01月05',
      '20230105',
      '2023-01-05 00:00:00',
      '2023/1/5 8:30',
      '２０２３－０１－０５',
      ' 2023-01-05 ',
    ]) {
      expect(parseDateCell(text), text).toBe('2023-01-05');
    }
    expect(parseDateCell(20230105)).toBe('2023-01-05');
  });

  it('rejects impossible dates', () => {
    for (const text of ['2023-02-29', '2023-13-01', '2023-00-10', '2023-04-31', '1899-12-31', '20231301']) {
      expect(parseDateCell(text), text).toBeUndefined();
    }
    expect(parseDateCell('2024-02-29')).toBe('2024-02-29');
  });

  it('rejects other text', () => {
    for (const text of ['', 'n/a', '2023-1', '23-1-5', '2023-01-05T', '45000', '2023年1月']) {
      expect(parseDateCell(text), text).toBeUndefined();
    }
    expect(parseDateCell(null)).toBeUndefined();
  });
});

describe('parseMoneyCell', () => {
  it('reads numbers', () => {
    expect(parseMoneyCell(500)).toBe('500');
    expect(parseMoneyCell(123.45)).toBe('123.45');
    expect(parseMoneyCell(0.1 + 0.2)).toBe('0.3');
    expect(parseMoneyCell(-20)).toBe('-20');
  });

  it('strips separators, currency and units', () => {
    expect(parseMoneyCell('1,234.50')).toBe('1234.50');
    expect(parseMoneyCell('１，２３４')).toBe('1234');
    expect(parseMoneyCell('￥500')).toBe('500');
    expect(parseMoneyCell('¥ 500元')).toBe('500');
    expect(parseMoneyCell('500万元')).toBe('500');
    expect(parseMoneyCell('500 万')).toBe('500');
    expect(parseMoneyCell('007')).toBe('7');
    expect(parseMoneyCell('0.5')).toBe('0.5');
  });

  it('rejects non-numeric cells', () => {
    for (const value of ['', '约500', '1.2.3', '五百', '1e5', null, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(parseMoneyCell(value), String(value)).toBeUndefined();
    }
  });
});
