import { useRef, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatOrgNumber } from '../../../shared/identifiers';
import { api } from '../../api';
import { validate } from '../../errors';
import { useAssociation } from '../../association';
import { currentYear, keys } from '../../queries';
import type { Association } from '../../types';
import { TextField } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue } from '../../components/ErrorSummary';
import { LoadError, Loading, Feedback } from '../../components/Status';
import { useTitle } from '../../components/useTitle';

const FIELD_IDS: Record<string, string> = { name: 'association-name', orgNumber: 'association-org-number' };

function AssociationForm({ association }: { association: Association }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [name, setName] = useState(association.name);
  const [orgNumber, setOrgNumber] = useState(
    association.orgNumber ? formatOrgNumber(association.orgNumber) : '',
  );
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const statusRef = useRef<HTMLDivElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const local: Issue[] = [];
    if (!name.trim()) local.push({ path: 'name', code: 'required' });
    if (local.length) return errors.report(local);
    const body = { name: name.trim(), orgNumber: orgNumber.trim() === '' ? null : orgNumber.trim() };
    const invalid = await validate('association', body);
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      const after = await api.updateAssociation(association.slug, body);
      errors.clear();
      setName(after.name);
      setOrgNumber(after.orgNumber ? formatOrgNumber(after.orgNumber) : '');
      // The name also appears in the header and the association list of the session.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.association(association.slug) }),
        queryClient.invalidateQueries({ queryKey: keys.session }),
      ]);
      setSaved(true);
      statusRef.current?.focus();
    } catch (err) {
      errors.reportError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Feedback ref={statusRef} message={saved ? { kind: 'success', text: t('association.saved') } : null} />
      <ErrorSummary
        errors={errors}
        target={(path) => (FIELD_IDS[path] ? { id: FIELD_IDS[path] } : undefined)}
      />
      <form onSubmit={submit} noValidate className="form">
        <TextField
          id="association-name"
          label={t('association.name')}
          value={name}
          onValueChange={setName}
          error={errors.messageFor('name')}
          autoComplete="organization"
        />
        <TextField
          id="association-org-number"
          label={t('association.orgNumber')}
          hint={t('association.orgNumberHint')}
          value={orgNumber}
          onValueChange={setOrgNumber}
          error={errors.messageFor('orgNumber')}
          inputMode="numeric"
          className="input--medium"
          spellCheck={false}
        />
        <button type="submit" className="button" disabled={busy}>
          {t('common.save')}
        </button>
      </form>
    </>
  );
}

export function AssociationPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  useTitle(t('association.title'), scope.name);
  // The overview carries the association's details; there is no separate GET for them.
  const year = currentYear();
  const q = useQuery({
    queryKey: keys.overview(scope.slug, year),
    queryFn: () => api.overview(scope.slug, year),
  });
  return (
    <div className="narrow">
      <h1>{t('association.title')}</h1>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? <AssociationForm key={q.data.association.id} association={q.data.association} /> : null}
    </div>
  );
}
