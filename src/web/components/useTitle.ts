import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** Sets the document title, most specific part first: "Medlemmar – Exempelbygden – Samverka". */
export function useTitle(...parts: (string | undefined)[]): void {
  const { t } = useTranslation();
  const title = [...parts.filter(Boolean), t('app.name')].join(' – ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
