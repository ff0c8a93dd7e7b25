import { isApiError } from '../api/index.js';
import type { Translate } from '../i18n/index.js';

/** Returns the text to show for a failed call: the server's localized message where it sent one. */
export function describeError(error: unknown, t: Translate): string {
  if (!isApiError(error)) return t('error.unexpected');
  if (error.message !== '') return error.message;
  if (error.code === 'network_error') return t('error.network');
  return t('error.unexpected');
}
