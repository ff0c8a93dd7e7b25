export { DEFAULT_LOCALE, LOCALES, errorMessage, negotiateLocale, translate, type Locale } from './locale.js';
