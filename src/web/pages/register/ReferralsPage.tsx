/**
 * The referral queue (remisser): waiting referrals first, oldest first, with the place in the
 * insats's queue and the days waited; filters by insats and status; a form for a new referral;
 * and the enrolment group's decision. Accepting opens the entry form prefilled from the referral.
 */
import { useRef, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { REFERRAL_STATUSES, type ReferralStatus } from '../../../shared/participants';
import { can, useAssociation } from '../../association';
import { SelectField, TextField } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../../components/ErrorSummary';
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
import { registerApi, type ReferralDecision } from './api';
import { AREA, registerFailure, TextArea, today, validateRegister } from './common';
import { registrableInterventions } from './EntryPage';
import { registerKeys, useInterventions, useMembers } from './queries';
import type { EntryPrefill, Intervention, Referral } from './types';

const DECISIONS = ['accepted', 'waiting', 'declined', 'redirected'] as const;
type Decision = (typeof DECISIONS)[number];

function CreateReferralForm({
  interventions,
  onCreated,
}: {
  interventions: Intervention[];
  onCreated: () => void;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const members = useMembers();
  const errors = useFormErrors(AREA);
  const [interventionId, setInterventionId] = useState(
    interventions.length === 1 ? interventions[0]!.id : '',
  );
  const [member, setMember] = useState('');
  const [role, setRole] = useState('');
  const [date, setDate] = useState(today());
  const [note, setNote] = useState('');
  const [pnr, setPnr] = useState('');
  const [consentDate, setConsentDate] = useState('');
  const [busy, setBusy] = useState(false);
  const ids: Record<string, string> = {
    interventionId: 'referral-insats',
    referringMemberId: 'referral-member',
    referrerRole: 'referral-role',
    referralDate: 'referral-date',
    note: 'referral-note',
    personnummer: 'referral-pnr',
    consentDate: 'referral-consent',
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Issue[] = [];
    if (!interventionId) local.push({ path: 'interventionId', code: 'required' });
    if (!member) local.push({ path: 'referringMemberId', code: 'required' });
    if (!date) local.push({ path: 'referralDate', code: 'required' });
    if (local.length) return errors.report(local);
    const body = {
      interventionId,
      referringMemberId: member,
      referrerRole: role.trim(),
      referralDate: date,
      note: note.trim(),
      personnummer: pnr.trim() || null,
      consentDate: pnr.trim() ? consentDate || null : null,
    };
    const invalid = await validateRegister('referral', body);
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      await registerApi.createReferral(slug, body);
      errors.clear();
      setNote('');
      setPnr('');
      setConsentDate('');
      setRole('');
      onCreated();
    } catch (err) {
      errors.reportError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ErrorSummary errors={errors} target={(path) => (ids[path] ? { id: ids[path] } : undefined)} />
      <form onSubmit={submit} noValidate className="form form--wide reg-form">
        <SelectField
          id={ids.interventionId!}
          label={t('register.referrals.insats')}
          value={interventionId}
          onValueChange={setInterventionId}
          options={[
            { value: '', label: t('register.entry.chooseInsats') },
            ...interventions.map((i) => ({ value: i.id, label: i.name })),
          ]}
          error={errors.messageFor('interventionId')}
        />
        <SelectField
          id={ids.referringMemberId!}
          label={t('register.referrals.member')}
          value={member}
          onValueChange={setMember}
          options={[
            { value: '', label: t('register.referrals.chooseMember') },
            ...(members.data ?? []).map((m) => ({ value: m.id, label: m.name })),
          ]}
          error={errors.messageFor('referringMemberId')}
        />
        <TextField
          id={ids.referrerRole!}
          label={t('register.referrals.role')}
          hint={t('register.referrals.roleHint')}
          autoComplete="off"
          maxLength={200}
          value={role}
          onValueChange={setRole}
          error={errors.messageFor('referrerRole')}
        />
        <TextField
          id={ids.referralDate!}
          label={t('register.referrals.date')}
          type="date"
          max={today()}
          className="input--medium"
          value={date}
          onValueChange={setDate}
          error={errors.messageFor('referralDate')}
        />
        <TextArea
          id={ids.note!}
          label={t('register.referrals.note')}
          hint={t('register.referrals.noteHint')}
          maxLength={500}
          value={note}
          onValueChange={setNote}
          error={errors.messageFor('note')}
          rows={3}
        />
        <fieldset className="reg-fieldset">
          <legend>{t('register.referrals.identityLegend')}</legend>
          <p className="field-hint">{t('register.referrals.identityHint')}</p>
          <div className="reg-row">
            <TextField
              id={ids.personnummer!}
              label={t('register.referrals.personnummer')}
              hint={t('register.entry.personnummerHint')}
              inputMode="numeric"
              autoComplete="off"
              spellCheck={false}
              maxLength={13}
              className="input--medium"
              value={pnr}
              onValueChange={setPnr}
              error={errors.messageFor('personnummer')}
            />
            <TextField
              id={ids.consentDate!}
              label={t('register.referrals.consentDate')}
              hint={t('register.referrals.consentDateHint')}
              type="date"
              max={today()}
              className="input--medium"
              value={consentDate}
              onValueChange={setConsentDate}
              error={errors.messageFor('consentDate')}
            />
          </div>
        </fieldset>
        <button type="submit" className="button" disabled={busy}>
          {t('register.referrals.create')}
        </button>
      </form>
    </>
  );
}

function DecisionForm({
  referral,
  interventions,
  onDecided,
  onCancel,
}: {
  referral: Referral;
  interventions: Intervention[];
  onDecided: (decision: Decision, prefill: EntryPrefill | null) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const errors = useFormErrors(AREA);
  const [decision, setDecision] = useState<Decision | ''>('');
  const [date, setDate] = useState(today());
  const [reason, setReason] = useState('');
  const [redirectTo, setRedirectTo] = useState('');
  const [busy, setBusy] = useState(false);
  const ids: Record<string, string> = {
    decision: 'decision-accepted',
    date: 'decision-date',
    reason: 'decision-reason',
    redirectToInterventionId: 'decision-redirect',
  };
  const others = interventions.filter((i) => i.id !== referral.intervention.id);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Issue[] = [];
    if (!decision) local.push({ path: 'decision', code: 'required' });
    if (!date) local.push({ path: 'date', code: 'required' });
    if (local.length) return errors.report(local);
    const body: ReferralDecision = {
      decision: decision as Decision,
      date,
      reason: reason.trim(),
      redirectToInterventionId: decision === 'redirected' ? redirectTo || null : null,
    };
    const invalid = await validateRegister('decision', body);
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      const result = await registerApi.decideReferral(slug, referral.id, body);
      errors.clear();
      onDecided(decision as Decision, result.prefill);
    } catch (err) {
      errors.reportError(err);
    } finally {
      setBusy(false);
    }
  };

  const decisionError = errors.messageFor('decision');
  return (
    <>
      <ErrorSummary errors={errors} target={(path) => (ids[path] ? { id: ids[path] } : undefined)} />
      <form onSubmit={submit} noValidate className="form form--wide reg-form">
        <fieldset
          className={decisionError ? 'reg-fieldset reg-fieldset--error' : 'reg-fieldset'}
          aria-describedby={decisionError ? 'decision-error' : undefined}
        >
          <legend>{t('register.decision.legend')}</legend>
          {decisionError ? (
            <p className="field-error" id="decision-error">
              <span className="visually-hidden">{t('common.errorPrefix')} </span>
              {decisionError}
            </p>
          ) : null}
          <ul className="checkbox-list">
            {DECISIONS.map((d) => (
              <li key={d} className="checkbox">
                <input
                  type="radio"
                  id={`decision-${d}`}
                  name="decision"
                  value={d}
                  checked={decision === d}
                  onChange={() => setDecision(d)}
                />
                <label htmlFor={`decision-${d}`}>{t(`register.decision.options.${d}`)}</label>
              </li>
            ))}
          </ul>
        </fieldset>
        {decision === 'redirected' ? (
          <SelectField
            id={ids.redirectToInterventionId!}
            label={t('register.decision.redirectTo')}
            value={redirectTo}
            onValueChange={setRedirectTo}
            options={[
              { value: '', label: t('register.entry.chooseInsats') },
              ...others.map((i) => ({ value: i.id, label: i.name })),
            ]}
            error={errors.messageFor('redirectToInterventionId')}
          />
        ) : null}
        <TextField
          id={ids.date!}
          label={t('register.decision.date')}
          type="date"
          min={referral.referralDate}
          className="input--medium"
          value={date}
          onValueChange={setDate}
          error={errors.messageFor('date')}
        />
        <TextArea
          id={ids.reason!}
          label={
            decision === 'declined' ? t('register.decision.reasonRequired') : t('register.decision.reason')
          }
          maxLength={500}
          rows={3}
          value={reason}
          onValueChange={setReason}
          error={errors.messageFor('reason')}
        />
        <div className="button-row">
          <button type="submit" className="button" disabled={busy}>
            {decision === 'accepted' ? t('register.decision.acceptAndEnter') : t('register.decision.save')}
          </button>
          <button type="button" className="button button--secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </>
  );
}

function ReferralRows({
  items,
  mayWrite,
  onDecide,
  onEnter,
}: {
  items: Referral[];
  mayWrite: boolean;
  onDecide: (r: Referral) => void;
  onEnter: (r: Referral) => void;
}) {
  const { t } = useTranslation();
  return (
    <TableScroll labelledBy="referrals-caption">
      <table className="table" aria-labelledby="referrals-caption">
        <thead>
          <tr>
            <th scope="col" className="num">
              {t('register.referrals.col.position')}
            </th>
            <th scope="col">{t('register.referrals.col.insats')}</th>
            <th scope="col">{t('register.referrals.col.date')}</th>
            <th scope="col" className="num">
              {t('register.referrals.col.days')}
            </th>
            <th scope="col">{t('register.referrals.col.referrer')}</th>
            <th scope="col">{t('register.referrals.col.person')}</th>
            <th scope="col">{t('register.referrals.col.status')}</th>
            <th scope="col">{t('register.referrals.col.note')}</th>
            {mayWrite ? <th scope="col">{t('common.actions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {items.map((r) => {
            const label = t('register.referrals.rowName', {
              insats: r.intervention.name,
              date: r.referralDate,
            });
            const open = r.participationId === null && r.status !== 'redirected';
            return (
              <tr key={r.id}>
                <td className="num">{r.queuePosition ?? <NotSet />}</td>
                <th scope="row">{r.intervention.name}</th>
                <td className="nowrap">{r.referralDate}</td>
                <td className="num">{r.daysWaited ?? <NotSet />}</td>
                <td>
                  {r.referringMember.name}
                  {r.referrerRole ? <span className="muted reg-block">{r.referrerRole}</span> : null}
                </td>
                <td className="nowrap">{r.personnummer ?? t('register.referrals.noIdentity')}</td>
                <td>
                  {t(`register.referralStatuses.${r.status}`)}
                  {r.decidedAt ? <span className="muted reg-block">{r.decidedAt}</span> : null}
                  {r.participationId ? (
                    <span className="muted reg-block">{t('register.referrals.entered')}</span>
                  ) : null}
                  {r.decisionReason ? <span className="reg-block">{r.decisionReason}</span> : null}
                </td>
                <td className="reg-note">{r.note || <NotSet />}</td>
                {mayWrite ? (
                  <td className="actions">
                    {open ? (
                      <button type="button" className="link-button" onClick={() => onDecide(r)}>
                        {t('register.referrals.decide')}
                        <span className="visually-hidden"> {label}</span>
                      </button>
                    ) : null}
                    {open && r.status === 'accepted' ? (
                      <button type="button" className="link-button" onClick={() => onEnter(r)}>
                        {t('register.referrals.enter')}
                        <span className="visually-hidden"> {label}</span>
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function ReferralsPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const { slug } = scope;
  useTitle(t('register.referrals.title'), scope.name);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const focusAfterRender = useFocusAfterRender();
  const feedbackRef = useRef<HTMLDivElement>(null);
  const [feedback, setFeedback] = useState<FeedbackMessage | null>(null);
  const [params, setParams] = useSearchParams();
  const interventions = useInterventions();
  const statusParam = params.get('status');
  const status: ReferralStatus | 'all' =
    statusParam === 'all' || REFERRAL_STATUSES.includes(statusParam as ReferralStatus)
      ? (statusParam as ReferralStatus | 'all')
      : 'waiting';
  const insats = params.get('insats') ?? '';
  const filter = { interventionId: insats || undefined, status: status === 'all' ? undefined : status };
  const q = useQuery({
    queryKey: registerKeys.referrals(slug, filter),
    queryFn: () => registerApi.referrals(slug, filter),
  });
  const [choiceInsats, setChoiceInsats] = useState(insats);
  const [choiceStatus, setChoiceStatus] = useState<string>(status);
  const [deciding, setDeciding] = useState<Referral | null>(null);
  const mayWrite = can(scope, 'participants.write');
  const options = interventions.data ? registrableInterventions(interventions.data) : [];
  const visible = interventions.data?.filter((i) => i.direction === 'individual' && i.mine !== false) ?? [];

  const tell = (message: FeedbackMessage) => {
    setFeedback(message);
    focusAfterRender(() => feedbackRef.current);
  };
  const refresh = () => queryClient.invalidateQueries({ queryKey: registerKeys.all(slug) });
  const toEntry = (prefill: EntryPrefill) =>
    navigate(`/a/${slug}/deltagare/ny?insats=${prefill.interventionId}`, { state: { prefill } });

  const enter = async (r: Referral) => {
    // The accepted referral's prefill comes with a decision; repeating the acceptance gives it again.
    try {
      const result = await registerApi.decideReferral(slug, r.id, {
        decision: 'accepted',
        date: r.decidedAt ?? today(),
        reason: r.decisionReason,
        redirectToInterventionId: null,
      });
      if (result.prefill) toEntry(result.prefill);
    } catch (err) {
      tell({ kind: 'error', text: registerFailure(t, err) });
    }
  };

  return (
    <>
      <h1>{t('register.referrals.title')}</h1>
      <p className="lead">{t('register.referrals.intro')}</p>
      <Feedback ref={feedbackRef} message={feedback} />
      <form
        className="reg-filters"
        onSubmit={(e) => {
          e.preventDefault();
          const next: Record<string, string> = { status: choiceStatus };
          if (choiceInsats) next.insats = choiceInsats;
          setParams(next);
        }}
        aria-label={t('register.referrals.filterLabel')}
      >
        <SelectField
          id="referral-filter-insats"
          label={t('register.referrals.insats')}
          value={choiceInsats}
          onValueChange={setChoiceInsats}
          options={[
            { value: '', label: t('register.referrals.allInsatser') },
            ...visible.map((i) => ({ value: i.id, label: i.name })),
          ]}
        />
        <SelectField
          id="referral-filter-status"
          label={t('register.referrals.status')}
          value={choiceStatus}
          onValueChange={setChoiceStatus}
          options={[
            ...REFERRAL_STATUSES.map((s) => ({ value: s, label: t(`register.referralStatusesPlural.${s}`) })),
            { value: 'all', label: t('register.referrals.allStatuses') },
          ]}
        />
        <div className="reg-filters__submit">
          <button type="submit" className="button button--secondary">
            {t('register.participants.show')}
          </button>
        </div>
      </form>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? (
        q.data.length === 0 ? (
          <p>{t('register.referrals.none')}</p>
        ) : (
          <>
            <p className="table-title" id="referrals-caption">
              {t('register.referrals.caption', { count: q.data.length })}
            </p>
            <ReferralRows
              items={q.data}
              mayWrite={mayWrite}
              onDecide={(r) => {
                setDeciding(r);
                setFeedback(null);
                focusAfterRender(() => document.getElementById('decision-heading'));
              }}
              onEnter={(r) => void enter(r)}
            />
          </>
        )
      ) : null}

      {deciding ? (
        <section aria-labelledby="decision-heading" className="panel">
          <h2 id="decision-heading" tabIndex={-1}>
            {t('register.decision.title', {
              insats: deciding.intervention.name,
              date: deciding.referralDate,
            })}
          </h2>
          <p>
            {t('register.decision.about', {
              member: deciding.referringMember.name,
              person: deciding.personnummer ?? t('register.referrals.noIdentity'),
            })}
          </p>
          <DecisionForm
            key={deciding.id}
            referral={deciding}
            interventions={options}
            onCancel={() => setDeciding(null)}
            onDecided={async (decision, prefill) => {
              setDeciding(null);
              await refresh();
              if (decision === 'accepted' && prefill) return toEntry(prefill);
              tell({ kind: 'success', text: t(`register.decision.saved.${decision}`) });
            }}
          />
        </section>
      ) : null}

      {mayWrite ? (
        <section aria-labelledby="referral-add-heading" className="panel">
          <h2 id="referral-add-heading">{t('register.referrals.addTitle')}</h2>
          {options.length === 0 ? (
            <p>{t('register.entry.noInsatser')}</p>
          ) : (
            <CreateReferralForm
              interventions={options}
              onCreated={async () => {
                await refresh();
                tell({ kind: 'success', text: t('register.referrals.created') });
              }}
            />
          )}
        </section>
      ) : null}
    </>
  );
}
