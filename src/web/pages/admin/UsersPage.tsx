import { useRef, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ASSOCIATION_ROLES } from '../../../shared/roles';
import { api } from '../../api';
import { useAssociation } from '../../association';
import { actionFailure, validate } from '../../errors';
import { keys, useSession } from '../../queries';
import type { AssociationRole, AssociationUser, CreatedUser } from '../../types';
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
import { useTitle } from '../../components/useTitle';

function useRoleOptions() {
  const { t } = useTranslation();
  return ASSOCIATION_ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }));
}

function AddUserForm({ onCreated }: { onCreated: (created: CreatedUser) => void }) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const roleOptions = useRoleOptions();
  const errors = useFormErrors();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<AssociationRole>('coordinator');
  const [busy, setBusy] = useState(false);
  const ids: Record<string, string> = {
    email: 'user-add-email',
    name: 'user-add-name',
    role: 'user-add-role',
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Issue[] = [];
    if (!email.trim()) local.push({ path: 'email', code: 'required' });
    if (!name.trim()) local.push({ path: 'name', code: 'required' });
    if (local.length) return errors.report(local);
    const body = { email: email.trim(), name: name.trim(), role };
    const invalid = await validate('userCreate', body);
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      const created = await api.addUser(slug, body);
      errors.clear();
      setEmail('');
      setName('');
      setRole('coordinator');
      onCreated(created);
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
          id={ids.email!}
          label={t('users.email')}
          type="email"
          autoComplete="off"
          spellCheck={false}
          value={email}
          onValueChange={setEmail}
          error={errors.messageFor('email')}
        />
        <TextField
          id={ids.name!}
          label={t('users.name')}
          autoComplete="off"
          value={name}
          onValueChange={setName}
          error={errors.messageFor('name')}
        />
        <SelectField
          id={ids.role!}
          label={t('users.role')}
          value={role}
          onValueChange={(v) => setRole(v as AssociationRole)}
          options={roleOptions}
          error={errors.messageFor('role')}
        />
        <button type="submit" className="button" disabled={busy}>
          {t('users.add')}
        </button>
      </form>
    </>
  );
}

function EditUserForm({
  user,
  onDone,
  onCancel,
}: {
  user: AssociationUser;
  onDone: (u: AssociationUser) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const roleOptions = useRoleOptions();
  const errors = useFormErrors();
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<AssociationRole>(user.role);
  const [busy, setBusy] = useState(false);
  const ids: Record<string, string> = { name: 'user-edit-name', role: 'user-edit-role' };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return errors.report([{ path: 'name', code: 'required' }]);
    const body = { name: name.trim(), role };
    const invalid = await validate('userUpdate', body);
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      const saved = await api.editUser(slug, user.id, body);
      errors.clear();
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
        <p className="field">
          <span className="field-label">{t('users.email')}</span>
          <span>{user.email}</span>
        </p>
        <TextField
          id={ids.name!}
          label={t('users.name')}
          value={name}
          onValueChange={setName}
          error={errors.messageFor('name')}
        />
        <SelectField
          id={ids.role!}
          label={t('users.role')}
          value={role}
          onValueChange={(v) => setRole(v as AssociationRole)}
          options={roleOptions}
          error={errors.messageFor('role')}
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

/** The one time the generated password is shown. It is never stored in the browser. */
function OneTimePassword({ created, onDismiss }: { created: CreatedUser; onDismiss: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="notice notice--important" aria-labelledby="otp-heading">
      <h2 id="otp-heading" tabIndex={-1}>
        {created.oneTimePassword
          ? t('users.otpTitle', { email: created.user.email })
          : t('users.existingTitle')}
      </h2>
      {created.oneTimePassword ? (
        <>
          <p>
            {t('users.otpLabel')}{' '}
            <code className="otp" translate="no">
              {created.oneTimePassword}
            </code>
          </p>
          <p>{t('users.otpText')}</p>
        </>
      ) : (
        <p>{t('users.existingText', { email: created.user.email })}</p>
      )}
      <button type="button" className="button button--secondary" onClick={onDismiss}>
        {created.oneTimePassword ? t('users.otpDismiss') : t('common.close')}
      </button>
    </section>
  );
}

export function UsersPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const session = useSession();
  useTitle(t('users.title'), scope.name);
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: keys.users(scope.slug), queryFn: () => api.users(scope.slug) });
  const [feedback, setFeedback] = useState<FeedbackMessage | null>(null);
  const [created, setCreated] = useState<CreatedUser | null>(null);
  const [editing, setEditing] = useState<AssociationUser | null>(null);
  const [removing, setRemoving] = useState<AssociationUser | null>(null);
  const [busy, setBusy] = useState(false);
  const feedbackRef = useRef<HTMLDivElement>(null);
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
      await api.removeUser(scope.slug, removing.id);
      await refresh();
      // Removing oneself ends one's access here; the session then no longer lists the association.
      if (removing.id === session.user.id) await queryClient.invalidateQueries({ queryKey: keys.session });
      tell({ kind: 'success', text: t('users.removed', { name: removing.name }) });
    } catch (err) {
      tell({
        kind: 'error',
        text: t('users.removeFailed', { name: removing.name, reason: actionFailure(t, err) }),
      });
    } finally {
      setBusy(false);
      setRemoving(null);
    }
  };

  return (
    <>
      <h1>{t('users.title')}</h1>
      <Feedback ref={feedbackRef} message={feedback} />
      {created ? (
        <OneTimePassword
          created={created}
          onDismiss={() => {
            setCreated(null);
            focusAfterRender(() => document.getElementById('user-add-heading'));
          }}
        />
      ) : null}
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? (
        <>
          <p className="table-title" id="users-list-caption">
            {t('users.listCaption', { count: q.data.length })}
          </p>
          <TableScroll labelledBy="users-list-caption">
            <table className="table" aria-labelledby="users-list-caption">
              <thead>
                <tr>
                  <th scope="col">{t('users.col.name')}</th>
                  <th scope="col">{t('users.col.email')}</th>
                  <th scope="col">{t('users.col.role')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {q.data.map((u) => (
                  <tr key={u.id}>
                    <th scope="row">
                      {u.name}
                      {u.id === session.user.id ? <span className="muted"> {t('users.you')}</span> : null}
                    </th>
                    <td>{u.email}</td>
                    <td>{t(`roles.${u.role}`)}</td>
                    <td className="actions">
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => {
                          setEditing(u);
                          focusAfterRender(() => document.getElementById('user-edit-heading'));
                        }}
                      >
                        {t('common.edit')}
                        <span className="visually-hidden"> {u.name}</span>
                      </button>
                      <button
                        type="button"
                        className="link-button link-button--danger"
                        onClick={() => setRemoving(u)}
                      >
                        {t('common.remove')}
                        <span className="visually-hidden"> {u.name}</span>
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
        <section aria-labelledby="user-edit-heading" className="panel">
          <h2 id="user-edit-heading" tabIndex={-1}>
            {t('users.editTitle', { name: editing.name })}
          </h2>
          <EditUserForm
            key={editing.id}
            user={editing}
            onCancel={() => setEditing(null)}
            onDone={async (u) => {
              setEditing(null);
              await refresh();
              tell({ kind: 'success', text: t('users.updated', { name: u.name }) });
            }}
          />
        </section>
      ) : null}

      <section aria-labelledby="user-add-heading" className="panel">
        <h2 id="user-add-heading" tabIndex={-1}>
          {t('users.addTitle')}
        </h2>
        <p>{t('users.addIntro')}</p>
        <AddUserForm
          onCreated={async (c) => {
            setFeedback(null);
            setCreated(c);
            focusAfterRender(() => document.getElementById('otp-heading'));
            await refresh();
          }}
        />
      </section>

      <ConfirmDialog
        open={removing !== null}
        title={t('users.confirmTitle')}
        text={t('users.confirmText', { name: removing?.name ?? '' })}
        confirmLabel={t('users.confirm')}
        busy={busy}
        onConfirm={remove}
        onCancel={() => setRemoving(null)}
      />
    </>
  );
}
