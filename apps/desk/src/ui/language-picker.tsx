import { LOCALE_NAMES, LOCALES, Locale, useLocale, useT } from '../i18n/locale';

/** The desk's language, chosen by the person: the shell and the sign-in page both offer it. */
export function LanguagePicker() {
  const t = useT();
  const { locale, setLocale } = useLocale();
  return (
    <label className="inline">
      {t('nav.language')}{' '}
      <select value={locale} onChange={(event) => setLocale(event.target.value as Locale)}>
        {LOCALES.map((code) => (
          <option key={code} value={code} lang={code}>
            {LOCALE_NAMES[code]}
          </option>
        ))}
      </select>
    </label>
  );
}
