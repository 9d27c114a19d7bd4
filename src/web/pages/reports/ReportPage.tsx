/**
 * One report document: its figures (live while a draft, frozen once final), the analysis text
 * ("Analys och åtgärder") saved with it, marking it final, and the PDF and XLSX files.
 */
import { useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { can, useAssociation } from '../../association';
import { actionFailure } from '../../errors';
import { formatDateTime } from '../../format';
import { TextField } from '../../components/Field';
import { describedBy, FieldError } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../../components/ErrorSummary';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import {
  Feedback,
  LoadError,
  Loading,
  useFocusAfterRender,
  type FeedbackMessage,
} from '../../components/Status';
import { useTitle } from '../../components/useTitle';
import type { ReportDocument } from './model';
import { reportFiles, reportKeys, reportsApi } from './reportsApi';
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

function AnalysisForm({ report, onSaved }: { report: ReportDocument; onSaved: (r: ReportDocument) => void }) {
  const { t } = useTranslation();
  const scope = useAssociation();
  const errors = useFormErrors('reports');
  const [title, setTitle] = useState(report.title);
  const [analysis, setAnalysis] = useState(report.analysis);
  const [busy, setBusy] = useState(false);
  const ids: Record<string, string> = { title: 'report-edit-title', analysis: 'report-analysis' };
  const analysisError = errors.messageFor('analysis');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Issue[] = [];
    if (title.trim().length < 2) local.push({ path: 'title', code: 'required' });
    if (local.length) return errors.report(local);
    setBusy(true);
    try {
      const saved = await reportsApi.saveReportText(scope.slug, report.id, { title: title.trim(), analysis });
      errors.clear();
      onSaved(saved);
    } catch (err) {
      errors.reportError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ErrorSummary errors={errors} target={(path) => (ids[path] ? { id: ids[path] } : undefined)} />
      <form onSubmit={submit} noValidate className="form form--wide">
        <TextField
          id={ids.title!}
          label={t('reports.document.titleField')}
          value={title}
          onValueChange={setTitle}
          error={errors.messageFor('title')}
          maxLength={300}
        />
        <div className={analysisError ? 'field field--error' : 'field'}>
          <label className="field-label" htmlFor={ids.analysis}>
            {t('reports.document.analysis')}
          </label>
          <p className="field-hint" id={`${ids.analysis}-hint`}>
            {t('reports.document.analysisHint')}
          </p>
          <FieldError id={`${ids.analysis}-error`} message={analysisError} />
          <textarea
            id={ids.analysis}
            name={ids.analysis}
            className="report-textarea"
            rows={12}
            value={analysis}
            maxLength={50_000}
            onChange={(e) => setAnalysis(e.target.value)}
            aria-invalid={analysisError ? true : undefined}
            aria-describedby={describedBy(ids.analysis!, true, Boolean(analysisError))}
          />
        </div>
        <button type="submit" className="button" disabled={busy}>
          {t('reports.document.save')}
        </button>
      </form>
    </>
  );
}

function ReportBody({ report }: { report: ReportDocument }) {
  const { t } = useTranslation();
  const scope = useAssociation();
  const queryClient = useQueryClient();
  const ageBand = useAgeBandLabel();
  const [feedback, setFeedback] = useState<FeedbackMessage | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const feedbackRef = useRef<HTMLDivElement>(null);
  const focusAfterRender = useFocusAfterRender();
  const manage = can(scope, 'reports.manage');
  const final = report.status === 'final';

  const tell = (message: FeedbackMessage) => {
    setFeedback(message);
    focusAfterRender(() => feedbackRef.current);
  };
  const store = async (r: ReportDocument) => {
    queryClient.setQueryData(reportKeys.report(scope.slug, r.id), r);
    await queryClient.invalidateQueries({ queryKey: reportKeys.reports(scope.slug), exact: true });
  };

  const finalise = async () => {
    setBusy(true);
    try {
      const r = await reportsApi.finaliseReport(scope.slug, report.id);
      await store(r);
      tell({ kind: 'success', text: t('reports.document.finalised') });
    } catch (err) {
      tell({
        kind: 'error',
        text: t('reports.document.finaliseFailed', { reason: actionFailure(t, err, 'reports') }),
      });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <>
      <dl className="facts">
        <div>
          <dt>{t('reports.document.period')}</dt>
          <dd>{formatPeriod(report)}</dd>
        </div>
        <div>
          <dt>{t('reports.document.type')}</dt>
          <dd>{t(`reports.periodType.${report.periodType}`)}</dd>
        </div>
        <div>
          <dt>{t('reports.document.scope')}</dt>
          <dd>{report.intervention?.name ?? t('reports.create.wholeAssociation')}</dd>
        </div>
        <div>
          <dt>{t('reports.document.status')}</dt>
          <dd>
            <span className={`report-status report-status--${report.status}`}>
              {t(`reports.status.${report.status}`)}
            </span>
          </dd>
        </div>
      </dl>
      <Feedback ref={feedbackRef} message={feedback} />
      {final && report.finalisedAt ? (
        <p className="notice notice--success final-notice">
          <strong>{t('reports.document.finalSince', { at: formatDateTime(report.finalisedAt) })}</strong>{' '}
          {t('reports.document.frozenText')}
        </p>
      ) : (
        <p className="notice notice--info">{t('reports.document.liveText')}</p>
      )}
      {report.figures.protected ? <ProtectedNotice /> : null}

      <section aria-labelledby="downloads-heading">
        <h2 id="downloads-heading">{t('reports.document.downloads')}</h2>
        <ul className="downloads">
          <li>
            <a href={reportFiles.report(scope.slug, report.id, 'pdf')} download>
              {t('reports.document.pdf')}
            </a>
          </li>
          <li>
            <a href={reportFiles.report(scope.slug, report.id, 'xlsx')} download>
              {t('reports.document.xlsx')}
            </a>
          </li>
        </ul>
      </section>

      <section aria-labelledby="analysis-heading">
        <h2 id="analysis-heading">{t('reports.document.analysis')}</h2>
        {manage && !final ? (
          <AnalysisForm
            report={report}
            onSaved={async (r) => {
              await store(r);
              tell({ kind: 'success', text: t('reports.document.saved') });
            }}
          />
        ) : report.analysis.trim() ? (
          <div className="analysis-text">{report.analysis}</div>
        ) : (
          <p className="muted">{t('reports.document.noAnalysis')}</p>
        )}
        {manage && !final ? (
          <div className="finalise">
            <h3>{t('reports.document.finaliseHeading')}</h3>
            <p>{t('reports.document.finaliseText')}</p>
            <button type="button" className="button button--secondary" onClick={() => setConfirming(true)}>
              {t('reports.document.finalise')}
            </button>
          </div>
        ) : null}
      </section>

      <section aria-labelledby="figures-heading">
        <h2 id="figures-heading">{t('reports.document.keyFigures')}</h2>
        <KeyFiguresTable
          report={report.figures}
          caption={t('reports.document.keyFiguresCaption', { period: formatPeriod(report) })}
        />
      </section>
      <OutcomeBySex report={report.figures} headingId="outcome-heading" />
      <IncomeMatrix report={report.figures} headingId="income-heading" />
      <DaysInInsats report={report.figures} headingId="days-heading" />
      <Breakdown report={report.figures} headingId="breakdown-heading" labelOf={ageBand} />

      <ConfirmDialog
        open={confirming}
        title={t('reports.document.confirmTitle')}
        text={t('reports.document.confirmText', { title: report.title })}
        confirmLabel={t('reports.document.confirm')}
        busy={busy}
        onConfirm={finalise}
        onCancel={() => setConfirming(false)}
      />
    </>
  );
}

export function ReportPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const { id = '' } = useParams();
  const q = useQuery({
    queryKey: reportKeys.report(scope.slug, id),
    queryFn: () => reportsApi.report(scope.slug, id),
  });
  useTitle(q.data?.title ?? t('reports.document.loadingTitle'), scope.name);
  return (
    <>
      <ReportsNav />
      <p className="back-link">
        <Link to={`/a/${scope.slug}/reports`}>{t('reports.document.back')}</Link>
      </p>
      <h1>{q.data?.title ?? t('reports.document.loadingTitle')}</h1>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? <ReportBody report={q.data} /> : null}
    </>
  );
}
