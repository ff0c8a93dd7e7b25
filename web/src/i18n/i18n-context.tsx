import { useQueryClient } from '@tanstack/react-query';
import { ConfigProvider } from 'antd';
import enUSAntd from 'antd/locale/en_US';
import zhCNAntd from 'antd/locale/zh_CN';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

import { applyLocale, type Locale } from './locale.js';
import { enUS } from './messages/en-US.js';
import { zhCN, type MessageKey, type Messages } from './messages/zh-CN.js';

export type MessageValues = Record<string, string | number>;
export type Translate = (key: MessageKey, values?: MessageValues) => string;

interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: Translate;
  /** Looks up a key built at run time (an audit action, a role). Returns `undefined` when there is none. */
  findMessage: (key: string) => string | undefined;
}

const MESSAGES: Record<Locale, Messages> = { 'zh-CN': zhCN, 'en-US': enUS };
const ANTD_LOCALES = { 'zh-CN': zhCNAntd, 'en-US': enUSAntd };

const I18nContext = createContext<I18n | null>(null);

// Placeholders look like `{name}`. One without a value stays visible, so the gap gets noticed.
function interpolate(template: string, values: MessageValues | undefined): string {
  if (values === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = values[name];
    return value === undefined ? placeholder : String(value);
  });
}

export function I18nProvider({ initialLocale, children }: { initialLocale: Locale; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [locale, setLocaleState] = useState<Locale>(initialLocale);

  const setLocale = useCallback(
    (next: Locale) => {
      applyLocale(next);
      setLocaleState(next);

      // Field labels and error messages come from the server in the request's language.
      void queryClient.invalidateQueries();
    },
    [queryClient],
  );

  const value = useMemo<I18n>(() => {
    const messages = MESSAGES[locale];
    const lookup: Readonly<Record<string, string>> = messages;
    return {
      locale,
      setLocale,
      t: (key, values) => interpolate(messages[key], values),
      findMessage: (key) => (Object.hasOwn(lookup, key) ? lookup[key] : undefined),
    };
  }, [locale, setLocale]);

  return (
    <I18nContext.Provider value={value}>
      {/* No space inserted between two Chinese characters of a button, so a button's accessible
          name is exactly its text in the locale file. */}
      <ConfigProvider locale={ANTD_LOCALES[locale]} button={{ autoInsertSpace: false }}>
        {children}
      </ConfigProvider>
    </I18nContext.Provider>
  );
}

export function useI18n(): I18n {
  const context = useContext(I18nContext);
  if (context === null) throw new Error('useI18n() must be called inside <I18nProvider>.');
  return context;
}

export function useT(): Translate {
  return useI18n().t;
}
