export { I18nProvider, useI18n, useT } from './i18n-context.js';
export type { MessageValues, Translate } from './i18n-context.js';
export { LOCALES, applyLocale, readStoredLocale } from './locale.js';
export type { Locale } from './locale.js';
export type { MessageKey } from './messages/zh-CN.js';
