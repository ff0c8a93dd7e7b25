import { useI18n } from '../../i18n/index.js';
import type { ServerLabel } from './explain.api.js';

/** Returns a function that picks the interface language's text from a label the server sends in both. */
export function useServerLabel(): (label: ServerLabel) => string {
  const { locale } = useI18n();
  return (label) => label[locale];
}
