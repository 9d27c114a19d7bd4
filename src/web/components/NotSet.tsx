import { useTranslation } from 'react-i18next';

/** A dash for an empty cell, read out as words by screen readers. */
export function NotSet() {
  const { t } = useTranslation();
  return (
    <>
      <span aria-hidden="true">–</span>
      <span className="visually-hidden">{t('common.notSet')}</span>
    </>
  );
}
