import { useRef, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { MemberInput } from '../../../shared/schemas';
import { api } from '../../api';
import { useAssociation } from '../../association';
import { actionFailure, validate } from '../../errors';
import { keys } from '../../queries';
import { MEMBER_TYPES, type Member, type MemberType } from '../../types';
import { SelectField, TextField } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../../components/ErrorSummary';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import {
  Feedback,
  LoadError,
  Loading,
  useFocusAfterRender,
  type FeedbackMessage,
} from '../../components/Status';
import { TableScroll } from '../../components/TableScroll';
import { NotSet } from '../../components/NotSet';
import { useTitle } from '../../components/useTitle';

/** Add (member undefined) or edit one member. A member's type is fixed once created. */
function MemberForm({
  member,
  onDone,
  onCancel,
}: {
  member?: Member;
  onDone: (m: Member) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const errors = useFormErrors();
  const prefix = member ? 'member-edit' : 'member-add';
  const [type, setType] = useState<MemberType>(member?.type ?? 'municipality');
  const [name, setName] = useState(member?.name ?? '');
  const [code, setCode] = useState(member?.municipalityCode ?? '');
  const [busy, setBusy] = useState(false);
  const ids: Record<string, string> = {
    type: `${prefix}-type`,
    name: `${prefix}-name`,
    municipalityCode: `${prefix}-code`,
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Issue[] = [];
    if (!name.trim()) local.push({ path: 'name', code: 'required' });
    if (type === 'municipality' && !code.trim()) local.push({ path: 'municipalityCode', code: 'required' });
    if (local.length) return errors.report(local);
    const body: MemberInput = { type, name: name.trim() };
    if (type === 'municipality') body.municipalityCode = code.trim();
    const invalid = await validate('member', body);
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      const saved = member ? await api.editMember(slug, member.id, body) : await api.addMember(slug, body);
      errors.clear();
      if (!member) {
        setName('');
        setCode('');
      }
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
        {member ? (
          <p className="field">
            <span className="field-label">{t('members.type')}</span>
            <span>{t(`memberTypes.${member.type}`)}</span>
            <span className="field-hint">{t('members.typeLocked')}</span>
          </p>
        ) : (
          <SelectField
            id={ids.type!}
            label={t('members.type')}
            value={type}
            onValueChange={(v) => setType(v as MemberType)}
            options={MEMBER_TYPES.map((m) => ({ value: m, label: t(`memberTypes.${m}`) }))}
            error={errors.messageFor('type')}
          />
        )}
        <TextField
          id={ids.name!}
          label={t('members.name')}
          hint={type === 'municipality' ? t('members.nameHintMunicipality') : undefined}
          value={name}
          onValueChange={setName}
          error={errors.messageFor('name')}
        />
        {type === 'municipality' ? (
          <TextField
            id={ids.municipalityCode!}
            label={t('members.municipalityCode')}
            hint={t('members.municipalityCodeHint')}
            value={code}
            onValueChange={setCode}
            error={errors.messageFor('municipalityCode')}
            inputMode="numeric"
            maxLength={4}
            className="input--short"
          />
        ) : null}
        <div className="button-row">
          <button type="submit" className="button" disabled={busy}>
            {member ? t('common.save') : t('members.add')}
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

export function MembersPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  useTitle(t('members.title'), scope.name);
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: keys.members(scope.slug), queryFn: () => api.members(scope.slug) });
  const [feedback, setFeedback] = useState<FeedbackMessage | null>(null);
  const [editing, setEditing] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [busy, setBusy] = useState(false);
  const feedbackRef = useRef<HTMLDivElement>(null);
  const editHeadingRef = useRef<HTMLHeadingElement>(null);
  const focusAfterRender = useFocusAfterRender();

  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.association(scope.slug) });
  const tell = (message: FeedbackMessage) => {
    setFeedback(message);
    focusAfterRender(() => feedbackRef.current);
  };

  const remove = async () => {
    if (!removing) return;
    setBusy(true);
    try {
      await api.removeMember(scope.slug, removing.id);
      await refresh();
      tell({ kind: 'success', text: t('members.removed', { name: removing.name }) });
    } catch (err) {
      tell({
        kind: 'error',
        text: t('members.removeFailed', { name: removing.name, reason: actionFailure(t, err) }),
      });
    } finally {
      setBusy(false);
      setRemoving(null);
    }
  };

  return (
    <>
      <h1>{t('members.title')}</h1>
      <Feedback ref={feedbackRef} message={feedback} />
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? (
        <>
          <p className="table-title" id="members-list-caption">
            {t('members.listCaption', { count: q.data.length })}
          </p>
          <TableScroll labelledBy="members-list-caption">
            <table className="table" aria-labelledby="members-list-caption">
              <thead>
                <tr>
                  <th scope="col">{t('members.col.name')}</th>
                  <th scope="col">{t('members.col.type')}</th>
                  <th scope="col">{t('members.col.municipalityCode')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {q.data.map((m) => (
                  <tr key={m.id}>
                    <th scope="row">{m.name}</th>
                    <td>{t(`memberTypes.${m.type}`)}</td>
                    <td>{m.municipalityCode ?? <NotSet />}</td>
                    <td className="actions">
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => {
                          setEditing(m);
                          focusAfterRender(() => editHeadingRef.current);
                        }}
                      >
                        {t('common.edit')}
                        <span className="visually-hidden"> {m.name}</span>
                      </button>
                      {m.type === 'region' || m.type === 'municipality' ? (
                        <button
                          type="button"
                          className="link-button link-button--danger"
                          onClick={() => setRemoving(m)}
                        >
                          {t('common.remove')}
                          <span className="visually-hidden"> {m.name}</span>
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      ) : null}

      {editing ? (
        <section aria-labelledby="member-edit-heading" className="panel">
          <h2 id="member-edit-heading" ref={editHeadingRef} tabIndex={-1}>
            {t('members.editTitle', { name: editing.name })}
          </h2>
          <MemberForm
            key={editing.id}
            member={editing}
            onCancel={() => setEditing(null)}
            onDone={async (m) => {
              setEditing(null);
              await refresh();
              tell({ kind: 'success', text: t('members.updated', { name: m.name }) });
            }}
          />
        </section>
      ) : null}

      <section aria-labelledby="member-add-heading" className="panel">
        <h2 id="member-add-heading">{t('members.addTitle')}</h2>
        <MemberForm
          onDone={async (m) => {
            await refresh();
            tell({ kind: 'success', text: t('members.added', { name: m.name }) });
          }}
        />
      </section>

      <ConfirmDialog
        open={removing !== null}
        title={t('members.confirmTitle')}
        text={t('members.confirmText', { name: removing?.name ?? '' })}
        confirmLabel={t('members.confirm')}
        busy={busy}
        onConfirm={remove}
        onCancel={() => setRemoving(null)}
      />
    </>
  );
}
