/**
 * The association's target groups (målgrupper): an editable reference list. A group is never
 * deleted, since participations refer to it; it is made inactive and then no longer offered.
 */
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useAssociation } from '../../association';
import { TextField } from '../../components/Field';
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
import { registerApi } from './api';
import { AREA, validateRegister } from './common';
import { registerKeys, useTargetGroups } from './queries';
import type { TargetGroup } from './types';

function GroupForm({
  group,
  onDone,
  onCancel,
}: {
  group?: TargetGroup;
  onDone: (g: TargetGroup) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const errors = useFormErrors(AREA);
  const prefix = group ? 'group-edit' : 'group-add';
  const [name, setName] = useState(group?.name ?? '');
  const [active, setActive] = useState(group?.active ?? true);
  const [busy, setBusy] = useState(false);
  const ids: Record<string, string> = { name: `${prefix}-name`, active: `${prefix}-active` };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return errors.report([{ path: 'name', code: 'required' }]);
    const body = { name: name.trim(), active };
    const invalid = await validateRegister('targetGroup', body);
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      const saved = group
        ? await registerApi.saveTargetGroup(slug, group.id, body)
        : await registerApi.addTargetGroup(slug, body);
      errors.clear();
      if (!group) setName('');
      onDone(saved);
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
          label={t('register.targetGroups.name')}
          autoComplete="off"
          value={name}
          onValueChange={setName}
          error={errors.messageFor('name')}
        />
        <div className="field checkbox">
          <input
            type="checkbox"
            id={ids.active}
            checked={active}
            onChange={(e) => setActive(e.target.checked)}
            aria-describedby={`${ids.active}-hint`}
          />
          <label htmlFor={ids.active}>{t('register.targetGroups.active')}</label>
          <p className="field-hint checkbox__hint" id={`${ids.active}-hint`}>
            {t('register.targetGroups.activeHint')}
          </p>
        </div>
        <div className="button-row">
          <button type="submit" className="button" disabled={busy}>
            {group ? t('common.save') : t('register.targetGroups.add')}
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

export function TargetGroupsPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  useTitle(t('register.targetGroups.title'), scope.name);
  const queryClient = useQueryClient();
  const q = useTargetGroups();
  const [feedback, setFeedback] = useState<FeedbackMessage | null>(null);
  const [editing, setEditing] = useState<TargetGroup | null>(null);
  const feedbackRef = useRef<HTMLDivElement>(null);
  const focusAfterRender = useFocusAfterRender();

  const done = async (text: string) => {
    await queryClient.invalidateQueries({ queryKey: registerKeys.all(scope.slug) });
    setFeedback({ kind: 'success', text });
    focusAfterRender(() => feedbackRef.current);
  };

  return (
    <>
      <h1>{t('register.targetGroups.title')}</h1>
      <p className="lead">{t('register.targetGroups.intro')}</p>
      <p>
        <Link to={`/a/${scope.slug}/insatser`}>{t('register.insats.backToList')}</Link>
      </p>
      <Feedback ref={feedbackRef} message={feedback} />
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? (
        <>
          <p className="table-title" id="groups-caption">
            {t('register.targetGroups.caption', { count: q.data.length })}
          </p>
          <TableScroll labelledBy="groups-caption">
            <table className="table" aria-labelledby="groups-caption">
              <thead>
                <tr>
                  <th scope="col">{t('register.targetGroups.name')}</th>
                  <th scope="col">{t('register.targetGroups.status')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {q.data.map((g) => (
                  <tr key={g.id}>
                    <th scope="row">{g.name}</th>
                    <td>
                      {g.active ? t('register.targetGroups.isActive') : t('register.targetGroups.isInactive')}
                    </td>
                    <td className="actions">
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => {
                          setEditing(g);
                          setFeedback(null);
                          focusAfterRender(() => document.getElementById('group-edit-heading'));
                        }}
                      >
                        {t('common.edit')}
                        <span className="visually-hidden"> {g.name}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      ) : null}

      {editing ? (
        <section aria-labelledby="group-edit-heading" className="panel">
          <h2 id="group-edit-heading" tabIndex={-1}>
            {t('register.targetGroups.editTitle', { name: editing.name })}
          </h2>
          <GroupForm
            key={editing.id}
            group={editing}
            onCancel={() => setEditing(null)}
            onDone={async (g) => {
              setEditing(null);
              await done(t('register.targetGroups.saved', { name: g.name }));
            }}
          />
        </section>
      ) : null}

      <section aria-labelledby="group-add-heading" className="panel">
        <h2 id="group-add-heading">{t('register.targetGroups.addTitle')}</h2>
        <GroupForm onDone={(g) => void done(t('register.targetGroups.added', { name: g.name }))} />
      </section>
    </>
  );
}
