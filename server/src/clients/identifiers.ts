/**
 * Validators for the identifiers a client roster carries: resident ID numbers (GB 11643-1999),
 * unified social credit codes (GB 32100-2015), bank card numbers (Luhn) and mainland mobile
 * numbers. The `isValid…` functions are strict: they expect a value that is already cleaned
 * (no spaces, upper case), so a caller cannot mistake a messy value for a stored one.
 */

// GB 11643-1999: weight of position i is 2^(17 - i) mod 11, and the check character is chosen
// so that the weighted sum of all 18 characters is 1 mod 11 (ISO 7064 MOD 11-2).
const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_ID_CHECK_CHARS = '10X98765432';

// GB 32100-2015 code characters: digits and upper-case letters without I, O, S, V and Z.
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

// Registration authorities of GB 32100-2015: 1–9 for the civil authorities, A for the
// Central Military Commission's reform office, N for agriculture, Y for all others.
const USCC_AUTHORITY_CHARS = '123456789ANY';
const USCC_PATTERN = /^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$/;

/** Computes the GB 11643 check character of the first 17 digits of a resident ID number. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new RangeError(`residentIdCheckChar expects 17 digits, received ${first17.length} characters`);
  }

  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += Number(first17[i]) * RESIDENT_ID_WEIGHTS[i]!;
  }
  return RESIDENT_ID_CHECK_CHARS[sum % 11]!;
}

/**
 * Returns whether `value` is an 18-character resident ID number with a correct check character
 * and a plausible birth date (a real date from 1900 up to `today`). A lower-case `x` is invalid.
 */
export function isValidResidentId(value: string, today: Date = new Date()): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) {
    return false;
  }
  if (!isPlausibleBirthDate(value.slice(6, 14), today)) {
    return false;
  }
  return residentIdCheckChar(value.slice(0, 17)) === value[17];
}

/**
 * Converts a 15-digit resident ID number (issued before 1999, birth year in two digits) to its
 * 18-digit form: "19" goes before the year and a check character is appended. Returns
 * `undefined` when the value is not 15 digits or its birth date is impossible.
 */
export function convertLegacyResidentId(legacy: string, today: Date = new Date()): string | undefined {
  if (!/^\d{15}$/.test(legacy)) {
    return undefined;
  }

  // Every 15-digit number was issued to a person born in the 1900s.
  const first17 = `${legacy.slice(0, 6)}19${legacy.slice(6)}`;
  if (!isPlausibleBirthDate(first17.slice(6, 14), today)) {
    return undefined;
  }
  return first17 + residentIdCheckChar(first17);
}

function isPlausibleBirthDate(yyyymmdd: string, today: Date): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < 1900 || month < 1 || month > 12 || day < 1) {
    return false;
  }

  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) {
    return false;
  }
  return date.getTime() <= today.getTime();
}

/** Computes the GB 32100 check character of the first 17 characters of a credit code. */
export function usccCheckChar(first17: string): string {
  if (first17.length !== 17) {
    throw new RangeError(`usccCheckChar expects 17 characters, received ${first17.length}`);
  }

  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const code = USCC_CHARSET.indexOf(first17[i]!);
    if (code < 0) {
      throw new RangeError(`usccCheckChar: character ${i + 1} is not a GB 32100 code character`);
    }
    sum += code * USCC_WEIGHTS[i]!;
  }

  const check = 31 - (sum % 31);
  return USCC_CHARSET[check === 31 ? 0 : check]!;
}

/**
 * Returns whether `value` is an 18-character unified social credit code: code characters only,
 * a known registration authority, a six-digit area code (GB/T 2260) in characters 3–8 and a
 * correct check character. The organisation type (character 2) is not checked against the
 * authority, because the type lists change more often than the standard.
 */
export function isValidUscc(value: string): boolean {
  if (!USCC_PATTERN.test(value) || !USCC_AUTHORITY_CHARS.includes(value[0]!)) {
    return false;
  }
  return usccCheckChar(value.slice(0, 17)) === value[17];
}

/** Computes the Luhn check digit to append to `digitsWithoutCheck`. */
export function luhnCheckDigit(digitsWithoutCheck: string): string {
  if (!/^\d+$/.test(digitsWithoutCheck)) {
    throw new RangeError('luhnCheckDigit expects digits only');
  }

  // Counting from the right of the full number, the check digit is position 1, so every
  // digit at an odd offset from the end of the payload is doubled.
  let sum = 0;
  for (let offset = 0; offset < digitsWithoutCheck.length; offset++) {
    let digit = Number(digitsWithoutCheck[digitsWithoutCheck.length - 1 - offset]);
    if (offset % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

/** Returns whether `value` is a bank card number: 12 to 19 digits with a correct Luhn digit. */
export function isValidBankCard(value: string): boolean {
  if (!/^\d{12,19}$/.test(value)) {
    return false;
  }
  return luhnCheckDigit(value.slice(0, -1)) === value.slice(-1);
}

const MOBILE_PATTERN = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/;

/**
 * Returns whether `value` is a mainland China mobile number: 11 digits starting 13–19,
 * optionally prefixed with +86, 0086 or 86, with nothing else in it.
 */
export function isValidMobile(value: string): boolean {
  return MOBILE_PATTERN.test(value);
}

/**
 * Normalises a mobile number as people type it (full-width digits, spaces, dashes, brackets,
 * a +86 prefix) to its 11 digits. Returns `undefined` when the result is not a mainland mobile.
 */
export function normalizeMobile(value: string): string | undefined {
  const compact = value.normalize('NFKC').replace(/[\s\-()]/g, '');
  return MOBILE_PATTERN.exec(compact)?.[1];
}
