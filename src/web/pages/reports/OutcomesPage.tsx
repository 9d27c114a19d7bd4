/**
 * "Utfall": live figures for any period and filter (insats, direction, sex, age band, municipality,
 * target group) with a breakdown of choice, and the same figures as PDF or XLSX. The query lives in
 * the URL, so a view can be bookmarked and shared; the form changes nothing until it is submitted.
 */
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { useAssociation } from '../../association';
import { actionFailure } from '../../errors';
import { currentYear, keys } from '../../queries';
import { SelectField, TextField } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../../components/ErrorSummary';
import { Loading } from '../../components/Status';
import { useTitle } from '../../components/useTitle';
import { AGE_BANDS, BREAKDOWNS, DIRECTIONS, SEXES, type BreakdownDimension } from './model';
import { OUTCOME_FILTERS, reportFiles, reportKeys, reportsApi, type OutcomeQuery } from './reportsApi';
import { ReportsNav } from './ReportsNav';
import {
  Breakdown,
  DaysInInsats,
  IncomeMatrix,
  KeyFiguresTable,
  OutcomeBySex,
  ProtectedNotice,
} from './Sections';
import { formatPeriod } from './Values';
import { useAgeBandLabel } from './labels';
import './reports.css';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const AGE = /^\d{1,3}$/;

function readQuery(params: URLSearchParams): OutcomeQuery {
  const year = currentYear();
  const q: OutcomeQuery = {
    from: params.get('from') ?? `${year}-01-01`,
    to: params.get('to') ?? `${year}-12-31`,
  };
  for (const f of OUTCOME_FILTERS) {
    const v = params.get(f);
    if (v) q[f] = v;
  }
  const b = params.get('breakdown');
  if (b && (BREAKDOWNS as readonly string[]).includes(b)) q.breakdown = b as BreakdownDimension;
  return q;
}

function toParams(q: OutcomeQuery): Record<string, string> {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => typeof v === 'string' && v !== ''));
}

function useOptions() {
  const scope = useAssociation();
  const year = currentYear();
  const interventions = useQuery({
    queryKey: reportKeys.interventions(scope.slug),
    queryFn: () => reportsApi.interventions(scope.slug),
  });
  const targetGroups = useQuery({
    queryKey: reportKeys.targetGroups(scope.slug),
    queryFn: () => reportsApi.targetGroups(scope.slug),
  });
  // The overview names the association's municipalities (kommunkod → name) for every role.
  const overview = useQuery({
    queryKey: keys.overview(scope.slug, year),
    queryFn: () => api.overview(scope.slug, year),
  });
  return {
    interventions: interventions.data ?? [],
    targetGroups: targetGroups.data ?? [],
    municipalities: overview.data?.municipalities ?? [],
  };
}

function FilterForm({ query, onShow }: { query: OutcomeQuery; onShow: (q: OutcomeQuery) => void }) {
  const { t } = useTranslation();
  const errors = useFormErrors('reports');
  const options = useOptions();
  const [q, setQ] = useState<OutcomeQuery>(query);
  const set = (key: keyof OutcomeQuery) => (v: string) => setQ((old) => ({ ...old, [key]: v }));
  const ids: Record<string, string> = {
    from: 'outcome-from',
    to: 'outcome-to',
    ageFrom: 'outcome-age-from',
    ageTo: 'outcome-age-to',
  };
  const all = { value: '', label: t('reports.filter.all') };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const local: Issue[] = [];
    if (!DATE.test(q.from)) local.push({ path: 'from', code: q.from ? 'format' : 'required' });
    if (!DATE.test(q.to)) local.push({ path: 'to', code: q.to ? 'format' : 'required' });
    else if (DATE.test(q.from) && q.to < q.from) local.push({ path: 'to', code: 'before_start' });
    const age = (v: string | undefined) => (v ? Number(v) : undefined);
    for (const key of ['ageFrom', 'ageTo'] as const)
      if (q[key] && (!AGE.test(q[key]!) || Number(q[key]) > 120))
        local.push({ path: key, code: 'age_range' });
    const [ageFrom, ageTo] = [age(q.ageFrom), age(q.ageTo)];
    if (ageFrom !== undefined && ageTo !== undefined && !local.length && ageTo < ageFrom)
      local.push({ path: 'ageTo', code: 'before_start' });
    if (local.length) return errors.report(local);
    errors.clear();
    onShow(q);
  };

  return (
    <>
      <ErrorSummary errors={errors} target={(path) => (ids[path] ? { id: ids[path] } : undefined)} />
      <form onSubmit={submit} noValidate className="filter-form">
        <fieldset className="filter-form__group">
          <legend>{t('reports.filter.period')}</legend>
          <div className="report-field-row">
            <TextField
              id={ids.from!}
              type="date"
              label={t('reports.create.from')}
              value={q.from}
              onValueChange={set('from')}
              error={errors.messageFor('from')}
              className="input--medium"
            />
            <TextField
              id={ids.to!}
              type="date"
              label={t('reports.create.to')}
              value={q.to}
              onValueChange={set('to')}
              error={errors.messageFor('to')}
              className="input--medium"
            />
          </div>
        </fieldset>
        <fieldset className="filter-form__group">
          <legend>{t('reports.filter.filters')}</legend>
          <div className="filter-grid">
            <SelectField
              id="outcome-insats"
              label={t('reports.filter.insats')}
              value={q.intervention ?? ''}
              onValueChange={set('intervention')}
              options={[all, ...options.interventions.map((i) => ({ value: i.id, label: i.name }))]}
            />
            <SelectField
              id="outcome-direction"
              label={t('reports.filter.direction')}
              value={q.direction ?? ''}
              onValueChange={set('direction')}
              options={[all, ...DIRECTIONS.map((d) => ({ value: d, label: t(`reports.direction.${d}`) }))]}
            />
            <SelectField
              id="outcome-sex"
              label={t('reports.filter.sex')}
              value={q.sex ?? ''}
              onValueChange={set('sex')}
              options={[all, ...SEXES.map((s) => ({ value: s, label: t(`reports.sex.${s}`) }))]}
            />
            <SelectField
              id="outcome-age"
              label={t('reports.filter.ageBand')}
              value={q.ageBand ?? ''}
              onValueChange={set('ageBand')}
              options={[all, ...AGE_BANDS.map((a) => ({ value: a, label: t(`reports.ageBand.${a}`) }))]}
            />
            <TextField
              id={ids.ageFrom!}
              inputMode="numeric"
              label={t('reports.filter.ageFrom')}
              value={q.ageFrom ?? ''}
              onValueChange={set('ageFrom')}
              error={errors.messageFor('ageFrom')}
              className="input--short"
            />
            <TextField
              id={ids.ageTo!}
              inputMode="numeric"
              label={t('reports.filter.ageTo')}
              value={q.ageTo ?? ''}
              onValueChange={set('ageTo')}
              error={errors.messageFor('ageTo')}
              className="input--short"
            />
            <SelectField
              id="outcome-municipality"
              label={t('reports.filter.municipality')}
              value={q.municipalityCode ?? ''}
              onValueChange={set('municipalityCode')}
              options={[
                all,
                ...options.municipalities.map((m) => ({ value: m.code, label: m.name })),
                { value: 'other', label: t('reports.municipalityOther') },
              ]}
            />
            <SelectField
              id="outcome-target-group"
              label={t('reports.filter.targetGroup')}
              value={q.targetGroupId ?? ''}
              onValueChange={set('targetGroupId')}
              options={[all, ...options.targetGroups.map((g) => ({ value: g.id, label: g.name }))]}
            />
          </div>
        </fieldset>
        <SelectField
          id="outcome-breakdown"
          label={t('reports.filter.breakdown')}
          hint={t('reports.filter.breakdownHint')}
          value={q.breakdown ?? ''}
          onValueChange={(v) =>
            setQ((old) => ({ ...old, breakdown: (v || undefined) as BreakdownDimension | undefined }))
          }
          options={[
            { value: '', label: t('reports.filter.noBreakdown') },
            ...BREAKDOWNS.map((b) => ({ value: b, label: t(`reports.breakdown.${b}`) })),
          ]}
        />
        <button type="submit" className="button">
          {t('reports.filter.show')}
        </button>
      </form>
    </>
  );
}

export function OutcomesPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  useTitle(t('reports.outcomes.title'), scope.name);
  const [params, setParams] = useSearchParams();
  const query = readQuery(params);
  const options = useOptions();
  const ageBand = useAgeBandLabel();
  const valid = DATE.test(query.from) && DATE.test(query.to);
  const q = useQuery({
    queryKey: reportKeys.outcomes(scope.slug, query),
    queryFn: () => reportsApi.outcomes(scope.slug, query),
    enabled: valid,
  });
  const labelOf = (key: string) => {
    if (query.breakdown === 'ageBand') return ageBand(key);
    if (query.breakdown === 'municipality')
      return key === 'other'
        ? t('reports.municipalityOther')
        : (options.municipalities.find((m) => m.code === key)?.name ?? key);
    if (query.breakdown === 'intervention')
      return options.interventions.find((i) => i.id === key)?.name ?? key;
    return key;
  };
  return (
    <>
      <ReportsNav />
      <h1>{t('reports.outcomes.title')}</h1>
      <p className="lead">{t('reports.outcomes.intro')}</p>
      <FilterForm key={params.toString()} query={query} onShow={(next) => setParams(toParams(next))} />
      {q.isFetching && !q.data ? <Loading /> : null}
      {q.isError ? (
        <div className="notice notice--error" role="alert">
          <p>
            {t('errors.loadFailed')} {actionFailure(t, q.error, 'reports')}
          </p>
        </div>
      ) : null}
      {q.data ? (
        <div className="results">
          <h2 className="results__title">{t('reports.outcomes.results', { period: formatPeriod(query) })}</h2>
          {q.data.protected ? <ProtectedNotice /> : null}
          <ul className="downloads">
            <li>
              <a href={reportFiles.outcomes(scope.slug, query, 'pdf')} download>
                {t('reports.outcomes.pdf')}
              </a>
            </li>
            <li>
              <a href={reportFiles.outcomes(scope.slug, query, 'xlsx')} download>
                {t('reports.outcomes.xlsx')}
              </a>
            </li>
          </ul>
          <KeyFiguresTable
            report={q.data}
            caption={t('reports.document.keyFiguresCaption', { period: formatPeriod(query) })}
          />
          <OutcomeBySex report={q.data} headingId="outcome-heading" />
          <IncomeMatrix report={q.data} headingId="income-heading" />
          <DaysInInsats report={q.data} headingId="days-heading" />
          <Breakdown report={q.data} headingId="breakdown-heading" labelOf={labelOf} />
        </div>
      ) : null}
    </>
  );
}
