/**
 * i18next setup. Swedish is the default; the choice is kept in localStorage and mirrored in
 * <html lang> so screen readers pronounce the page in the right language.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import svCore from './sv.json';
import enCore from './en.json';
import svRegister from './register.sv.json';
import enRegister from './register.en.json';
import svReports from './reports.sv.json';
import enReports from './reports.en.json';

/**
 * One catalogue per area (core, register, reports), merged into one namespace. Each area file
 * owns its own top-level key, so areas never overwrite each other.
 */
export const catalogues = {
  sv: { ...svCore, ...svRegister, ...svReports },
  en: { ...enCore, ...enRegister, ...enReports },
};
const { sv, en } = catalogues;

export const LANGUAGES = ['sv', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'samverka.language';

function isLanguage(v: unknown): v is Language {
  return LANGUAGES.includes(v as Language);
}

function storedLanguage(): Language {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(v)) return v;
  } catch {
    // Storage can be blocked; Swedish then.
  }
  return 'sv';
}

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // Not persisted; the choice still holds for this page.
  }
});

void i18n.use(initReactI18next).init({
  resources: { sv: { translation: sv }, en: { translation: en } },
  lng: storedLanguage(),
  fallbackLng: 'sv',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  initAsync: false,
});

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'sv';
}

export default i18n;
