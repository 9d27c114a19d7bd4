/**
 * The exit of a participation: date, exit reason, occupation after and income at exit. Used to
 * register an exit and to correct one. A registration error (felregistrering) needs neither
 * occupation nor income: it only takes the participation out of every statistic.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  EXIT_REASON_CODES,
  OCCUPATION_CODES,
  type ExitReason,
  type Occupation,
} from '../../../shared/participants';
import type { ExitInput } from '../../../shared/register-schemas';
import { ApiError } from '../../api';
import { SelectField, TextField } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../../components/ErrorSummary';
import {
  AREA,
  IncomeRowsField,
  incomeIds,
  incomeLinesOf,
  incomeRowsFrom,
  newIncomeRow,
  remapIncomeIssues,
  today,
  validateRegister,
  type IncomeRow,
} from './common';
import type { Participation } from './types';

export function ExitForm({
  prefix,
  participation,
  correcting,
  onSubmit,
  onCancel,
}: {
  prefix: string;
  participation: Participation;
  /** True to correct a registered exit (prefilled), false to register one. */
  correcting: boolean;
  onSubmit: (body: ExitInput) => Promise<void>;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const errors = useFormErrors(AREA);
  const p = participation;
  const [exitDate, setExitDate] = useState(correcting && p.exitDate ? p.exitDate : today());
  const [exitReason, setExitReason] = useState<ExitReason | ''>(correcting ? (p.exitReason ?? '') : '');
  const [occupation, setOccupation] = useState<Occupation | ''>(correcting ? (p.occupationAfter ?? '') : '');
  const [income, setIncome] = useState<IncomeRow[]>(() =>
    correcting && p.incomeAtExit.length ? incomeRowsFrom(p.incomeAtExit) : [newIncomeRow()],
  );
  const [busy, setBusy] = useState(false);
  const ids = {
    exitDate: `${prefix}-date`,
    exitReason: `${prefix}-reason`,
    occupationAfter: `${prefix}-occupation`,
  };
  const registrationError = exitReason === 'registration_error';

  const target = (path: string) => {
    const m = /^incomeAtExit(?:\.(\d+)\.(source|extentPct))?/.exec(path);
    if (m) {
      const row = incomeIds(prefix, m[1] === undefined ? 0 : Number(m[1]));
      return { id: m[2] === 'extentPct' ? row.extent : row.source };
    }
    const id = (ids as Record<string, string>)[path];
    return id ? { id } : undefined;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { lines, issues } = incomeLinesOf(income, 'incomeAtExit');
    const local: Issue[] = [...issues];
    if (!exitDate) local.push({ path: 'exitDate', code: 'required' });
    if (!exitReason) local.push({ path: 'exitReason', code: 'required' });
    if (!registrationError && !occupation) local.push({ path: 'occupationAfter', code: 'required' });
    if (!registrationError && lines.length === 0 && issues.length === 0)
      local.push({ path: 'incomeAtExit', code: 'required' });
    if (local.length) return errors.report(local);
    const body: ExitInput = {
      exitDate,
      exitReason: exitReason as ExitReason,
      occupationAfter: occupation || null,
      incomeAtExit: lines,
    };
    const invalid = await validateRegister('exit', body);
    if (invalid.length) return errors.report(remapIncomeIssues(invalid, income, 'incomeAtExit'));
    setBusy(true);
    try {
      await onSubmit(body);
      errors.clear();
    } catch (err) {
      if (err instanceof ApiError && err.issues.length)
        errors.report(remapIncomeIssues(err.issues, income, 'incomeAtExit'));
      else errors.report([], err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ErrorSummary errors={errors} target={target} />
      <form onSubmit={submit} noValidate className="form form--wide reg-form">
        <div className="reg-row">
          <TextField
            id={ids.exitDate}
            label={t('register.exit.date')}
            type="date"
            min={p.entryDate}
            max={today()}
            className="input--medium"
            value={exitDate}
            onValueChange={setExitDate}
            error={errors.messageFor('exitDate')}
          />
          <SelectField
            id={ids.exitReason}
            label={t('register.exit.reason')}
            value={exitReason}
            onValueChange={(v) => setExitReason(v as ExitReason | '')}
            options={[
              { value: '', label: t('register.exit.chooseReason') },
              ...EXIT_REASON_CODES.map((c) => ({ value: c, label: t(`register.exitReasons.${c}`) })),
            ]}
            error={errors.messageFor('exitReason')}
          />
        </div>
        {registrationError ? (
          <p className="notice notice--warning">{t('register.exit.registrationErrorNote')}</p>
        ) : null}
        <SelectField
          id={ids.occupationAfter}
          label={registrationError ? t('register.exit.occupationOptional') : t('register.exit.occupation')}
          value={occupation}
          onValueChange={(v) => setOccupation(v as Occupation | '')}
          options={[
            { value: '', label: t('register.exit.chooseOccupation') },
            ...OCCUPATION_CODES.map((c) => ({ value: c, label: t(`register.occupations.${c}`) })),
          ]}
          error={errors.messageFor('occupationAfter')}
        />
        <IncomeRowsField
          prefix={prefix}
          path="incomeAtExit"
          legend={
            registrationError ? t('register.exit.incomeLegendOptional') : t('register.exit.incomeLegend')
          }
          hint={t('register.income.hint')}
          rows={income}
          onChange={setIncome}
          errors={errors}
        />
        <div className="button-row">
          <button type="submit" className="button" disabled={busy}>
            {correcting ? t('register.exit.saveCorrection') : t('register.exit.submit')}
          </button>
          {onCancel ? (
            <button type="button" className="button button--secondary" onClick={onCancel}>
              {t('common.cancel')}
            </button>
          ) : null}
        </div>
      </form>
    </>
  );
}
