/**
 * One insats: every field, the status history, target groups and coordinators. Admins edit it
 * here (direction, follow-up and ESF are shown read-only: they are locked once created), move it
 * along its lifecycle with a date, and assign coordinators.
 */
import { useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { STATUS_TRANSITIONS, type InterventionStatus } from '../../../shared/participants';
import { api } from '../../api';
import { can, useAssociation } from '../../association';
import { SelectField, TextField } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../../components/ErrorSummary';
import {
  Feedback,
  LoadError,
  Loading,
  useFocusAfterRender,
  type FeedbackMessage,
} from '../../components/Status';
import { TableScroll } from '../../components/TableScroll';
import { useTitle } from '../../components/useTitle';
import { formatDateTime } from '../../format';
import { keys } from '../../queries';
import { registerApi } from './api';
import {
  AREA,
  CheckboxGroup,
  Facts,
  messageUnder,
  parseWhole,
  TextArea,
  today,
  validateRegister,
} from './common';
import { registerKeys, useInterventions, useMembers, useTargetGroups } from './queries';
import type { InterventionDetail } from './types';

function EditForm({
  intervention: i,
  onSaved,
  onCancel,
}: {
  intervention: InterventionDetail;
  onSaved: (saved: InterventionDetail) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const members = useMembers();
  const groups = useTargetGroups();
  const users = useQuery({ queryKey: keys.users(slug), queryFn: () => api.users(slug) });
  const errors = useFormErrors(AREA);
  const [name, setName] = useState(i.name);
  const [description, setDescription] = useState(i.description);
  const [startDate, setStartDate] = useState(i.startDate ?? '');
  const [endDate, setEndDate] = useState(i.endDate ?? '');
  const [organiser, setOrganiser] = useState(i.organiser?.id ?? '');
  const [targetGroupIds, setTargetGroupIds] = useState(i.targetGroups.map((g) => g.id));
  const [responsible, setResponsible] = useState(i.responsible.map((u) => u.id));
  const [planned, setPlanned] = useState(i.plannedParticipants === null ? '' : String(i.plannedParticipants));
  const [notes, setNotes] = useState(i.notes);
  const [busy, setBusy] = useState(false);
  const ids: Record<string, string> = {
    name: 'edit-insats-name',
    description: 'edit-insats-description',
    startDate: 'edit-insats-start',
    endDate: 'edit-insats-end',
    organiserMemberId: 'edit-insats-organiser',
    targetGroupIds: 'edit-insats-groups',
    responsibleUserIds: 'edit-insats-responsible',
    plannedParticipants: 'edit-insats-planned',
    notes: 'edit-insats-notes',
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Issue[] = [];
    if (!name.trim()) local.push({ path: 'name', code: 'required' });
    const plannedValue = planned.trim() === '' ? null : parseWhole(planned);
    if (planned.trim() !== '' && plannedValue === null)
      local.push({ path: 'plannedParticipants', code: 'whole_number' });
    if (local.length) return errors.report(local);
    const body = {
      name: name.trim(),
      description: description.trim(),
      startDate: startDate || null,
      endDate: endDate || null,
      organiserMemberId: organiser || null,
      targetGroupIds,
      responsibleUserIds: responsible,
      plannedParticipants: plannedValue,
      notes: notes.trim(),
    };
    const invalid = await validateRegister('interventionUpdate', body);
    if (invalid.length) return errors.report(invalid);
    if (body.startDate && body.endDate && body.endDate < body.startDate)
      return errors.report([{ path: 'endDate', code: 'before_start' }]);
    setBusy(true);
    try {
      const saved = await registerApi.updateIntervention(slug, i.id, body);
      errors.clear();
      onSaved(saved);
    } catch (err) {
      errors.reportError(err);
    } finally {
      setBusy(false);
    }
  };

  const activeGroups = (groups.data ?? []).filter((g) => g.active || targetGroupIds.includes(g.id));

  return (
    <>
      <ErrorSummary
        errors={errors}
        target={(path) => {
          const field = path.split('.')[0]!;
          return ids[field] ? { id: ids[field] } : undefined;
        }}
      />
      <form onSubmit={submit} noValidate className="form form--wide">
        <TextField
          id={ids.name!}
          label={t('register.insats.name')}
          autoComplete="off"
          value={name}
          onValueChange={setName}
          error={errors.messageFor('name')}
        />
        <div className="reg-locked" role="group" aria-labelledby="locked-heading">
          <h3 id="locked-heading">{t('register.insats.lockedTitle')}</h3>
          <p className="field-hint">{t('register.insats.lockedText')}</p>
          <Facts
            items={[
              [t('register.insats.direction'), t(`register.directions.${i.direction}`)],
              [t('register.insats.followUp'), t(`register.followUps.${i.followUp}`)],
              [t('register.insats.esf'), i.esf ? t('register.common.yes') : t('register.common.no')],
            ]}
          />
        </div>
        <div className="reg-row">
          <TextField
            id={ids.startDate!}
            label={t('register.insats.startDate')}
            type="date"
            className="input--medium"
            value={startDate}
            onValueChange={setStartDate}
            error={errors.messageFor('startDate')}
          />
          <TextField
            id={ids.endDate!}
            label={t('register.insats.endDate')}
            type="date"
            className="input--medium"
            value={endDate}
            onValueChange={setEndDate}
            error={errors.messageFor('endDate')}
          />
        </div>
        <SelectField
          id={ids.organiserMemberId!}
          label={t('register.insats.organiser')}
          value={organiser}
          onValueChange={setOrganiser}
          options={[
            { value: '', label: t('register.common.notGiven') },
            ...(members.data ?? []).map((m) => ({ value: m.id, label: m.name })),
          ]}
          error={errors.messageFor('organiserMemberId')}
        />
        {activeGroups.length ? (
          <CheckboxGroup
            id={ids.targetGroupIds!}
            legend={t('register.insats.targetGroups')}
            options={activeGroups.map((g) => ({ value: g.id, label: g.name }))}
            value={targetGroupIds}
            onChange={setTargetGroupIds}
            error={messageUnder(errors, 'targetGroupIds')}
          />
        ) : null}
        {users.data?.length ? (
          <CheckboxGroup
            id={ids.responsibleUserIds!}
            legend={t('register.insats.responsible')}
            hint={t('register.insats.responsibleHint')}
            options={users.data.map((u) => ({ value: u.id, label: u.name }))}
            value={responsible}
            onChange={setResponsible}
            error={messageUnder(errors, 'responsibleUserIds')}
          />
        ) : null}
        <TextField
          id={ids.plannedParticipants!}
          label={t('register.insats.planned')}
          inputMode="numeric"
          className="input--short"
          value={planned}
          onValueChange={setPlanned}
          error={errors.messageFor('plannedParticipants')}
        />
        <TextArea
          id={ids.description!}
          label={t('register.insats.description')}
          value={description}
          onValueChange={setDescription}
          error={errors.messageFor('description')}
        />
        <TextArea
          id={ids.notes!}
          label={t('register.insats.notes')}
          value={notes}
          onValueChange={setNotes}
          error={errors.messageFor('notes')}
          rows={3}
        />
        <div className="button-row">
          <button type="submit" className="button" disabled={busy}>
            {t('common.save')}
          </button>
          <button type="button" className="button button--secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </>
  );
}

function StatusForm({
  intervention: i,
  onSaved,
}: {
  intervention: InterventionDetail;
  onSaved: (saved: InterventionDetail) => void;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const errors = useFormErrors(AREA);
  const next = STATUS_TRANSITIONS[i.status];
  const [status, setStatus] = useState<InterventionStatus | ''>(next[0] ?? '');
  const [date, setDate] = useState(today());
  const [busy, setBusy] = useState(false);
  const ids: Record<string, string> = { status: 'status-new', date: 'status-date' };
  if (next.length === 0) return <p>{t('register.insats.statusFinal')}</p>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Issue[] = [];
    if (!status) local.push({ path: 'status', code: 'required' });
    if (!date) local.push({ path: 'date', code: 'required' });
    if (local.length) return errors.report(local);
    const invalid = await validateRegister('status', { status, date });
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      const saved = await registerApi.changeStatus(slug, i.id, status as InterventionStatus, date);
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
      <form onSubmit={submit} noValidate className="reg-filters">
        <SelectField
          id={ids.status!}
          label={t('register.insats.newStatus')}
          value={status}
          onValueChange={(v) => setStatus(v as InterventionStatus)}
          options={next.map((s) => ({ value: s, label: t(`register.statuses.${s}`) }))}
          error={errors.messageFor('status')}
        />
        <TextField
          id={ids.date!}
          label={t('register.insats.statusDate')}
          type="date"
          value={date}
          onValueChange={setDate}
          error={errors.messageFor('date')}
        />
        <div className="reg-filters__submit">
          <button type="submit" className="button" disabled={busy}>
            {t('register.insats.changeStatus')}
          </button>
        </div>
      </form>
    </>
  );
}

function CoordinatorsForm({
  intervention: i,
  onSaved,
}: {
  intervention: InterventionDetail;
  onSaved: (saved: InterventionDetail) => void;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const users = useQuery({ queryKey: keys.users(slug), queryFn: () => api.users(slug) });
  const errors = useFormErrors(AREA);
  const [chosen, setChosen] = useState(i.coordinators.map((c) => c.id));
  const [busy, setBusy] = useState(false);
  if (users.isPending) return <Loading />;
  if (users.isError) return <LoadError error={users.error} retry={() => void users.refetch()} />;
  const coordinators = users.data.filter((u) => u.role === 'coordinator');
  if (coordinators.length === 0) return <p>{t('register.insats.noCoordinatorUsers')}</p>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const saved = await registerApi.setCoordinators(slug, i.id, chosen);
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
      <ErrorSummary errors={errors} target={() => ({ id: 'coordinators' })} />
      <form onSubmit={submit} noValidate className="form">
        <CheckboxGroup
          id="coordinators"
          legend={t('register.insats.coordinatorsLegend')}
          hint={t('register.insats.coordinatorsHint')}
          options={coordinators.map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))}
          value={chosen}
          onChange={setChosen}
          error={messageUnder(errors, 'userIds')}
        />
        <button type="submit" className="button" disabled={busy}>
          {t('register.insats.saveCoordinators')}
        </button>
      </form>
    </>
  );
}

function InterventionView({ intervention: i }: { intervention: InterventionDetail }) {
  const { t } = useTranslation();
  const scope = useAssociation();
  const { slug } = scope;
  const queryClient = useQueryClient();
  const list = useInterventions();
  const focusAfterRender = useFocusAfterRender();
  const feedbackRef = useRef<HTMLDivElement>(null);
  const [feedback, setFeedback] = useState<FeedbackMessage | null>(null);
  const [editing, setEditing] = useState(false);
  const mayManage = can(scope, 'interventions.manage');
  const mine = list.data?.find((x) => x.id === i.id)?.mine;
  const personLevel = i.direction === 'individual';
  const seesPeople = can(scope, 'participants.read') && mine !== false && personLevel;

  const saved = (s: InterventionDetail, text: string) => {
    queryClient.setQueryData(registerKeys.intervention(slug, i.id), s);
    void queryClient.invalidateQueries({ queryKey: registerKeys.interventions(slug) });
    setEditing(false);
    setFeedback({ kind: 'success', text });
    focusAfterRender(() => feedbackRef.current);
  };

  return (
    <>
      <Feedback ref={feedbackRef} message={feedback} />
      <ul className="reg-links">
        <li>
          <Link to={`/a/${slug}/insatser`}>{t('register.insats.backToList')}</Link>
        </li>
        {seesPeople ? (
          <li>
            <Link to={`/a/${slug}/insatser/${i.id}/deltagare`}>{t('register.insats.participants')}</Link>
          </li>
        ) : null}
        {seesPeople && i.followUp === 'person' && can(scope, 'participants.write') ? (
          <li>
            <Link to={`/a/${slug}/deltagare/ny?insats=${i.id}`}>{t('register.participants.register')}</Link>
          </li>
        ) : null}
      </ul>
      <Facts
        label={t('register.insats.factsLabel')}
        items={[
          [
            t('register.insats.status'),
            t('register.insats.statusSince', {
              status: t(`register.statuses.${i.status}`),
              date: i.statusDate,
            }),
          ],
          [t('register.insats.direction'), t(`register.directions.${i.direction}`)],
          [t('register.insats.followUp'), t(`register.followUps.${i.followUp}`)],
          [t('register.insats.esf'), i.esf ? t('register.common.yes') : t('register.common.no')],
          [t('register.insats.startDate'), i.startDate],
          [t('register.insats.endDate'), i.endDate],
          [t('register.insats.organiser'), i.organiser?.name ?? null],
          [
            t('register.insats.planned'),
            i.plannedParticipants === null ? null : String(i.plannedParticipants),
          ],
          [t('register.insats.targetGroups'), i.targetGroups.map((g) => g.name).join(', ')],
          [t('register.insats.responsible'), i.responsible.map((u) => u.name).join(', ')],
          [t('register.insats.coordinators'), i.coordinators.map((u) => u.name).join(', ')],
        ]}
      />
      {i.description ? (
        <section aria-labelledby="description-heading">
          <h2 id="description-heading">{t('register.insats.description')}</h2>
          <p className="reg-prose">{i.description}</p>
        </section>
      ) : null}
      {i.notes ? (
        <section aria-labelledby="notes-heading">
          <h2 id="notes-heading">{t('register.insats.notes')}</h2>
          <p className="reg-prose">{i.notes}</p>
        </section>
      ) : null}

      {mayManage ? (
        editing ? (
          <section aria-labelledby="edit-heading" className="panel">
            <h2 id="edit-heading" tabIndex={-1}>
              {t('register.insats.editTitle')}
            </h2>
            <EditForm
              intervention={i}
              onCancel={() => setEditing(false)}
              onSaved={(s) => saved(s, t('register.insats.saved', { name: s.name }))}
            />
          </section>
        ) : (
          <p>
            <button
              type="button"
              className="button button--secondary"
              onClick={() => {
                setEditing(true);
                setFeedback(null);
                focusAfterRender(() => document.getElementById('edit-heading'));
              }}
            >
              {t('register.insats.edit')}
            </button>
          </p>
        )
      ) : null}

      <section aria-labelledby="status-heading" className="panel">
        <h2 id="status-heading">{t('register.insats.statusHistory')}</h2>
        <p className="table-title visually-hidden" id="status-caption">
          {t('register.insats.statusHistoryCaption', { name: i.name })}
        </p>
        <TableScroll labelledBy="status-caption">
          <table className="table" aria-labelledby="status-caption">
            <thead>
              <tr>
                <th scope="col">{t('register.insats.status')}</th>
                <th scope="col">{t('register.insats.statusDate')}</th>
                <th scope="col">{t('register.insats.changedBy')}</th>
                <th scope="col">{t('register.insats.changedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {i.statusHistory.map((h, n) => (
                <tr key={n}>
                  <td>{t(`register.statuses.${h.status}`)}</td>
                  <td className="nowrap">{h.date}</td>
                  <td>{h.changedBy ?? t('register.history.unknown')}</td>
                  <td className="nowrap">
                    <time dateTime={h.changedAt}>{formatDateTime(h.changedAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        {mayManage ? (
          <>
            <h3>{t('register.insats.changeStatusTitle')}</h3>
            <StatusForm
              key={i.status}
              intervention={i}
              onSaved={(s) =>
                saved(s, t('register.insats.statusChanged', { status: t(`register.statuses.${s.status}`) }))
              }
            />
          </>
        ) : null}
      </section>

      {mayManage && personLevel ? (
        <section aria-labelledby="coordinators-heading" className="panel">
          <h2 id="coordinators-heading">{t('register.insats.coordinators')}</h2>
          <CoordinatorsForm
            key={i.coordinators.map((c) => c.id).join()}
            intervention={i}
            onSaved={(s) => saved(s, t('register.insats.coordinatorsSaved'))}
          />
        </section>
      ) : null}
    </>
  );
}

export function InterventionPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const { id = '' } = useParams();
  const q = useQuery({
    queryKey: registerKeys.intervention(scope.slug, id),
    queryFn: () => registerApi.intervention(scope.slug, id),
  });
  useTitle(q.data?.name ?? t('register.insats.title'), scope.name);
  return (
    <>
      <h1>{q.data?.name ?? t('register.insats.title')}</h1>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? <InterventionView intervention={q.data} /> : null}
    </>
  );
}
