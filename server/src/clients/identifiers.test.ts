import { describe, expect, it } from 'vitest';
import {
  convertLegacyResidentId,
  isValidBankCard,
  isValidMobile,
  isValidResidentId,
  isValidUscc,
  luhnCheckDigit,
  normalizeMobile,
  residentIdCheckChar,
  usccCheckChar,
} from './identifiers.js';

describe('residentIdCheckChar', () => {
  it('computes X for the GB 11643 example', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
  });

  it('computes digit check characters', () => {
    expect(residentIdCheckChar('44030819900101123')).toBe('9');
    expect(residentIdCheckChar('31010419800101001')).toBe('7');
  });

  it('rejects input that is not 17 digits', () => {
    expect(() => residentIdCheckChar('1101051949123100')).toThrow(RangeError);
    expect(() => residentIdCheckChar('1101051949123100A')).toThrow(RangeError);
  });
});

describe('isValidResidentId', () => {
  const today = new Date(Date.UTC(2026, 0, 1));

  it('accepts valid numbers', () => {
    expect(isValidResidentId('11010519491231002X', today)).toBe(true);
    expect(isValidResidentId('440308199001011239', today)).toBe(true);
    expect(isValidResidentId('310104198001010017', today)).toBe(true);
  });

  it('rejects a wrong check character', () => {
    expect(isValidResidentId('110105194912310021', today)).toBe(false);
    expect(isValidResidentId('440308199001011238', today)).toBe(false);
  });

  it('rejects lower-case x', () => {
    expect(isValidResidentId('11010519491231002x', today)).toBe(false);
  });

  it('rejects wrong lengths and characters', () => {
    expect(isValidResidentId('', today)).toBe(false);
    expect(isValidResidentId('11010519491231002', today)).toBe(false);
    expect(isValidResidentId('11010519491231002X1', today)).toBe(false);
    expect(isValidResidentId('1101051949123100 X', today)).toBe(false);
  });

  it('rejects impossible birth dates', () => {
    const feb30 = '3101041980023000' + '1';
    expect(isValidResidentId(feb30 + residentIdCheckChar(feb30), today)).toBe(false);

    const month13 = '31010419801301001';
    expect(isValidResidentId(month13 + residentIdCheckChar(month13), today)).toBe(false);

    const before1900 = '31010418991231001';
    expect(isValidResidentId(before1900 + residentIdCheckChar(before1900), today)).toBe(false);
  });

  it('rejects birth dates after today', () => {
    const born2026 = '31010420260102001';
    expect(isValidResidentId(born2026 + residentIdCheckChar(born2026), today)).toBe(false);

    const bornToday = '31010420260101001';
    expect(isValidResidentId(bornToday + residentIdCheckChar(bornToday), today)).toBe(true);
  });

  it('accepts a leap day only in leap years', () => {
    const leap = '31010420000229001';
    const notLeap = '31010419000229001';
    expect(isValidResidentId(leap + residentIdCheckChar(leap), today)).toBe(true);
    expect(isValidResidentId(notLeap + residentIdCheckChar(notLeap), today)).toBe(false);
  });
});

describe('convertLegacyResidentId', () => {
  it('inserts 19 and appends the check character', () => {
    expect(convertLegacyResidentId('110105491231002')).toBe('11010519491231002X');
    expect(convertLegacyResidentId('440308900101123')).toBe('440308199001011239');
  });

  it('returns undefined for invalid input', () => {
    expect(convertLegacyResidentId('11010549123100')).toBeUndefined();
    expect(convertLegacyResidentId('11010549123100X')).toBeUndefined();
    expect(convertLegacyResidentId('110105491331002')).toBeUndefined();
    expect(convertLegacyResidentId('110105490230002')).toBeUndefined();
  });
});

describe('usccCheckChar', () => {
  it('computes the check character of a published code', () => {
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
  });

  it('rejects characters outside the code set', () => {
    expect(() => usccCheckChar('91350100M000100I4')).toThrow(RangeError);
    expect(() => usccCheckChar('91350100M000100Y')).toThrow(RangeError);
  });
});

describe('isValidUscc', () => {
  it('accepts a published code', () => {
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
  });

  it('rejects a one-character change', () => {
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
    expect(isValidUscc('91350101M000100Y43')).toBe(false);
  });

  it('accepts computed codes of other authorities', () => {
    for (const first17 of ['12310000425010359', 'Y1310115MA1H7ABCD', 'N2310115MA1H7ABCD']) {
      expect(isValidUscc(first17 + usccCheckChar(first17))).toBe(true);
    }
  });

  it('rejects an unknown registration authority', () => {
    const first17 = 'B1310115MA1H7ABCD';
    expect(isValidUscc(first17 + usccCheckChar(first17))).toBe(false);
  });

  it('rejects a non-numeric area code', () => {
    const first17 = '913101A5MA1H7ABCD';
    expect(isValidUscc(first17 + usccCheckChar(first17))).toBe(false);
  });

  it('rejects lower case, excluded letters and wrong lengths', () => {
    expect(isValidUscc('91350100m000100y43')).toBe(false);
    expect(isValidUscc('91350100M000100I43')).toBe(false);
    expect(isValidUscc('91350100M000100Y4')).toBe(false);
    expect(isValidUscc('')).toBe(false);
  });
});

describe('Luhn', () => {
  it('accepts the standard test card', () => {
    expect(isValidBankCard('4111111111111111')).toBe(true);
  });

  it('rejects a wrong check digit', () => {
    expect(isValidBankCard('4111111111111112')).toBe(false);
  });

  it('computes check digits', () => {
    expect(luhnCheckDigit('411111111111111')).toBe('1');
    expect(luhnCheckDigit('7992739871')).toBe('3');
  });

  it('accepts a computed 19-digit card', () => {
    const payload = '622848001234567890';
    expect(isValidBankCard(payload + luhnCheckDigit(payload))).toBe(true);
  });

  it('rejects wrong lengths and non-digits', () => {
    expect(isValidBankCard('79927398713')).toBe(false);
    expect(isValidBankCard('41111111111111111111')).toBe(false);
    expect(isValidBankCard('4111 1111 1111 1111')).toBe(false);
  });
});

describe('mobile numbers', () => {
  it('accepts 11 digits starting 13 to 19', () => {
    expect(isValidMobile('13912345678')).toBe(true);
    expect(isValidMobile('19912345678')).toBe(true);
    expect(isValidMobile('+8613912345678')).toBe(true);
    expect(isValidMobile('8613912345678')).toBe(true);
  });

  it('rejects other numbers', () => {
    expect(isValidMobile('12912345678')).toBe(false);
    expect(isValidMobile('1391234567')).toBe(false);
    expect(isValidMobile('139 1234 5678')).toBe(false);
    expect(isValidMobile('02112345678')).toBe(false);
  });

  it('normalises typed forms to 11 digits', () => {
    expect(normalizeMobile('139 1234 5678')).toBe('13912345678');
    expect(normalizeMobile('+86 139-1234-5678')).toBe('13912345678');
    expect(normalizeMobile('(+86)13912345678')).toBe('13912345678');
    expect(normalizeMobile('１３９１２３４５６７８')).toBe('13912345678');
    expect(normalizeMobile('0086 13912345678')).toBe('13912345678');
  });

  it('normalises invalid numbers to undefined', () => {
    expect(normalizeMobile('021-12345678')).toBeUndefined();
    expect(normalizeMobile('+86 129 1234 5678')).toBeUndefined();
    expect(normalizeMobile('')).toBeUndefined();
  });
});
