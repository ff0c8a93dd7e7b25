import type { ErrorCode, ErrorParams } from '../errors/index.js';
import { enUS } from './en-US.js';
import { zhCN } from './zh-CN.js';

export const LOCALES = ['zh-CN', 'en-US'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export interface Messages {
  readonly errors: Record<ErrorCode, string>;
  readonly text: Record<string, string>;
}

const catalogs: Record<Locale, Messages> = { 'zh-CN': zhCN, 'en-US': enUS };

/**
 * Picks the locale from an explicit `lang` cookie or the Accept-Language header; Chinese is the
 * default because the firm's staff read Chinese first.
 */
export function negotiateLocale(acceptLanguage: string | undefined, cookieLocale?: string): Locale {
  if (cookieLocale === 'zh-CN' || cookieLocale === 'en-US') {
    return cookieLocale;
  }
  if (!acceptLanguage) {
    return DEFAULT_LOCALE;
  }
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...options] = part.trim().split(';');
      const quality = options.find((option) => option.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: quality ? Number(quality.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en-US';
  }
  return DEFAULT_LOCALE;
}

function fill(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Params that carry a code from a closed set, shown by the text under `<prefix><code>` instead of the raw code. */
const LABELLED_PARAMS: Partial<Record<ErrorCode, Record<string, string>>> = {
  alert_transition_invalid: { from: 'alert.status.', to: 'alert.status.' },
};

export function errorMessage(locale: Locale, code: ErrorCode, params: ErrorParams = {}): string {
  const labelled = { ...params };
  for (const [name, prefix] of Object.entries(LABELLED_PARAMS[code] ?? {})) {
    const label = name in params ? catalogs[locale].text[`${prefix}${params[name]}`] : undefined;
    if (label !== undefined) labelled[name] = label;
  }
  return fill(catalogs[locale].errors[code], labelled);
}

export function translate(locale: Locale, key: string, params: ErrorParams = {}): string {
  return fill(catalogs[locale].text[key] ?? key, params);
}
