import { describe, expect, it } from 'vitest';
import { neutralizeCell } from './neutralize.js';

describe('neutralizeCell', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ['=1+1', `'=1+1`],
    ['+cmd|\' /C calc\'!A0', `'+cmd|' /C calc'!A0`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1:A9)', `'@SUM(A1:A9)`],
    ['\t=1+1', `'\t=1+1`],
    ['\r=1+1', `'\r=1+1`],
    ['-', `'-`],
    ['+', `'+`],
    ['+86 138 0013 8000', `'+86 138 0013 8000`],
    ['+86-138-0013-8000', `'+86-138-0013-8000`],
    ['-1e5', `'-1e5`],
    ['-12.5.3', `'-12.5.3`],
  ])('prefixes %j', (input, expected) => {
    expect(neutralizeCell(input)).toBe(expected);
  });

  it.each(['+8613800138000', '-12.5', '+3', '-0.25', '-.5', '13800138000', '42'])('keeps the plain number %j', (input) => {
    expect(neutralizeCell(input)).toBe(input);
  });

  it.each(['', 'bk1', '个税申报核对', 'a=b', ' =1+1', '{"count":3}', '2026-12-04 18:00:00', '10.0.0.9', "'already quoted"])('keeps the ordinary text %j', (input) => {
    expect(neutralizeCell(input)).toBe(input);
  });

  it('checks only the first character', () => {
    expect(neutralizeCell('note\n=1+1')).toBe('note\n=1+1');
    expect(neutralizeCell('=1+1\nnote')).toBe(`'=1+1\nnote`);
  });
});
