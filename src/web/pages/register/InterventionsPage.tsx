/**
 * The association's insatser: name, direction, follow-up, status and organiser, with "mina" for a
 * coordinator; admins add new ones here. Direction, follow-up method and ESF are chosen once.
 */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { DIRECTIONS, FOLLOW_UPS, type Direction, type FollowUp } from '../../../shared/participants';
import { can, useAssociation } from '../../association';
import { SelectField, TextField } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../../components/ErrorSummary';
import { NotSet } from '../../components/NotSet';
import { LoadError, Loading } from '../../components/Status';
import { TableScroll } from '../../components/TableScroll';
import { useTitle } from '../../components/useTitle';
import { registerApi } from './api';
import { AREA, TextArea, validateRegister } from './common';
import { registerKeys, useInterventions, useMembers } from './queries';

function CreateForm() {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const members = useMembers();
  const errors = useFormErrors(AREA);
  const [name, setName] = useState('');
  const [direction, setDirection] = useState<Direction>('individual');
  const [followUp, setFollowUp] = useState<FollowUp>('person');
  const [esf, setEsf] = useState(false);
  const [startDate, setStartDate] = useState('');
  const [endDate, setEndDate] = useState('');
  const [organiser, setOrganiser] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const ids: Record<string, string> = {
    name: 'new-insats-name',
    direction: 'new-insats-direction',
    followUp: 'new-insats-follow-up',
    esf: 'new-insats-esf',
    startDate: 'new-insats-start',
    endDate: 'new-insats-end',
    organiserMemberId: 'new-insats-organiser',
    description: 'new-insats-description',
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Issue[] = [];
    if (!name.trim()) local.push({ path: 'name', code: 'required' });
    if (local.length) return errors.report(local);
    const body = {
      name: name.trim(),
      description: description.trim(),
      direction,
      followUp,
      esf,
      startDate: startDate || null,
      endDate: endDate || null,
      organiserMemberId: organiser || null,
    };
    const invalid = await validateRegister('interventionCreate', body);
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      const created = await registerApi.createIntervention(slug, body);
      errors.clear();
      await queryClient.invalidateQueries({ queryKey: registerKeys.all(slug) });
      navigate(`/a/${slug}/insatser/${created.id}`);
    } catch (err) {
      errors.reportError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ErrorSummary errors={errors} target={(path) => (ids[path] ? { id: ids[path] } : undefined)} />
      <form onSubmit={submit} noValidate className="form">
        <TextField
          id={ids.name!}
          label={t('register.insats.name')}
          autoComplete="off"
          value={name}
          onValueChange={setName}
          error={errors.messageFor('name')}
        />
        <p className="notice" id="new-insats-locked">
          {t('register.insats.lockedOnCreate')}
        </p>
        <SelectField
          id={ids.direction!}
          label={t('register.insats.direction')}
          value={direction}
          onValueChange={(v) => {
            setDirection(v as Direction);
            if (v === 'structural') setFollowUp('count');
          }}
          options={DIRECTIONS.map((d) => ({ value: d, label: t(`register.directions.${d}`) }))}
          error={errors.messageFor('direction')}
        />
        <SelectField
          id={ids.followUp!}
          label={t('register.insats.followUp')}
          value={followUp}
          onValueChange={(v) => setFollowUp(v as FollowUp)}
          options={FOLLOW_UPS.filter((f) => direction === 'individual' || f === 'count').map((f) => ({
            value: f,
            label: t(`register.followUps.${f}`),
          }))}
          error={errors.messageFor('followUp')}
        />
        <div className="field checkbox">
          <input type="checkbox" id={ids.esf} checked={esf} onChange={(e) => setEsf(e.target.checked)} />
          <label htmlFor={ids.esf}>{t('register.insats.esf')}</label>
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
        <TextArea
          id={ids.description!}
          label={t('register.insats.description')}
          value={description}
          onValueChange={setDescription}
          error={errors.messageFor('description')}
        />
        <button type="submit" className="button" disabled={busy}>
          {t('register.insats.create')}
        </button>
      </form>
    </>
  );
}

export function InterventionsPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  useTitle(t('register.insatser.title'), scope.name);
  const q = useInterventions();
  const showMine = q.data?.some((i) => i.mine !== null && i.mine !== undefined) ?? false;
  const mayManage = can(scope, 'interventions.manage');
  return (
    <>
      <h1>{t('register.insatser.title')}</h1>
      <p className="lead">{t('register.insatser.intro')}</p>
      {mayManage ? (
        <ul className="reg-links">
          <li>
            <Link to={`/a/${scope.slug}/insatser/malgrupper`}>{t('register.targetGroups.title')}</Link>
          </li>
        </ul>
      ) : null}
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? (
        q.data.length === 0 ? (
          <p>{t('register.insatser.none')}</p>
        ) : (
          <>
            <p className="table-title" id="insatser-caption">
              {t('register.insatser.caption', { count: q.data.length })}
            </p>
            <TableScroll labelledBy="insatser-caption">
              <table className="table" aria-labelledby="insatser-caption">
                <thead>
                  <tr>
                    <th scope="col">{t('register.insats.name')}</th>
                    <th scope="col">{t('register.insats.direction')}</th>
                    <th scope="col">{t('register.insats.followUp')}</th>
                    <th scope="col">{t('register.insats.status')}</th>
                    <th scope="col">{t('register.insats.organiser')}</th>
                    {showMine ? <th scope="col">{t('register.insatser.mine')}</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {q.data.map((i) => (
                    <tr key={i.id}>
                      <th scope="row">
                        <Link to={`/a/${scope.slug}/insatser/${i.id}`}>{i.name}</Link>
                      </th>
                      <td>{t(`register.directions.${i.direction}`)}</td>
                      <td>{t(`register.followUps.${i.followUp}`)}</td>
                      <td>{t(`register.statuses.${i.status}`)}</td>
                      <td>{i.organiser?.name ?? <NotSet />}</td>
                      {showMine ? (
                        <td>{i.mine ? <strong>{t('register.insatser.mineYes')}</strong> : <NotSet />}</td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </>
        )
      ) : null}
      {mayManage ? (
        <section aria-labelledby="insats-add-heading" className="panel">
          <h2 id="insats-add-heading">{t('register.insats.addTitle')}</h2>
          <CreateForm />
        </section>
      ) : null}
    </>
  );
}
