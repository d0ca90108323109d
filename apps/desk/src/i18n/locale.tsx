import { createContext, ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import { en, MessageId, Messages } from './messages/en';

export const LOCALES = ['en', 'it', 'ru', 'pt', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', it: 'Italiano', ru: 'Русский', pt: 'Português', ar: 'العربية' };
const RTL: ReadonlySet<Locale> = new Set(['ar']);

// Only English ships in the first script; another language is fetched when chosen.
const loaders: Record<Exclude<Locale, 'en'>, () => Promise<Messages>> = {
  it: () => import('./messages/it').then((m) => m.it),
  ru: () => import('./messages/ru').then((m) => m.ru),
  pt: () => import('./messages/pt').then((m) => m.pt),
  ar: () => import('./messages/ar').then((m) => m.ar),
};

const KEY = 'refund-desk.locale';
const isLocale = (value: unknown): value is Locale => (LOCALES as readonly unknown[]).includes(value);

function initialLocale(): Locale {
  const stored = localStorage.getItem(KEY);
  if (isLocale(stored)) return stored;
  const browser = navigator.language.split('-')[0];
  return isLocale(browser) ? browser : 'en';
}

const Context = createContext<{ locale: Locale; setLocale(locale: Locale): void }>({ locale: 'en', setLocale: () => undefined });

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const [messages, setMessages] = useState<{ locale: Locale; messages: Messages }>({ locale: 'en', messages: en });
  useEffect(() => {
    let current = true;
    const load = locale === 'en' ? Promise.resolve(en) : loaders[locale]();
    void load.then((loaded) => current && setMessages({ locale, messages: loaded }));
    return () => {
      current = false;
    };
  }, [locale]);
  // The document's language and direction follow the text shown, so Arabic lays out right to left.
  useEffect(() => {
    document.documentElement.lang = messages.locale;
    document.documentElement.dir = RTL.has(messages.locale) ? 'rtl' : 'ltr';
  }, [messages.locale]);
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(KEY, next);
    setLocaleState(next);
  }, []);
  return (
    <Context.Provider value={{ locale, setLocale }}>
      <IntlProvider locale={messages.locale} messages={messages.messages} defaultLocale="en" timeZone="UTC">
        {children}
      </IntlProvider>
    </Context.Provider>
  );
}

export const useLocale = () => useContext(Context);

/** Typed message lookup: an unknown id is a compile error. */
export function useT(): (id: MessageId, values?: Record<string, string | number | Date>) => string {
  const intl = useIntl();
  return useCallback((id, values) => intl.formatMessage({ id }, values), [intl]);
}
