import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { selectableYears } from '../queries';

/** A year select with a button: choosing a year changes nothing until the user asks (WCAG 3.2.2). */
export function YearPicker({
  id,
  year,
  onShow,
}: {
  id: string;
  year: number;
  onShow: (year: number) => void;
}) {
  const { t } = useTranslation();
  const [choice, setChoice] = useState(year);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onShow(choice);
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <label htmlFor={id}>{t('common.year')}</label>
      <select
        id={id}
        className="select select--short"
        value={choice}
        onChange={(e) => setChoice(Number(e.target.value))}
      >
        {selectableYears(year).map((y) => (
          <option key={y} value={y}>
            {y}
          </option>
        ))}
      </select>
      <button type="submit" className="button button--secondary button--small">
        {t('common.show')}
      </button>
    </form>
  );
}
