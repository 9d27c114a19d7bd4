/**
 * Building blocks of the register pages: the catalogue area of their error codes, on-demand
 * validation with the shared schemas, income rows (source + extent), checkbox groups, a
 * key–value list and small formatting helpers.
 */
import { useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { FieldIssue } from '../../../shared/errors';
import { INCOME_SOURCE_CODES, type IncomeSource } from '../../../shared/participants';
import { todaySweden } from '../../../shared/dates';
import { actionFailure } from '../../errors';
import { describedBy, FieldError } from '../../components/Field';
import type { FormErrors, Issue } from '../../components/ErrorSummary';
import { NotSet } from '../../components/NotSet';
import type { RegisterSchema } from './validation';
import type { IncomeLine } from './types';
import './register.css';

/** The catalogue area holding the register's own field-error texts (`register.fieldErrors…`). */
export const AREA = 'register';

/** Checks a body with the shared schema before it is sent; loads zod on first use. */
export async function validateRegister(name: RegisterSchema, value: unknown): Promise<FieldIssue[]> {
  const { issuesFor } = await import('./validation');
  return issuesFor(name, value);
}

/** Why an action without a form failed, in the register's words. */
export function registerFailure(t: TFunction, err: unknown): string {
  return actionFailure(t, err, AREA);
}

export function today(): string {
  return todaySweden();
}

/** A whole number typed by a person ("12", " 12 "), or null. */
export function parseWhole(input: string): number | null {
  const s = input.replace(/[\s\u00a0]/g, '');
  if (!/^\d+$/.test(s)) return null;
  return Number(s);
}

/** The message of the first issue on `path` or anything below it (`targetGroupIds.2`). */
export function messageUnder(errors: FormErrors, path: string): string | undefined {
  const issue = errors.issues.find((i) => i.path === path || i.path.startsWith(`${path}.`));
  return issue ? errors.message(issue) : undefined;
}

// ---------------------------------------------------------------- income rows

export interface IncomeRow {
  /** Stable React key: rows are added and removed. */
  key: number;
  source: IncomeSource | '';
  extent: string;
}

let nextKey = 1;
export function newIncomeRow(source: IncomeSource | '' = '', extent = '100'): IncomeRow {
  return { key: nextKey++, source, extent };
}

export function incomeRowsFrom(lines: IncomeLine[]): IncomeRow[] {
  return lines.map((l) => newIncomeRow(l.source, String(l.extentPct)));
}

/**
 * Rows → income lines, with issues for what the server could not be sent: a row without a source
 * (when it has a changed extent or there are several rows), an extent that is not a whole number.
 * Entirely blank rows (no source, extent untouched) are dropped.
 */
export function incomeLinesOf(rows: IncomeRow[], path: string): { lines: IncomeLine[]; issues: Issue[] } {
  const lines: IncomeLine[] = [];
  const issues: Issue[] = [];
  rows.forEach((r, i) => {
    const extent = parseWhole(r.extent);
    if (!r.source) {
      if (r.extent.trim() !== '100' && r.extent.trim() !== '')
        issues.push({ path: `${path}.${i}.source`, code: 'required' });
      return;
    }
    if (r.extent.trim() === '') issues.push({ path: `${path}.${i}.extentPct`, code: 'required' });
    else if (extent === null) issues.push({ path: `${path}.${i}.extentPct`, code: 'whole_number' });
    else lines.push({ source: r.source, extentPct: extent });
  });
  return { lines, issues };
}

/**
 * Server issue paths count the lines sent, which skip blank rows; this maps them back to rows, so
 * `incomeAtEntry.1.extentPct` points at the second filled-in row.
 */
export function incomeRowIndex(rows: IncomeRow[], sentIndex: number): number {
  let seen = -1;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.source) seen++;
    if (seen === sentIndex) return i;
  }
  return sentIndex;
}

/** Server issues of income lines → issues of the rows on screen (see incomeRowIndex). */
export function remapIncomeIssues(issues: Issue[], rows: IncomeRow[], path: string): Issue[] {
  return issues.map((issue) => {
    const m = new RegExp(`^${path}\\.(\\d+)(.*)$`).exec(issue.path);
    if (!m) return issue;
    return { ...issue, path: `${path}.${incomeRowIndex(rows, Number(m[1]))}${m[2]}` };
  });
}

export const incomeIds = (prefix: string, i: number) => ({
  source: `${prefix}-income-${i}-source`,
  extent: `${prefix}-income-${i}-extent`,
});

export function IncomeRowsField({
  prefix,
  path,
  legend,
  rows,
  onChange,
  errors,
  hint,
}: {
  prefix: string;
  /** The body's field, e.g. `incomeAtEntry`. */
  path: string;
  legend: string;
  rows: IncomeRow[];
  onChange: (rows: IncomeRow[]) => void;
  errors: FormErrors;
  hint?: string;
}) {
  const { t } = useTranslation();
  const addRef = useRef<HTMLButtonElement>(null);
  const listError = errors.messageFor(path);
  const legendId = `${prefix}-income-legend`;
  const hintId = `${prefix}-income-hint`;
  const set = (i: number, patch: Partial<IncomeRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const add = () => {
    const next = [...rows, newIncomeRow()];
    onChange(next);
    // The new row's select exists after the render.
    requestAnimationFrame(() => document.getElementById(incomeIds(prefix, next.length - 1).source)?.focus());
  };
  const remove = (i: number) => {
    onChange(rows.filter((_, j) => j !== i));
    requestAnimationFrame(() => {
      const prev = document.getElementById(incomeIds(prefix, Math.max(0, i - 1)).source);
      (prev ?? addRef.current)?.focus();
    });
  };
  return (
    <fieldset
      className={listError ? 'reg-fieldset reg-fieldset--error' : 'reg-fieldset'}
      aria-describedby={
        [hint ? hintId : '', listError ? `${prefix}-income-error` : ''].filter(Boolean).join(' ') || undefined
      }
    >
      <legend id={legendId}>{legend}</legend>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldError id={`${prefix}-income-error`} message={listError} />
      {rows.length === 0 ? <p className="muted">{t('register.income.none')}</p> : null}
      <ul className="income-rows">
        {rows.map((r, i) => {
          const ids = incomeIds(prefix, i);
          const sourceError = errors.messageFor(`${path}.${i}.source`);
          const extentError = errors.messageFor(`${path}.${i}.extentPct`);
          const n = i + 1;
          return (
            <li
              key={r.key}
              className={sourceError || extentError ? 'income-row income-row--error' : 'income-row'}
            >
              <div className="income-row__source">
                <label className="field-label" htmlFor={ids.source}>
                  {t('register.income.source', { n })}
                </label>
                <FieldError id={`${ids.source}-error`} message={sourceError} />
                <select
                  id={ids.source}
                  className="select"
                  value={r.source}
                  onChange={(e) => set(i, { source: e.target.value as IncomeSource | '' })}
                  aria-invalid={sourceError ? true : undefined}
                  aria-describedby={describedBy(ids.source, false, Boolean(sourceError))}
                >
                  <option value="">{t('register.income.choose')}</option>
                  {INCOME_SOURCE_CODES.map((c) => (
                    <option key={c} value={c}>
                      {t(`register.incomeSources.${c}`)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="income-row__extent">
                <label className="field-label" htmlFor={ids.extent}>
                  {t('register.income.extent', { n })}
                </label>
                <FieldError id={`${ids.extent}-error`} message={extentError} />
                <span className="input-with-unit">
                  <input
                    id={ids.extent}
                    className="input input--percent"
                    inputMode="numeric"
                    autoComplete="off"
                    value={r.extent}
                    onChange={(e) => set(i, { extent: e.target.value })}
                    aria-invalid={extentError ? true : undefined}
                    aria-describedby={describedBy(ids.extent, false, Boolean(extentError))}
                  />
                  <span aria-hidden="true">%</span>
                </span>
              </div>
              <div className="income-row__remove">
                <button type="button" className="link-button link-button--danger" onClick={() => remove(i)}>
                  {t('register.income.remove')}
                  <span className="visually-hidden"> {t('register.income.rowName', { n })}</span>
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      <button type="button" className="button button--secondary button--small" onClick={add} ref={addRef}>
        {t('register.income.add')}
      </button>
    </fieldset>
  );
}

// ---------------------------------------------------------------- checkboxes

export function CheckboxGroup({
  id,
  legend,
  hint,
  options,
  value,
  onChange,
  error,
}: {
  id: string;
  legend: string;
  hint?: string;
  options: { value: string; label: string }[];
  value: string[];
  onChange: (value: string[]) => void;
  error?: string | undefined;
}) {
  const toggle = (v: string, on: boolean) => onChange(on ? [...value, v] : value.filter((x) => x !== v));
  return (
    <fieldset
      className={error ? 'reg-fieldset reg-fieldset--error' : 'reg-fieldset'}
      aria-describedby={describedBy(id, Boolean(hint), Boolean(error))}
    >
      <legend>{legend}</legend>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
      <ul className="checkbox-list">
        {options.map((o, i) => (
          <li key={o.value} className="checkbox">
            <input
              type="checkbox"
              id={i === 0 ? id : `${id}-${i}`}
              checked={value.includes(o.value)}
              onChange={(e) => toggle(o.value, e.target.checked)}
            />
            <label htmlFor={i === 0 ? id : `${id}-${i}`}>{o.label}</label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

// ---------------------------------------------------------------- display

/** A list of facts: term and value side by side on wide screens, stacked on narrow ones. */
export function Facts({ items, label }: { items: [string, ReactNode][]; label?: string }) {
  return (
    <dl className="reg-facts" aria-label={label}>
      {items.map(([term, value]) => (
        <div key={term} className="reg-facts__item">
          <dt>{term}</dt>
          <dd>{value === null || value === undefined || value === '' ? <NotSet /> : value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** "Sjukpenning 50 %, Försörjningsstöd 50 %". */
export function incomeText(t: TFunction, lines: IncomeLine[]): string {
  // A break opportunity after "/" lets "Aktivitetsstöd/utvecklingsersättning" wrap between its words.
  return lines
    .map((l) => `${t(`register.incomeSources.${l.source}`).replace('/', '/\u200b')} ${l.extentPct}\u00a0%`)
    .join(', ');
}

/** A multi-line text field (notes, descriptions), labelled and described like the other fields. */
export function TextArea({
  id,
  label,
  hint,
  error,
  value,
  onValueChange,
  maxLength,
  rows = 4,
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  value: string;
  onValueChange: (v: string) => void;
  maxLength?: number;
  rows?: number;
}) {
  const { t } = useTranslation();
  const counterId = `${id}-count`;
  return (
    <div className={error ? 'field field--error' : 'field'}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
      <textarea
        id={id}
        name={id}
        className="input reg-textarea"
        rows={rows}
        value={value}
        onChange={(e) => onValueChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, Boolean(hint), Boolean(error), maxLength ? counterId : undefined)}
      />
      {maxLength ? (
        <p
          id={counterId}
          className={value.length > maxLength ? 'field-error reg-counter' : 'muted reg-counter'}
        >
          {value.length > maxLength
            ? t('register.common.tooManyChars', { count: value.length - maxLength })
            : t('register.common.charsLeft', { count: maxLength - value.length })}
        </p>
      ) : null}
    </div>
  );
}
