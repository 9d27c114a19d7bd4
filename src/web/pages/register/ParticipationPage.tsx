/**
 * One participation: the person (number masked until asked for, and that request is logged), the
 * entry and the exit, the exit form while it is ongoing, corrections of entry and exit with their
 * history, and for admins the erasure of the person (consent withdrawn or protected identity).
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ExitInput } from '../../../shared/register-schemas';
import { useAssociation, can } from '../../association';
import { formatDateTime } from '../../format';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorSummary, useFormErrors } from '../../components/ErrorSummary';
import {
  Feedback,
  LoadError,
  Loading,
  useFocusAfterRender,
  type FeedbackMessage,
} from '../../components/Status';
import { TableScroll } from '../../components/TableScroll';
import { useTitle } from '../../components/useTitle';
import { ApiError } from '../../api';
import type { Member } from '../../types';
import { registerApi } from './api';
import { AREA, Facts, incomeText, registerFailure, remapIncomeIssues, validateRegister } from './common';
import { entryBodyOf, EntryFields, entryStateOf, entryTarget, type EntryState } from './EntryFields';
import { ExitForm } from './ExitForm';
import { registerKeys, useMembers, useTargetGroups } from './queries';
import type { HistoryEntry, IncomeLine, ParticipationDetail, TargetGroup } from './types';

function municipalityName(t: TFunction, members: Member[], code: string): string {
  if (code === 'other') return t('register.municipalityOther');
  return members.find((m) => m.municipalityCode === code)?.name ?? code;
}

/** A history value in words: codes as labels, ids as names, income as "Lön 100 %". */
function historyValue(
  t: TFunction,
  field: string,
  value: unknown,
  members: Member[],
  groups: TargetGroup[],
): string {
  if (value === null || value === undefined || value === '') return t('common.notSet');
  switch (field) {
    case 'municipalityCode':
      return municipalityName(t, members, String(value));
    case 'incomeAtEntry':
    case 'incomeAtExit': {
      const lines = value as IncomeLine[];
      return lines.length ? incomeText(t, lines) : t('common.notSet');
    }
    case 'educationLevel':
      return t(`register.education.${String(value)}`);
    case 'exitReason':
      return t(`register.exitReasons.${String(value)}`);
    case 'occupationAfter':
      return t(`register.occupations.${String(value)}`);
    case 'referringMemberId':
      return members.find((m) => m.id === value)?.name ?? t('register.history.unknown');
    case 'targetGroupIds': {
      const ids = value as string[];
      if (!ids.length) return t('common.notSet');
      return ids
        .map((id) => groups.find((g) => g.id === id)?.name ?? t('register.history.unknown'))
        .join(', ');
    }
    default:
      return String(value);
  }
}

function History({
  entries,
  members,
  groups,
}: {
  entries: HistoryEntry[];
  members: Member[];
  groups: TargetGroup[];
}) {
  const { t } = useTranslation();
  if (entries.length === 0) return <p>{t('register.history.none')}</p>;
  return (
    <TableScroll labelledBy="history-caption">
      <table className="table" aria-labelledby="history-caption">
        <thead>
          <tr>
            <th scope="col">{t('register.history.col.at')}</th>
            <th scope="col">{t('register.history.col.by')}</th>
            <th scope="col">{t('register.history.col.field')}</th>
            <th scope="col">{t('register.history.col.old')}</th>
            <th scope="col">{t('register.history.col.new')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((h) => (
            <tr key={h.id}>
              <td className="nowrap">
                <time dateTime={h.changedAt}>{formatDateTime(h.changedAt)}</time>
              </td>
              <td>{h.changedBy ?? t('register.history.unknown')}</td>
              <td>
                {t([`register.fields.${h.field}`, 'register.history.unknownField'], { field: h.field })}
              </td>
              <td>{historyValue(t, h.field, h.oldValue, members, groups)}</td>
              <td>{historyValue(t, h.field, h.newValue, members, groups)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function EntryCorrectionForm({
  participation,
  members,
  groups,
  onSaved,
  onCancel,
}: {
  participation: ParticipationDetail;
  members: Member[];
  groups: TargetGroup[];
  onSaved: (p: ParticipationDetail) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const errors = useFormErrors(AREA);
  const [state, setState] = useState<EntryState>(() => entryStateOf(participation));
  const [busy, setBusy] = useState(false);
  const prefix = 'correct-entry';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { body, issues } = entryBodyOf(state);
    if (issues.length) return errors.report(issues);
    const invalid = await validateRegister('entryCorrection', body);
    if (invalid.length) return errors.report(remapIncomeIssues(invalid, state.income, 'incomeAtEntry'));
    setBusy(true);
    try {
      const saved = await registerApi.correctEntry(slug, participation.id, body);
      errors.clear();
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.issues.length)
        errors.report(remapIncomeIssues(err.issues, state.income, 'incomeAtEntry'));
      else errors.report([], err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ErrorSummary errors={errors} target={(path) => entryTarget(prefix, path)} />
      <form onSubmit={submit} noValidate className="form form--wide reg-form">
        <EntryFields
          prefix={prefix}
          state={state}
          onChange={(patch) => setState((s) => ({ ...s, ...patch }))}
          errors={errors}
          members={members}
          targetGroups={groups}
        />
        <div className="button-row">
          <button type="submit" className="button" disabled={busy}>
            {t('register.correction.saveEntry')}
          </button>
          <button type="button" className="button button--secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </>
  );
}

type Panel = 'exit' | 'correctEntry' | 'correctExit' | null;

function ParticipationView({ participation: p }: { participation: ParticipationDetail }) {
  const { t } = useTranslation();
  const scope = useAssociation();
  const { slug } = scope;
  const queryClient = useQueryClient();
  const members = useMembers();
  const groups = useTargetGroups();
  const focusAfterRender = useFocusAfterRender();
  const feedbackRef = useRef<HTMLDivElement>(null);
  const [feedback, setFeedback] = useState<FeedbackMessage | null>(null);
  const [panel, setPanel] = useState<Panel>(null);
  const [fullPnr, setFullPnr] = useState<string | null>(null);
  const [identifying, setIdentifying] = useState(false);
  const [anonymiseReason, setAnonymiseReason] = useState<'consent_withdrawn' | 'protected_identity'>(
    'consent_withdrawn',
  );
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [erased, setErased] = useState<{ anonymised: number; removed: number } | null>(null);
  const mayWrite = can(scope, 'participants.write');
  const anonymiseErrors = useFormErrors(AREA);

  const memberList = members.data ?? [];
  const groupList = groups.data ?? [];

  const tell = (message: FeedbackMessage) => {
    setFeedback(message);
    focusAfterRender(() => feedbackRef.current);
  };
  const update = (saved: ParticipationDetail, text: string) => {
    queryClient.setQueryData(registerKeys.participation(slug, p.id), saved);
    void queryClient.invalidateQueries({ queryKey: registerKeys.all(slug), refetchType: 'none' });
    setPanel(null);
    tell({ kind: 'success', text });
  };
  const open = (which: Panel) => {
    setPanel(which);
    setFeedback(null);
    focusAfterRender(() => document.getElementById('panel-heading'));
  };

  const identify = async () => {
    setIdentifying(true);
    try {
      const full = await registerApi.participation(slug, p.id, true);
      setFullPnr(full.person.personnummer);
    } catch (err) {
      tell({ kind: 'error', text: registerFailure(t, err) });
    } finally {
      setIdentifying(false);
    }
  };

  const anonymise = async () => {
    setBusy(true);
    try {
      const result = await registerApi.anonymise(slug, p.id, anonymiseReason);
      setConfirming(false);
      // Not refetched now: the participation is gone, and this page shows what became of it.
      void queryClient.invalidateQueries({ queryKey: registerKeys.all(slug), refetchType: 'none' });
      setErased(result);
      focusAfterRender(() => document.getElementById('erased-heading'));
    } catch (err) {
      setConfirming(false);
      anonymiseErrors.report([], err);
    } finally {
      setBusy(false);
    }
  };

  const listLink = `/a/${slug}/insatser/${p.intervention.id}/deltagare`;

  if (erased) {
    return (
      <section className="notice notice--success" aria-labelledby="erased-heading">
        <h2 id="erased-heading" tabIndex={-1}>
          {t('register.anonymise.doneTitle')}
        </h2>
        <p>{t('register.anonymise.doneText', { count: erased.anonymised })}</p>
        <p>
          <Link to={listLink}>{t('register.participation.backToList', { insats: p.intervention.name })}</Link>
        </p>
      </section>
    );
  }

  const exitFacts: [string, ReactNode][] = p.exitDate
    ? [
        [t('register.fields.exitDate'), p.exitDate],
        [t('register.fields.exitReason'), p.exitReason ? t(`register.exitReasons.${p.exitReason}`) : null],
        [
          t('register.fields.occupationAfter'),
          p.occupationAfter ? t(`register.occupations.${p.occupationAfter}`) : null,
        ],
        [t('register.fields.incomeAtExit'), p.incomeAtExit.length ? incomeText(t, p.incomeAtExit) : null],
      ]
    : [];

  return (
    <>
      <Feedback ref={feedbackRef} message={feedback} />
      <p>
        <Link to={listLink}>{t('register.participation.backToList', { insats: p.intervention.name })}</Link>
      </p>

      <section aria-labelledby="person-heading">
        <h2 id="person-heading">{t('register.participation.person')}</h2>
        <Facts
          items={[
            [
              t('register.fields.personnummer'),
              <span className="reg-pnr-value" key="pnr">
                {fullPnr ?? p.person.personnummer}
              </span>,
            ],
            [t('register.fields.sex'), t(`register.sexes.${p.person.sex}`)],
            [t('register.fields.birthYear'), String(p.person.birthYear)],
            [
              t('register.fields.returner'),
              p.isReturner ? t('register.common.yes') : t('register.common.no'),
            ],
          ]}
        />
        {fullPnr === null && can(scope, 'participants.identify') ? (
          <div className="reg-identify">
            <button
              type="button"
              className="button button--secondary"
              onClick={identify}
              disabled={identifying}
              aria-describedby="identify-hint"
            >
              {t('register.participation.identify')}
            </button>
            <p className="field-hint" id="identify-hint">
              {t('register.participation.identifyHint')}
            </p>
          </div>
        ) : null}
      </section>

      <section aria-labelledby="entry-heading">
        <h2 id="entry-heading">{t('register.participation.entry')}</h2>
        <Facts
          items={[
            [
              t('register.fields.insats'),
              <Link key="i" to={`/a/${slug}/insatser/${p.intervention.id}`}>
                {p.intervention.name}
              </Link>,
            ],
            [t('register.fields.entryDate'), p.entryDate],
            [t('register.fields.municipalityCode'), municipalityName(t, memberList, p.municipalityCode)],
            [t('register.fields.incomeAtEntry'), incomeText(t, p.incomeAtEntry)],
            [
              t('register.fields.supportMonths'),
              p.supportMonths === null ? null : t('register.common.months', { count: p.supportMonths }),
            ],
            [
              t('register.fields.educationLevel'),
              p.educationLevel ? t(`register.education.${p.educationLevel}`) : null,
            ],
            [t('register.fields.targetGroupIds'), p.targetGroups.map((g) => g.name).join(', ')],
            [
              t('register.fields.referringMemberId'),
              p.referringMemberId
                ? (memberList.find((m) => m.id === p.referringMemberId)?.name ?? null)
                : null,
            ],
            [t('register.fields.consentDate'), p.consentDate],
            [t('register.fields.consentRef'), p.consentRef],
          ]}
        />
        {mayWrite && panel !== 'correctEntry' ? (
          <button type="button" className="button button--secondary" onClick={() => open('correctEntry')}>
            {t('register.correction.entryButton')}
          </button>
        ) : null}
      </section>

      <section aria-labelledby="exit-heading">
        <h2 id="exit-heading">{t('register.participation.exit')}</h2>
        {p.exitDate ? (
          <>
            {p.exitReason === 'registration_error' ? (
              <p className="notice notice--warning">{t('register.participation.registrationError')}</p>
            ) : null}
            <Facts items={exitFacts} />
            {mayWrite && panel !== 'correctExit' ? (
              <button type="button" className="button button--secondary" onClick={() => open('correctExit')}>
                {t('register.correction.exitButton')}
              </button>
            ) : null}
          </>
        ) : (
          <>
            <p>{t('register.participation.ongoing')}</p>
            {mayWrite && panel !== 'exit' ? (
              <button type="button" className="button" onClick={() => open('exit')}>
                {t('register.exit.open')}
              </button>
            ) : null}
          </>
        )}
      </section>

      {panel ? (
        <section aria-labelledby="panel-heading" className="panel">
          <h2 id="panel-heading" tabIndex={-1}>
            {t(`register.participation.panel.${panel}`)}
          </h2>
          {panel === 'correctEntry' ? (
            members.data && groups.data ? (
              <EntryCorrectionForm
                participation={p}
                members={members.data}
                groups={groups.data}
                onCancel={() => setPanel(null)}
                onSaved={(saved) => update(saved, t('register.correction.entrySaved'))}
              />
            ) : (
              <Loading />
            )
          ) : (
            <ExitForm
              prefix={panel === 'exit' ? 'exit' : 'correct-exit'}
              participation={p}
              correcting={panel === 'correctExit'}
              onCancel={() => setPanel(null)}
              onSubmit={async (body: ExitInput) => {
                const saved =
                  panel === 'exit'
                    ? await registerApi.registerExit(slug, p.id, body)
                    : await registerApi.correctExit(slug, p.id, body);
                update(
                  saved,
                  panel === 'exit' ? t('register.exit.saved') : t('register.correction.exitSaved'),
                );
              }}
            />
          )}
        </section>
      ) : null}

      <section aria-labelledby="history-heading" className="panel">
        <h2 id="history-heading">{t('register.history.title')}</h2>
        <p className="table-title visually-hidden" id="history-caption">
          {t('register.history.caption')}
        </p>
        <History entries={p.history} members={memberList} groups={groupList} />
      </section>

      {can(scope, 'participants.anonymise') ? (
        <section aria-labelledby="anonymise-heading" className="panel">
          <h2 id="anonymise-heading">{t('register.anonymise.title')}</h2>
          <p>{t('register.anonymise.intro')}</p>
          <ErrorSummary errors={anonymiseErrors} target={() => undefined} />
          <fieldset className="reg-fieldset">
            <legend>{t('register.anonymise.reasonLegend')}</legend>
            <ul className="checkbox-list">
              {(['consent_withdrawn', 'protected_identity'] as const).map((r) => (
                <li key={r} className="checkbox">
                  <input
                    type="radio"
                    id={`anonymise-${r}`}
                    name="anonymise-reason"
                    checked={anonymiseReason === r}
                    onChange={() => setAnonymiseReason(r)}
                  />
                  <label htmlFor={`anonymise-${r}`}>{t(`register.anonymise.reasons.${r}`)}</label>
                </li>
              ))}
            </ul>
          </fieldset>
          <button type="button" className="button button--danger" onClick={() => setConfirming(true)}>
            {t('register.anonymise.button')}
          </button>
          <ConfirmDialog
            open={confirming}
            title={t('register.anonymise.confirmTitle')}
            text={t('register.anonymise.confirmText', {
              reason: t(`register.anonymise.reasons.${anonymiseReason}`),
            })}
            confirmLabel={t('register.anonymise.confirm')}
            busy={busy}
            onConfirm={anonymise}
            onCancel={() => setConfirming(false)}
          />
        </section>
      ) : null}
    </>
  );
}

export function ParticipationPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const { id = '' } = useParams();
  const q = useQuery({
    queryKey: registerKeys.participation(scope.slug, id),
    queryFn: () => registerApi.participation(scope.slug, id),
    // Every read is audited: do not refetch behind the user's back.
    staleTime: Infinity,
  });
  useTitle(t('register.participation.title'), q.data?.intervention.name, scope.name);
  return (
    <>
      <h1>
        {q.data
          ? t('register.participation.heading', { insats: q.data.intervention.name })
          : t('register.participation.title')}
      </h1>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? <ParticipationView key={q.data.id} participation={q.data} /> : null}
    </>
  );
}
