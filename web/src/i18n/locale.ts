import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';

import { setApiLocale } from '../api/index.js';

export const LOCALES = ['zh-CN', 'en-US'] as const;
export type Locale = (typeof LOCALES)[number];

export const DEFAULT_LOCALE: Locale = 'zh-CN';

const STORAGE_KEY = 'ledgerguard.locale';

function isLocale(value: unknown): value is Locale {
  return LOCALES.includes(value as Locale);
}

/** Returns the language chosen earlier in this browser, or Chinese. */
export function readStoredLocale(): Locale {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return isLocale(stored) ? stored : DEFAULT_LOCALE;
  } catch {
    // Storage can be disabled by browser policy, and the default language still works then.
    return DEFAULT_LOCALE;
  }
}

/** Remembers the choice and switches everything outside React: API headers, dates, `<html lang>`. */
export function applyLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Without storage the choice lasts until the page reloads.
  }

  setApiLocale(locale);
  dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
  document.documentElement.lang = locale;
}
