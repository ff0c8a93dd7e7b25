import { Button } from 'antd';

import { useI18n } from '../i18n/index.js';

/** Toggles between Chinese and English. The button shows the language it switches to. */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  const next = locale === 'zh-CN' ? 'en-US' : 'zh-CN';

  return (
    <Button type="text" data-testid="lang-switch" title={t('lang.switchTitle')} lang={next} onClick={() => setLocale(next)}>
      {t('lang.other')}
    </Button>
  );
}
