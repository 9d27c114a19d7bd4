/**
 * Report documents: the list, a form to start one (title, period from a preset or a custom range,
 * optionally one insats), and the national export for Uppföljning Finsam.
 */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { can, useAssociation } from '../../association';
import { currentYear, selectableYears } from '../../queries';
import { SelectField, TextField } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../../components/ErrorSummary';
import { LoadError, Loading } from '../../components/Status';
import { TableScroll } from '../../components/TableScroll';
import { useTitle } from '../../components/useTitle';
import { periodsOfYear, REPORT_PERIOD_TYPES, type ReportPeriodType, type ReportSummary } from './model';
import { reportFiles, reportKeys, reportsApi } from './reportsApi';
import { ReportsNav } from './ReportsNav';
import { Caption } from './Sections';
import { formatPeriod } from './Values';
import './reports.css';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The part of a preset's key that names it within its year: "2025-T2" → "T2", "2025" → "year". */
function presetName(key: string): string {
  return key.length > 5 ? key.slice(5) : 'year';
}

/** A suggested title for a preset: "Tertialrapport 2 2025 – Unga vuxna-plattformen". */
function suggestTitle(t: TFunction, preset: { key: string } | undefined, year: number, insats?: string) {
  const base = preset
    ? t(`reports.create.suggested.${presetName(preset.key)}`, { year })
    : t('reports.create.titleCustom');
  return insats ? `${base} – ${insats}` : base;
}

function CreateReportForm() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const errors = useFormErrors('reports');
  const interventions = useQuery({
    queryKey: reportKeys.interventions(scope.slug),
    queryFn: () => reportsApi.interventions(scope.slug),
  });
  const [type, setType] = useState<ReportPeriodType>('tertial');
  const [year, setYear] = useState(currentYear());
  const [index, setIndex] = useState(0);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [insats, setInsats] = useState('');
  const [title, setTitle] = useState('');
  const [titleTouched, setTitleTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const ids: Record<string, string> = {
    title: 'report-title',
    periodType: 'report-type',
    year: 'report-year',
    index: 'report-index',
    from: 'report-from',
    to: 'report-to',
    interventionId: 'report-insats',
  };

  const insatsName = interventions.data?.find((i) => i.id === insats)?.name;
  const presets = type === 'custom' ? [] : periodsOfYear(type, year);
  const preset = presets[Math.min(index, presets.length - 1)];
  const shownTitle = titleTouched ? title : suggestTitle(t, preset, year, insatsName);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const period = type === 'custom' ? { from, to } : { from: preset!.from, to: preset!.to };
    const local: Issue[] = [];
    if (shownTitle.trim().length < 2) local.push({ path: 'title', code: 'required' });
    if (type === 'custom') {
      if (!DATE.test(from)) local.push({ path: 'from', code: from ? 'format' : 'required' });
      if (!DATE.test(to)) local.push({ path: 'to', code: to ? 'format' : 'required' });
      else if (DATE.test(from) && to < from) local.push({ path: 'to', code: 'before_start' });
    }
    if (local.length) return errors.report(local);
    setBusy(true);
    try {
      const created = await reportsApi.createReport(scope.slug, {
        title: shownTitle.trim(),
        periodType: type,
        ...period,
        interventionId: insats || null,
      });
      errors.clear();
      await queryClient.invalidateQueries({ queryKey: reportKeys.reports(scope.slug) });
      navigate(`/a/${scope.slug}/reports/${created.id}`);
    } catch (err) {
      errors.reportError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ErrorSummary
        errors={errors}
        target={(path) => {
          const id = type !== 'custom' && (path === 'from' || path === 'to') ? ids.year : ids[path];
          return id ? { id } : undefined;
        }}
      />
      <form onSubmit={submit} noValidate className="form">
        <SelectField
          id={ids.periodType!}
          label={t('reports.create.type')}
          value={type}
          onValueChange={(v) => {
            setType(v as ReportPeriodType);
            setIndex(0);
          }}
          options={REPORT_PERIOD_TYPES.map((p) => ({ value: p, label: t(`reports.periodType.${p}`) }))}
          error={errors.messageFor('periodType')}
        />
        {type === 'custom' ? (
          <div className="report-field-row">
            <TextField
              id={ids.from!}
              type="date"
              label={t('reports.create.from')}
              value={from}
              onValueChange={setFrom}
              error={errors.messageFor('from')}
              className="input--medium"
            />
            <TextField
              id={ids.to!}
              type="date"
              label={t('reports.create.to')}
              value={to}
              onValueChange={setTo}
              error={errors.messageFor('to')}
              className="input--medium"
            />
          </div>
        ) : (
          <div className="report-field-row">
            <SelectField
              id={ids.year!}
              label={t('common.year')}
              value={String(year)}
              onValueChange={(v) => setYear(Number(v))}
              options={selectableYears(year).map((y) => ({ value: String(y), label: String(y) }))}
              // A duplicate period is reported on `from`; with a preset, the year is where to change it.
              error={errors.messageFor('from')}
              className="select select--short"
            />
            {presets.length > 1 ? (
              <SelectField
                id={ids.index!}
                label={t('reports.create.period')}
                value={String(index)}
                onValueChange={(v) => setIndex(Number(v))}
                options={presets.map((p, i) => ({
                  value: String(i),
                  label: t(`reports.create.preset.${presetName(p.key)}`),
                }))}
              />
            ) : null}
          </div>
        )}
        {type !== 'custom' && preset ? (
          <p className="report-period-text">
            {t('reports.create.periodIs', { period: formatPeriod(preset) })}
          </p>
        ) : null}
        <SelectField
          id={ids.interventionId!}
          label={t('reports.create.insats')}
          hint={t('reports.create.insatsHint')}
          value={insats}
          onValueChange={setInsats}
          options={[
            { value: '', label: t('reports.create.wholeAssociation') },
            ...(interventions.data ?? []).map((i) => ({ value: i.id, label: i.name })),
          ]}
          error={errors.messageFor('interventionId')}
        />
        <TextField
          id={ids.title!}
          label={t('reports.create.title')}
          hint={t('reports.create.titleHint')}
          value={shownTitle}
          onValueChange={(v) => {
            setTitle(v);
            setTitleTouched(true);
          }}
          error={errors.messageFor('title')}
          maxLength={300}
        />
        <button type="submit" className="button" disabled={busy}>
          {t('reports.create.submit')}
        </button>
      </form>
    </>
  );
}

function ReportList({ reports }: { reports: ReportSummary[] }) {
  const { t } = useTranslation();
  const scope = useAssociation();
  const interventions = useQuery({
    queryKey: reportKeys.interventions(scope.slug),
    queryFn: () => reportsApi.interventions(scope.slug),
  });
  if (reports.length === 0) return <p>{t('reports.list.none')}</p>;
  const name = (id: string | null) =>
    id === null
      ? t('reports.create.wholeAssociation')
      : (interventions.data?.find((i) => i.id === id)?.name ?? '…');
  return (
    <TableScroll labelledBy="report-list-caption">
      <table className="table">
        <Caption id="report-list-caption">{t('reports.list.caption', { count: reports.length })}</Caption>
        <thead>
          <tr>
            <th scope="col">{t('reports.list.col.title')}</th>
            <th scope="col">{t('reports.list.col.period')}</th>
            <th scope="col">{t('reports.list.col.type')}</th>
            <th scope="col">{t('reports.list.col.scope')}</th>
            <th scope="col">{t('reports.list.col.status')}</th>
          </tr>
        </thead>
        <tbody>
          {reports.map((r) => (
            <tr key={r.id}>
              <th scope="row">
                <Link to={`/a/${scope.slug}/reports/${r.id}`}>{r.title}</Link>
              </th>
              <td className="nowrap">{formatPeriod(r)}</td>
              <td>{t(`reports.periodType.${r.periodType}`)}</td>
              <td>{name(r.interventionId)}</td>
              <td>
                <span className={`report-status report-status--${r.status}`}>
                  {t(`reports.status.${r.status}`)}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function NationalExport() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const [year, setYear] = useState(currentYear() - 1);
  return (
    <section aria-labelledby="national-heading" className="panel">
      <h2 id="national-heading">{t('reports.national.title')}</h2>
      <p>{t('reports.national.intro')}</p>
      <div className="inline-form">
        <label htmlFor="national-year">{t('common.year')}</label>
        <select
          id="national-year"
          className="select select--short"
          value={year}
          onChange={(e) => setYear(Number(e.target.value))}
        >
          {selectableYears(year).map((y) => (
            <option key={y} value={y}>
              {y}
            </option>
          ))}
        </select>
      </div>
      <ul className="downloads">
        <li>
          <a href={reportFiles.national(scope.slug, year, 'xlsx')} download>
            {t('reports.national.xlsx', { year })}
          </a>
        </li>
        <li>
          <a href={reportFiles.national(scope.slug, year, 'csv')} download>
            {t('reports.national.csv', { year })}
          </a>
        </li>
      </ul>
    </section>
  );
}

export function ReportsPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  useTitle(t('reports.list.title'), scope.name);
  const q = useQuery({
    queryKey: reportKeys.reports(scope.slug),
    queryFn: () => reportsApi.reports(scope.slug),
  });
  const manage = can(scope, 'reports.manage');
  return (
    <>
      <ReportsNav />
      <h1>{t('reports.list.title')}</h1>
      <p className="lead">{t('reports.list.intro')}</p>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? <ReportList reports={q.data} /> : null}
      {manage ? (
        <section aria-labelledby="create-heading" className="panel">
          <h2 id="create-heading">{t('reports.create.heading')}</h2>
          <CreateReportForm />
        </section>
      ) : null}
      {manage ? <NationalExport /> : null}
    </>
  );
}
