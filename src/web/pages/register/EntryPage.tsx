/**
 * Entry registration, built for speed: the personnummer comes first and is checked as it is typed
 * (with the shared schema), showing the sex and birth year it gives; the insats and today's date
 * are preselected, the consent date follows the entry date. Enter submits. After saving, focus
 * goes to the confirmation, whose "Registrera nästa" clears the person but keeps insats and date.
 * An accepted referral arrives here as navigation state (never in the URL: it may hold a number).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { parsePersonnummer } from '../../../shared/personnummer';
import { ApiError } from '../../api';
import { useAssociation } from '../../association';
import { SelectField } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../../components/ErrorSummary';
import { LoadError, Loading, useFocusAfterRender } from '../../components/Status';
import { useTitle } from '../../components/useTitle';
import { registerApi } from './api';
import { AREA, remapIncomeIssues, validateRegister } from './common';
import { emptyEntryState, entryBodyOf, EntryFields, entryTarget, type EntryState } from './EntryFields';
import { registerKeys, useInterventions, useMembers, useTargetGroups } from './queries';
import type { EntryPrefill, Intervention, ParticipationDetail } from './types';

const PREFIX = 'entry';
const PNR_ID = 'entry-pnr';
const INSATS_ID = 'entry-insats';

/** Insatser the caller can register people in: individual, followed up per person, and theirs. */
export function registrableInterventions(list: Intervention[]): Intervention[] {
  return list.filter(
    (i) =>
      i.direction === 'individual' && i.followUp === 'person' && i.mine !== false && i.status !== 'ended',
  );
}

type PnrCheck = (value: string) => string | null;

function EntryForm({
  interventions,
  prefill,
  initialInsats,
}: {
  interventions: Intervention[];
  prefill: EntryPrefill | null;
  initialInsats: string;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const members = useMembers();
  const targetGroups = useTargetGroups();
  const errors = useFormErrors(AREA);
  const focusAfterRender = useFocusAfterRender();
  const successRef = useRef<HTMLHeadingElement>(null);

  const [interventionId, setInterventionId] = useState(prefill?.interventionId ?? initialInsats);
  const [pnr, setPnr] = useState(prefill?.personnummer ?? '');
  const [pnrBlurred, setPnrBlurred] = useState(false);
  const [referralId, setReferralId] = useState<string | null>(prefill?.referralId ?? null);
  const [entry, setEntry] = useState<EntryState>(() => {
    const s = emptyEntryState(prefill?.entryDate);
    if (prefill?.consentDate) Object.assign(s, { consentDate: prefill.consentDate, consentTouched: true });
    if (prefill?.referringMemberId) s.referringMemberId = prefill.referringMemberId;
    return s;
  });
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<ParticipationDetail | null>(null);
  const [checkPnr, setCheckPnr] = useState<{ fn: PnrCheck } | null>(null);
  const [submittedPnr, setSubmittedPnr] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void import('./validation').then((m) => {
      if (live) setCheckPnr({ fn: m.personnummerIssue });
    });
    return () => {
      live = false;
    };
  }, []);

  const digits = pnr.replace(/\D/g, '');
  const parsed = parsePersonnummer(pnr);
  // Checked live once the number is complete (or the user has left the field), not while typing.
  const liveCode =
    checkPnr && pnr.trim() !== '' && (digits.length >= 12 || pnrBlurred) ? checkPnr.fn(pnr) : null;
  // A reported error stands until the number is changed; from then on the live check speaks.
  const pnrError = liveCode
    ? errors.message({ path: 'personnummer', code: liveCode })
    : pnr === submittedPnr
      ? errors.messageFor('personnummer')
      : undefined;

  const target = (path: string) => {
    if (path === 'personnummer') return { id: PNR_ID };
    if (path === 'interventionId' || path === 'referralId') return { id: INSATS_ID };
    return entryTarget(PREFIX, path);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmittedPnr(pnr);
    const { body: fields, issues } = entryBodyOf(entry);
    const local: Issue[] = [];
    if (!pnr.trim()) local.push({ path: 'personnummer', code: 'required' });
    if (!interventionId) local.push({ path: 'interventionId', code: 'required' });
    local.push(...issues);
    if (local.length) return errors.report(local);
    const body = { ...fields, interventionId, personnummer: pnr.trim(), referralId };
    const invalid = await validateRegister('entry', body);
    if (invalid.length) return errors.report(remapIncomeIssues(invalid, entry.income, 'incomeAtEntry'));
    setBusy(true);
    try {
      const created = await registerApi.registerEntry(slug, body);
      errors.clear();
      setSaved(created);
      void queryClient.invalidateQueries({ queryKey: registerKeys.all(slug) });
      // The referral is linked now; a reload must not offer it again.
      if (location.state) navigate(location.pathname + location.search, { replace: true, state: null });
      focusAfterRender(() => successRef.current);
    } catch (err) {
      if (err instanceof ApiError && err.issues.length)
        errors.report(remapIncomeIssues(err.issues, entry.income, 'incomeAtEntry'));
      else errors.report([], err);
    } finally {
      setBusy(false);
    }
  };

  const next = () => {
    setSaved(null);
    setPnr('');
    setPnrBlurred(false);
    setReferralId(null);
    errors.clear();
    // Same insats and entry date: a coordinator often registers a group that started together.
    setEntry(emptyEntryState(entry.entryDate));
    focusAfterRender(() => document.getElementById(PNR_ID));
  };

  if (members.isPending || targetGroups.isPending) return <Loading />;
  if (members.isError) return <LoadError error={members.error} retry={() => void members.refetch()} />;
  if (targetGroups.isError)
    return <LoadError error={targetGroups.error} retry={() => void targetGroups.refetch()} />;

  if (saved) {
    return (
      <section className="notice notice--success reg-saved" aria-labelledby="entry-saved-heading">
        <h2 id="entry-saved-heading" ref={successRef} tabIndex={-1}>
          {t('register.entry.savedTitle')}
        </h2>
        <p>
          {t('register.entry.savedText', {
            pnr: saved.person.personnummer,
            insats: saved.intervention.name,
            date: saved.entryDate,
          })}
        </p>
        {saved.isReturner ? <p>{t('register.entry.savedReturner')}</p> : null}
        <div className="button-row reg-saved__actions">
          <button type="button" className="button" onClick={next}>
            {t('register.entry.next')}
          </button>
          <Link to={`/a/${slug}/deltagare/${saved.id}`}>{t('register.entry.showSaved')}</Link>
          <Link to={`/a/${slug}/insatser/${saved.intervention.id}/deltagare`}>
            {t('register.entry.showList', { insats: saved.intervention.name })}
          </Link>
        </div>
      </section>
    );
  }

  const derived = parsed.ok
    ? t(parsed.value.coordinationNumber ? 'register.entry.derivedCoordination' : 'register.entry.derived', {
        sex: t(`register.sexes.${parsed.value.sex}`),
        year: parsed.value.birthYear,
      })
    : '';

  return (
    <>
      <ErrorSummary errors={errors} target={target} />
      {referralId ? <p className="notice">{t('register.entry.fromReferral')}</p> : null}
      <form onSubmit={submit} noValidate className="form form--wide reg-form">
        <div className={pnrError ? 'field field--error' : 'field'}>
          <label className="field-label" htmlFor={PNR_ID}>
            {t('register.entry.personnummer')}
          </label>
          <p className="field-hint" id={`${PNR_ID}-hint`}>
            {t('register.entry.personnummerHint')}
          </p>
          {pnrError ? (
            <p className="field-error" id={`${PNR_ID}-error`}>
              <span className="visually-hidden">{t('common.errorPrefix')} </span>
              {pnrError}
            </p>
          ) : null}
          <input
            id={PNR_ID}
            name="personnummer"
            className="input input--medium reg-pnr"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            maxLength={13}
            value={pnr}
            onChange={(e) => {
              setPnr(e.target.value);
              if (e.target.value.trim() === '') setPnrBlurred(false);
            }}
            onBlur={() => setPnrBlurred(true)}
            aria-invalid={pnrError ? true : undefined}
            aria-describedby={[`${PNR_ID}-hint`, pnrError ? `${PNR_ID}-error` : '', `${PNR_ID}-derived`]
              .filter(Boolean)
              .join(' ')}
          />
          <p id={`${PNR_ID}-derived`} className="reg-derived" role="status">
            {derived}
          </p>
        </div>
        <SelectField
          id={INSATS_ID}
          label={t('register.entry.insats')}
          value={interventionId}
          onValueChange={(v) => {
            setInterventionId(v);
            // A referral belongs to its insats.
            if (prefill && v !== prefill.interventionId) setReferralId(null);
          }}
          options={[
            ...(interventionId ? [] : [{ value: '', label: t('register.entry.chooseInsats') }]),
            ...interventions.map((i) => ({ value: i.id, label: i.name })),
          ]}
          error={errors.messageFor('interventionId') ?? errors.messageFor('referralId')}
        />
        <EntryFields
          prefix={PREFIX}
          state={entry}
          onChange={(patch) => setEntry((s) => ({ ...s, ...patch }))}
          errors={errors}
          members={members.data}
          targetGroups={targetGroups.data}
        />
        <button type="submit" className="button" disabled={busy}>
          {t('register.entry.submit')}
        </button>
      </form>
    </>
  );
}

export function EntryPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  useTitle(t('register.entry.title'), scope.name);
  const [params] = useSearchParams();
  const location = useLocation();
  const q = useInterventions();
  const prefill = ((location.state as { prefill?: EntryPrefill } | null)?.prefill ??
    null) as EntryPrefill | null;
  const options = q.data ? registrableInterventions(q.data) : [];
  const fromUrl = params.get('insats') ?? '';
  const initial = options.some((i) => i.id === fromUrl)
    ? fromUrl
    : options.length === 1
      ? options[0]!.id
      : '';
  return (
    <>
      <h1>{t('register.entry.title')}</h1>
      <p className="lead">{t('register.entry.intro')}</p>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? (
        options.length === 0 ? (
          <p className="notice">{t('register.entry.noInsatser')}</p>
        ) : (
          <EntryForm interventions={options} prefill={prefill} initialInsats={initial} />
        )
      ) : null}
    </>
  );
}
