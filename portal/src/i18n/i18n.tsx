import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from './en';
import { de } from './de';

/** The one i18n layer: every string of the portal is a key here, English complete, German beside it. */
export const languages = { en: 'English', de: 'Deutsch' } as const;
export type Language = keyof typeof languages;
const dictionaries: Record<Language, Record<MessageKey, string>> = { en, de };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  t: Translate;
  formatDate(iso: string | undefined): string;
  /** An instant (ISO date-time) in the language's format, in the browser's time zone. */
  formatDateTime(iso: string | undefined): string;
  /** A term and billing frequency as words: "1-year · monthly", "1 Jahr · monatlich". */
  formatTerm(term: string, frequency: string): string;
  /** A billing frequency as a word: "monthly", "monatlich". */
  formatFrequency(frequency: string): string;
  /** A billing contract (term and frequency) as a phrase: "1-year term, billed monthly". */
  formatContract(term: string, frequency: string): string;
  formatMoney(amount: string | undefined, currency: string | undefined): string;
}

const I18nContext = createContext<I18n | undefined>(undefined);

function initialLanguage(): Language {
  const saved = localStorage.getItem('portal.language');
  if (saved === 'en' || saved === 'de') return saved;
  return navigator.language.toLowerCase().startsWith('de') ? 'de' : 'en';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem('portal.language', next);
    setLanguageState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const dictionary = dictionaries[language];
    const locale = language === 'de' ? 'de-DE' : 'en-US';
    const translate: Translate = (key, vars) =>
      (dictionary[key] ?? en[key]).replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`));
    // A term or frequency the dictionary does not know yet is shown as the API sent it.
    const word = (key: string, fallback: string) => (key in dictionary ? translate(key as MessageKey) : fallback);
    return {
      language,
      setLanguage,
      t: translate,
      // Dates are UTC calendar dates: shown as such, never shifted to the browser's zone.
      formatDate: (iso) =>
        iso
          ? new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso).toLocaleDateString(locale, { timeZone: 'UTC' })
          : '',
      formatDateTime: (iso) => (iso ? new Date(iso).toLocaleString(locale) : ''),
      formatFrequency: (frequency) => word(`frequency.${frequency}`, frequency),
      formatTerm: (term, frequency) => `${word(`term.${term}`, term)} · ${word(`frequency.${frequency}`, frequency)}`,
      formatContract: (term, frequency) =>
        translate('services.contractLabel', {
          term: word(`term.${term}`, term),
          frequency: word(`frequency.${frequency}`, frequency),
        }),
      // Amounts are decimal strings: formatted from the string, never through arithmetic.
      formatMoney: (amount, currency) => (amount === undefined ? '' : formatDecimal(amount, currency ?? '', locale)),
    };
  }, [language, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

/** Formats a decimal string with the locale's separators, keeping every digit the API sent. */
export function formatDecimal(amount: string, currency: string, locale: string): string {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction] = amount.replace(/^-/, '').split('.');
  const group = locale.startsWith('de') ? '.' : ',';
  const decimal = locale.startsWith('de') ? ',' : '.';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const number = `${negative ? '-' : ''}${grouped}${fraction ? decimal + fraction : ''}`;
  // A no-break space: an amount never wraps between its currency and its number (narrow table cells, phones).
  return currency ? (locale.startsWith('de') ? `${number}\u00a0${currency}` : `${currency}\u00a0${number}`) : number;
}
