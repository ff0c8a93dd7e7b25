import { describe, expect, it } from 'vitest';
import { redactDetails, redactText } from './redact.js';

describe('redactText', () => {
  it.each([
    ['卡号6216618769544540537', '卡号[redacted]'],
    ['卡号 6216 6187 6954 4540 537 已核对', '卡号 [redacted] 已核对'],
    ['身份证 11010519491231002X', '身份证 [redacted]'],
    ['身份证 11010519491231002x。', '身份证 [redacted]。'],
    ['手机 138-1234-5678', '手机 [redacted]'],
  ])('removes %s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each(['2026-12-04 报税', 'a1b2c3d4-1234-5678-9012-345678901234', '48683853-5794-4e4b-b90a-2854040a0797', '12345678-1234-1234-a234-123456789012', '0f9e8d7c-6b5a-4321-8765-432109876543', '共 2000 户，金额 12345.67 元', '第 3 页'])('keeps %s', (input) => {
    expect(redactText(input)).toBe(input);
  });

  it('redacts nested detail values', () => {
    expect(redactDetails({ query: ['6216618769544540537'], page: 2 })).toEqual({ query: ['[redacted]'], page: 2 });
  });
});
