import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { validate } from '../errors';
import { keys, useSessionQuery } from '../queries';
import { TextField } from '../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../components/ErrorSummary';
import { Loading } from '../components/Status';
import { useTitle } from '../components/useTitle';

/** Only same-site paths, so a crafted link cannot send the user elsewhere after login. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

const FIELD_IDS: Record<string, string> = { email: 'login-email', password: 'login-password' };

export function LoginPage() {
  const { t } = useTranslation();
  useTitle(t('login.title'));
  const session = useSessionQuery();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));

  if (session.isPending) return <Loading />;
  if (session.data && !busy) return <Navigate to={next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing: Issue[] = [];
    if (!email.trim()) missing.push({ path: 'email', code: 'required' });
    if (!password) missing.push({ path: 'password', code: 'required' });
    if (missing.length) return errors.report(missing);
    const invalid = await validate('login', { email, password });
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      await api.login(email, password);
      queryClient.setQueryData(keys.session, await api.session());
      navigate(next, { replace: true });
    } catch (err) {
      setPassword('');
      errors.reportError(err);
      setBusy(false);
    }
  };

  return (
    <div className="narrow">
      <h1>{t('login.title')}</h1>
      <p>{t('login.intro')}</p>
      <ErrorSummary
        errors={errors}
        target={(path) => (FIELD_IDS[path] ? { id: FIELD_IDS[path] } : undefined)}
      />
      <form onSubmit={submit} noValidate className="form">
        <TextField
          id="login-email"
          label={t('login.email')}
          type="email"
          autoComplete="username"
          spellCheck={false}
          value={email}
          onValueChange={setEmail}
          error={errors.messageFor('email')}
        />
        <TextField
          id="login-password"
          label={t('login.password')}
          type="password"
          autoComplete="current-password"
          value={password}
          onValueChange={setPassword}
          error={errors.messageFor('password')}
        />
        <button type="submit" className="button" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </div>
  );
}
