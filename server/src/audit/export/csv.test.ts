import { describe, expect, it } from 'vitest';
import { UTF8_BOM, csvField, csvRecord } from './csv.js';

describe('csvField', () => {
  it('leaves plain text and numbers bare', () => {
    expect(csvField('bk1')).toBe('bk1');
    expect(csvField(42)).toBe('42');
    expect(csvField('客户甲')).toBe('客户甲');
  });

  it('writes null as an empty field', () => {
    expect(csvField(null)).toBe('');
  });

  it('quotes commas, quotes and line breaks', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('carriage\rreturn')).toBe('"carriage\rreturn"');
  });
});

describe('csvRecord', () => {
  it('joins fields with commas and ends in CRLF', () => {
    expect(csvRecord([1, 'a,b', null, 'c'])).toBe('1,"a,b",,c\r\n');
  });

  it('uses the UTF-8 byte order mark', () => {
    expect(Buffer.from(UTF8_BOM, 'utf8')).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});
