import type { DocumentCategory } from '../documents/document-category.js';

/**
 * Kinds of record that carry a retention period. `accounting_records` is the client's own
 * bookkeeping kept by the firm (vouchers, ledgers, the client's field data); the rest are the
 * document categories.
 */
export const RECORD_CATEGORIES = ['accounting_records', 'financial_statement', 'bank_statement', 'business_licence', 'id_card', 'contract', 'other'] as const;
export type RecordCategory = (typeof RECORD_CATEGORIES)[number];

/** A period in whole years, or `permanent` for records that are never destroyed. */
export type RetentionYears = number | 'permanent';

export interface RetentionSettings {
  readonly years: Readonly<Record<RecordCategory, RetentionYears>>;
  /** Years after archiving for the personal fields, or `auto`: the longest finite period of the client's records. */
  readonly personalFieldsYears: number | 'auto';
}

/**
 * Defaults after 会计档案管理办法 (财政部 国家档案局令第79号, 2015): vouchers and ledgers 30 years,
 * bank statements 10 years, annual financial reports permanent. A stored statement is not marked
 * monthly or annual, so statements default to permanent. Contracts, ID card and licence scans are
 * the firm's own engagement papers rather than accounting archives, so they are kept 3 years
 * after the client leaves. `other` is of unknown kind and gets the longest finite period.
 */
export const DEFAULT_RETENTION: RetentionSettings = Object.freeze({
  years: Object.freeze({ accounting_records: 30, financial_statement: 'permanent', bank_statement: 10, business_licence: 3, id_card: 3, contract: 3, other: 30 }),
  personalFieldsYears: 'auto',
});

/**
 * Where a period starts. Accounting archives count from the day after the end of the accounting
 * (calendar) year the record belongs to; engagement papers count from the day the client left.
 */
const ANCHOR: Readonly<Record<RecordCategory, 'record_year' | 'engagement_end'>> = Object.freeze({
  accounting_records: 'record_year',
  financial_statement: 'record_year',
  bank_statement: 'record_year',
  other: 'record_year',
  business_licence: 'engagement_end',
  id_card: 'engagement_end',
  contract: 'engagement_end',
});

/**
 * Parses `category=years` pairs separated by commas (`bank_statement=15,contract=5,personal_fields=10`);
 * years is 1–200 or `permanent` (`auto` for personal_fields). Throws on an unknown name or value.
 */
export function parseRetentionSettings(text: string | undefined): RetentionSettings {
  const years: Record<RecordCategory, RetentionYears> = { ...DEFAULT_RETENTION.years };
  let personalFieldsYears: number | 'auto' = DEFAULT_RETENTION.personalFieldsYears;

  for (const pair of (text ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const [name = '', value = ''] = pair.split('=').map((part) => part.trim());
    if (name === 'personal_fields') {
      personalFieldsYears = value === 'auto' ? 'auto' : parseYearsOrThrow(name, value);
      continue;
    }
    if (!(RECORD_CATEGORIES as readonly string[]).includes(name)) {
      throw new Error(`RETENTION_YEARS: unknown category "${name}"; use one of ${[...RECORD_CATEGORIES, 'personal_fields'].join(', ')}`);
    }
    years[name as RecordCategory] = value === 'permanent' ? 'permanent' : parseYearsOrThrow(name, value);
  }
  return Object.freeze({ years: Object.freeze(years), personalFieldsYears });
}

function parseYearsOrThrow(name: string, value: string): number {
  const years = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(years >= 1 && years <= 200)) {
    throw new Error(`RETENTION_YEARS: invalid period "${value}" for ${name}; expected whole years from 1 to 200 or permanent`);
  }
  return years;
}

/** The calendar date (YYYY-MM-DD) of an instant in the firm's time zone. */
export function localDate(instant: string | Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

function addYears(date: string, years: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year + years, month - 1, day));
  // 29 February of a leap year moves to 1 March when the target year has none.
  return target.toISOString().slice(0, 10);
}

/**
 * The first day on which a record may be destroyed, or `permanent`. `recordAt` is when the
 * record arose (upload time for a document), `archivedAt` when the client left.
 */
export function destroyableFrom({ category, recordAt, archivedAt, settings, timeZone }: { category: RecordCategory; recordAt: string; archivedAt: string; settings: RetentionSettings; timeZone: string }): string | 'permanent' {
  const years = settings.years[category];
  if (years === 'permanent') {
    return 'permanent';
  }

  if (ANCHOR[category] === 'engagement_end') {
    return addYears(localDate(archivedAt, timeZone), years);
  }
  // The period starts on 1 January after the record's year and lasts `years` whole years.
  const recordYear = Number(localDate(recordAt, timeZone).slice(0, 4));
  return `${recordYear + 1 + years}-01-01`;
}

/** The first day after `years` whole years from the day the client left. */
export function yearsAfterLeaving(archivedAt: string, years: number, timeZone: string): string {
  return addYears(localDate(archivedAt, timeZone), years);
}

/** Maps a document category to its record category; unknown ones are treated as `other`. */
export function recordCategoryOf(documentCategory: string): RecordCategory {
  const known: readonly DocumentCategory[] = ['financial_statement', 'bank_statement', 'business_licence', 'id_card', 'contract', 'other'];
  return (known as readonly string[]).includes(documentCategory) ? (documentCategory as RecordCategory) : 'other';
}

/** The rule label written into certificates and tombstones, e.g. `bank_statement:10y`. */
export function ruleLabel(category: RecordCategory | 'personal_fields', years: RetentionYears | 'auto'): string {
  return `${category}:${typeof years === 'number' ? `${years}y` : years}`;
}

/** Returns the later of two dates, where `permanent` is later than any date. */
export function laterOf(a: string | 'permanent', b: string | 'permanent'): string | 'permanent' {
  if (a === 'permanent' || b === 'permanent') return 'permanent';
  return a >= b ? a : b;
}

/** Returns whether a record with this end date may be destroyed on `today` (YYYY-MM-DD). */
export function hasEnded(destroyableOn: string | 'permanent', today: string): boolean {
  return destroyableOn !== 'permanent' && today >= destroyableOn;
}
