import { useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { validate } from '../errors';
import { keys, useSession } from '../queries';
import { TextField } from '../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../components/ErrorSummary';
import { Feedback } from '../components/Status';
import { useTitle } from '../components/useTitle';

const FIELD_IDS: Record<string, string> = {
  currentPassword: 'password-current',
  newPassword: 'password-new',
  repeatPassword: 'password-repeat',
};

export function ChangePasswordPage() {
  const { t } = useTranslation();
  useTitle(t('password.title'));
  const session = useSession();
  const forced = session.user.mustChangePassword;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const errors = useFormErrors();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const statusRef = useRef<HTMLDivElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    const local: Issue[] = [];
    if (!current) local.push({ path: 'currentPassword', code: 'required' });
    if (!next) local.push({ path: 'newPassword', code: 'required' });
    if (next && repeat !== next) local.push({ path: 'repeatPassword', code: 'mismatch' });
    if (local.length) return errors.report(local);
    const invalid = await validate('passwordChange', { currentPassword: current, newPassword: next });
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      await api.changePassword(current, next);
      errors.clear();
      setCurrent('');
      setNext('');
      setRepeat('');
      queryClient.setQueryData(keys.session, await api.session());
      if (forced) {
        navigate('/', { replace: true });
        return;
      }
      setDone(true);
      statusRef.current?.focus();
    } catch (err) {
      errors.reportError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="narrow">
      <h1>{t('password.title')}</h1>
      {forced ? (
        <div className="notice notice--info">
          <p>{t('password.forced')}</p>
        </div>
      ) : null}
      <Feedback ref={statusRef} message={done ? { kind: 'success', text: t('password.done') } : null} />
      <ErrorSummary
        errors={errors}
        target={(path) => (FIELD_IDS[path] ? { id: FIELD_IDS[path] } : undefined)}
      />
      <form onSubmit={submit} noValidate className="form">
        <TextField
          id="password-current"
          label={t('password.current')}
          type="password"
          autoComplete="current-password"
          value={current}
          onValueChange={setCurrent}
          error={errors.messageFor('currentPassword')}
        />
        <TextField
          id="password-new"
          label={t('password.new')}
          hint={t('password.hint')}
          type="password"
          autoComplete="new-password"
          value={next}
          onValueChange={setNext}
          error={errors.messageFor('newPassword')}
        />
        <TextField
          id="password-repeat"
          label={t('password.repeat')}
          type="password"
          autoComplete="new-password"
          value={repeat}
          onValueChange={setRepeat}
          error={errors.messageFor('repeatPassword')}
        />
        <button type="submit" className="button" disabled={busy}>
          {t('password.submit')}
        </button>
      </form>
    </div>
  );
}
