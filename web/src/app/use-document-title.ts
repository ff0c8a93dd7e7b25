import { useEffect } from 'react';

import { useT } from '../i18n/index.js';

/** Sets the browser tab's title for the current page. */
export function useDocumentTitle(page: string): void {
  const t = useT();
  const title = t('app.documentTitle', { page });

  useEffect(() => {
    document.title = title;
  }, [title]);
}
