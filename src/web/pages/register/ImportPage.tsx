/**
 * The import wizard: choose a CSV or XLSX file, upload it with visible progress for a check run
 * (nothing stored) that lists every row error or sums up what would be imported, then import it.
 * A file already imported is refused with when; "Importera ändå" sends it again with force.
 * Below: template downloads and the batches, each of which can be undone as a whole.
 */
import { useRef, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { useAssociation } from '../../association';
import { errorMessage } from '../../errors';
import { formatDateTime } from '../../format';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { describedBy, FieldError } from '../../components/Field';
import { ErrorSummary, useFormErrors } from '../../components/ErrorSummary';
import { NotSet } from '../../components/NotSet';
import {
  Feedback,
  LoadError,
  Loading,
  useFocusAfterRender,
  type FeedbackMessage,
} from '../../components/Status';
import { TableScroll } from '../../components/TableScroll';
import { useTitle } from '../../components/useTitle';
import { useSession } from '../../queries';
import { downloads, ImportRejected, registerApi, uploadImport } from './api';
import { AREA, registerFailure } from './common';
import { registerKeys } from './queries';
import type { ImportBatch, ImportResult, RowError } from './types';

/** The server accepts 60 MB; files of 50 MB are promised. */
export const MAX_IMPORT_BYTES = 60 * 1024 * 1024;
const FILE_ID = 'import-file';

type Outcome =
  | { kind: 'checked'; result: ImportResult }
  | { kind: 'rejected'; errors: RowError[]; errorCount: number }
  | { kind: 'duplicate'; text: string }
  | { kind: 'imported'; result: ImportResult };

async function sha256(file: File): Promise<string | null> {
  try {
    const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    // No WebCrypto (plain http on another host): the server's own message is shown instead.
    return null;
  }
}

function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} MB`;
}

function Counts({ result }: { result: ImportResult }) {
  const { t } = useTranslation();
  return (
    <ul className="reg-counts">
      <li>{t('register.import.counts.imported', { count: result.imported })}</li>
      <li>{t('register.import.counts.updated', { count: result.updated })}</li>
      <li>{t('register.import.counts.anonymous', { count: result.anonymous })}</li>
      <li>{t('register.import.counts.skipped', { count: result.skipped })}</li>
    </ul>
  );
}

function Batches({ onUndone }: { onUndone: (message: FeedbackMessage) => void }) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const queryClient = useQueryClient();
  const q = useQuery({
    queryKey: registerKeys.imports(slug),
    queryFn: () => registerApi.importBatches(slug),
  });
  const [undoing, setUndoing] = useState<ImportBatch | null>(null);
  const [busy, setBusy] = useState(false);

  const undo = async () => {
    if (!undoing) return;
    setBusy(true);
    try {
      await registerApi.undoImport(slug, undoing.id);
      await queryClient.invalidateQueries({ queryKey: registerKeys.all(slug) });
      onUndone({ kind: 'success', text: t('register.import.undone', { file: undoing.fileName }) });
    } catch (err) {
      onUndone({
        kind: 'error',
        text: t('register.import.undoFailed', { file: undoing.fileName, reason: registerFailure(t, err) }),
      });
    } finally {
      setBusy(false);
      setUndoing(null);
    }
  };

  if (q.isPending) return <Loading />;
  if (q.isError) return <LoadError error={q.error} retry={() => void q.refetch()} />;
  if (q.data.length === 0) return <p>{t('register.import.noBatches')}</p>;
  return (
    <>
      <p className="table-title" id="batches-caption">
        {t('register.import.batchesCaption', { count: q.data.length })}
      </p>
      <TableScroll labelledBy="batches-caption">
        <table className="table" aria-labelledby="batches-caption">
          <thead>
            <tr>
              <th scope="col">{t('register.import.col.file')}</th>
              <th scope="col">{t('register.import.col.at')}</th>
              <th scope="col">{t('register.import.col.by')}</th>
              <th scope="col" className="num">
                {t('register.import.col.imported')}
              </th>
              <th scope="col" className="num">
                {t('register.import.col.updated')}
              </th>
              <th scope="col" className="num">
                {t('register.import.col.anonymous')}
              </th>
              <th scope="col" className="num">
                {t('register.import.col.skipped')}
              </th>
              <th scope="col">{t('register.import.col.status')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((b) => (
              <tr key={b.id}>
                <th scope="row" className="reg-file">
                  {b.fileName}
                </th>
                <td className="nowrap">
                  <time dateTime={b.createdAt}>{formatDateTime(b.createdAt)}</time>
                </td>
                <td>{b.createdBy?.name ?? <NotSet />}</td>
                <td className="num">{b.imported}</td>
                <td className="num">{b.updated}</td>
                <td className="num">{b.anonymous}</td>
                <td className="num">{b.skipped}</td>
                <td>
                  {b.undoneAt
                    ? t('register.import.undoneAt', { at: formatDateTime(b.undoneAt), by: b.undoneBy ?? '' })
                    : t('register.import.active')}
                </td>
                <td className="actions">
                  {b.undoneAt ? null : (
                    <button
                      type="button"
                      className="link-button link-button--danger"
                      onClick={() => setUndoing(b)}
                    >
                      {t('register.import.undo')}
                      <span className="visually-hidden"> {b.fileName}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <ConfirmDialog
        open={undoing !== null}
        title={t('register.import.confirmTitle')}
        text={t('register.import.confirmText', {
          file: undoing?.fileName ?? '',
          at: undoing ? formatDateTime(undoing.createdAt) : '',
        })}
        confirmLabel={t('register.import.confirm')}
        busy={busy}
        onConfirm={undo}
        onCancel={() => setUndoing(null)}
      />
    </>
  );
}

export function ImportPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const { slug } = scope;
  const session = useSession();
  useTitle(t('register.import.title'), scope.name);
  const queryClient = useQueryClient();
  const errors = useFormErrors(AREA);
  const focusAfterRender = useFocusAfterRender();
  const feedbackRef = useRef<HTMLDivElement>(null);
  const outcomeRef = useRef<HTMLHeadingElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [phase, setPhase] = useState<'check' | 'import'>('check');
  const [force, setForce] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [feedback, setFeedback] = useState<FeedbackMessage | null>(null);
  const busy = progress !== null;

  const show = (o: Outcome) => {
    setOutcome(o);
    focusAfterRender(() => outcomeRef.current);
  };

  /** The earlier batch of the same file, described in the UI language; null when it is not ours to see. */
  const describeDuplicate = async (f: File, err: ApiError): Promise<string> => {
    const [hash, batches] = await Promise.all([
      sha256(f),
      queryClient.fetchQuery({
        queryKey: registerKeys.imports(slug),
        queryFn: () => registerApi.importBatches(slug),
      }),
    ]);
    const earlier = hash ? batches.find((b) => b.fileHash === hash && !b.undoneAt) : undefined;
    if (earlier)
      return t('register.import.duplicateKnown', {
        at: formatDateTime(earlier.createdAt),
        by: earlier.createdBy?.name ?? t('register.history.unknown'),
        file: earlier.fileName,
      });
    return err.issues[0]?.message ?? errorMessage(t, err);
  };

  const send = async (dryRun: boolean, forced: boolean) => {
    if (!file) return;
    setPhase(dryRun ? 'check' : 'import');
    setProgress(0);
    setOutcome(null);
    setFeedback(null);
    errors.clear();
    try {
      const result = await uploadImport(slug, file, {
        dryRun,
        force: forced,
        csrfToken: session.csrfToken,
        onProgress: setProgress,
      });
      if (dryRun) show({ kind: 'checked', result });
      else {
        show({ kind: 'imported', result });
        void queryClient.invalidateQueries({ queryKey: registerKeys.all(slug) });
      }
    } catch (err) {
      if (err instanceof ImportRejected)
        show({ kind: 'rejected', errors: err.errors, errorCount: err.errorCount });
      else if (err instanceof ApiError && err.issues[0]?.code === 'already_imported')
        show({ kind: 'duplicate', text: await describeDuplicate(file, err) });
      else if (err instanceof ApiError && err.issues.length)
        errors.report(err.issues.map((i) => ({ ...i, path: 'file' })));
      else errors.report([], err);
    } finally {
      setProgress(null);
    }
  };

  const check = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return errors.report([{ path: 'file', code: 'required' }]);
    if (!/\.(csv|xlsx)$/i.test(file.name)) return errors.report([{ path: 'file', code: 'file_type' }]);
    if (file.size === 0) return errors.report([{ path: 'file', code: 'empty_file' }]);
    if (file.size > MAX_IMPORT_BYTES) return errors.report([{ path: 'file', code: 'too_large' }]);
    setForce(false);
    void send(true, false);
  };

  const fileError = errors.messageFor('file');
  const percent = progress === null ? 0 : Math.round(progress * 100);

  return (
    <>
      <h1>{t('register.import.title')}</h1>
      <p className="lead">{t('register.import.intro')}</p>
      <Feedback ref={feedbackRef} message={feedback} />

      <section aria-labelledby="template-heading">
        <h2 id="template-heading">{t('register.import.templateTitle')}</h2>
        <p>{t('register.import.templateText')}</p>
        <ul className="reg-links">
          <li>
            <a href={downloads.template(slug, 'xlsx')} download>
              {t('register.import.templateXlsx')}
            </a>
          </li>
          <li>
            <a href={downloads.template(slug, 'csv')} download>
              {t('register.import.templateCsv')}
            </a>
          </li>
        </ul>
      </section>

      <section aria-labelledby="upload-heading" className="panel">
        <h2 id="upload-heading">{t('register.import.uploadTitle')}</h2>
        <ErrorSummary errors={errors} target={() => ({ id: FILE_ID })} />
        <form onSubmit={check} noValidate className="form">
          <div className={fileError ? 'field field--error' : 'field'}>
            <label className="field-label" htmlFor={FILE_ID}>
              {t('register.import.file')}
            </label>
            <p className="field-hint" id={`${FILE_ID}-hint`}>
              {t('register.import.fileHint')}
            </p>
            <FieldError id={`${FILE_ID}-error`} message={fileError} />
            <input
              id={FILE_ID}
              type="file"
              className="reg-file-input"
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setOutcome(null);
                errors.clear();
              }}
              aria-invalid={fileError ? true : undefined}
              aria-describedby={describedBy(FILE_ID, true, Boolean(fileError))}
            />
            {file ? (
              <p className="muted reg-file-chosen">
                {t('register.import.chosen', { file: file.name, size: sizeText(file.size) })}
              </p>
            ) : null}
          </div>
          <button type="submit" className="button" disabled={busy}>
            {t('register.import.check')}
          </button>
        </form>

        {progress !== null ? (
          <div className="reg-progress">
            <label htmlFor="import-progress">
              {progress < 1
                ? t(`register.import.sending.${phase}`, { percent })
                : t(`register.import.working.${phase}`)}
            </label>
            <progress id="import-progress" max={100} value={percent}>
              {percent}&nbsp;%
            </progress>
          </div>
        ) : null}

        {outcome?.kind === 'rejected' ? (
          <div className="notice notice--error reg-outcome">
            <h3 id="outcome-heading" ref={outcomeRef} tabIndex={-1}>
              {t('register.import.rejectedTitle', { count: outcome.errorCount })}
            </h3>
            <p>{t('register.import.rejectedText')}</p>
            {outcome.errors.length < outcome.errorCount ? (
              <p>{t('register.import.rejectedFirst', { count: outcome.errors.length })}</p>
            ) : null}
            <TableScroll labelledBy="outcome-heading">
              <table className="table reg-row-errors">
                <caption className="visually-hidden">{t('register.import.errorsCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      {t('register.import.col.row')}
                    </th>
                    <th scope="col">{t('register.import.col.column')}</th>
                    <th scope="col">{t('register.import.col.error')}</th>
                  </tr>
                </thead>
                <tbody>
                  {outcome.errors.map((e, i) => (
                    <tr key={i}>
                      <td className="num">{e.row}</td>
                      <td>{e.column}</td>
                      <td>
                        {e.code
                          ? t(`register.import.rowErrors.${e.code}`, { ...e.params, defaultValue: e.message })
                          : e.message}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </div>
        ) : null}

        {outcome?.kind === 'duplicate' ? (
          <div className="notice notice--warning reg-outcome">
            <h3 ref={outcomeRef} tabIndex={-1}>
              {t('register.import.duplicateTitle')}
            </h3>
            <p>{outcome.text}</p>
            <p>{t('register.import.duplicateAdvice')}</p>
            <button
              type="button"
              className="button button--secondary"
              disabled={busy}
              onClick={() => {
                setForce(true);
                void send(true, true);
              }}
            >
              {t('register.import.importAnyway')}
            </button>
          </div>
        ) : null}

        {outcome?.kind === 'checked' ? (
          <div className="notice reg-outcome">
            <h3 ref={outcomeRef} tabIndex={-1}>
              {t('register.import.checkedTitle')}
            </h3>
            <p>{t('register.import.checkedText', { file: file?.name ?? '' })}</p>
            <Counts result={outcome.result} />
            {force ? <p>{t('register.import.forced')}</p> : null}
            <button type="button" className="button" disabled={busy} onClick={() => void send(false, force)}>
              {t('register.import.commit')}
            </button>
          </div>
        ) : null}

        {outcome?.kind === 'imported' ? (
          <div className="notice notice--success reg-outcome">
            <h3 ref={outcomeRef} tabIndex={-1}>
              {t('register.import.importedTitle')}
            </h3>
            <p>{t('register.import.importedText', { file: file?.name ?? '' })}</p>
            <Counts result={outcome.result} />
          </div>
        ) : null}
      </section>

      <section aria-labelledby="batches-heading" className="panel">
        <h2 id="batches-heading">{t('register.import.batchesTitle')}</h2>
        <p>{t('register.import.batchesIntro')}</p>
        <Batches
          onUndone={(m) => {
            setFeedback(m);
            focusAfterRender(() => feedbackRef.current);
          }}
        />
      </section>
    </>
  );
}
