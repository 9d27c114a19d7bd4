/**
 * The participants of one insats: filters (ongoing/exited/all, period, sex, target group) kept in
 * the URL, pages of 50 with masked numbers linking to each participation, export of the insats's
 * participations, and the anonymous counts per year and sex with a form to add to them.
 */
import { useRef, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { SEXES } from '../../../shared/participants';
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
import { currentYear } from '../../queries';
import { downloads, registerApi } from './api';
import { AREA, parseWhole, validateRegister } from './common';
import { registerKeys, useTargetGroups } from './queries';
import type { AnonymousCount, Intervention, Sex } from './types';

export const PAGE_SIZE = 50;
const STATUSES = ['ongoing', 'exited', 'all'] as const;
type Status = (typeof STATUSES)[number];

interface Filter {
  status: Status;
  from: string;
  to: string;
  sex: Sex | '';
  targetGroupId: string;
}

function filterOf(params: URLSearchParams): Filter {
  const status = params.get('status');
  const sex = params.get('kon');
  const date = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : '');
  return {
    status: STATUSES.includes(status as Status) ? (status as Status) : 'ongoing',
    from: date(params.get('fran')),
    to: date(params.get('till')),
    sex: sex === 'kvinna' || sex === 'man' ? sex : '',
    targetGroupId: params.get('malgrupp') ?? '',
  };
}

function paramsOf(f: Filter, page = 1): Record<string, string> {
  const p: Record<string, string> = { status: f.status };
  if (f.from) p.fran = f.from;
  if (f.to) p.till = f.to;
  if (f.sex) p.kon = f.sex;
  if (f.targetGroupId) p.malgrupp = f.targetGroupId;
  if (page > 1) p.sida = String(page);
  return p;
}

function FilterForm({ filter, onShow }: { filter: Filter; onShow: (f: Filter) => void }) {
  const { t } = useTranslation();
  const groups = useTargetGroups();
  const errors = useFormErrors(AREA);
  const [f, setF] = useState(filter);
  const set = (patch: Partial<Filter>) => setF((s) => ({ ...s, ...patch }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Choosing a filter changes nothing until the user asks (WCAG 3.2.2).
    if (f.from && f.to && f.to < f.from) return errors.report([{ path: 'to', code: 'before_from' }]);
    errors.clear();
    onShow(f);
  };
  return (
    <>
      <ErrorSummary errors={errors} target={(path) => (path === 'to' ? { id: 'filter-to' } : undefined)} />
      <form className="reg-filters" onSubmit={submit} noValidate aria-labelledby="filter-heading">
        <h2 id="filter-heading" className="visually-hidden">
          {t('register.participants.filterHeading')}
        </h2>
        <SelectField
          id="filter-status"
          label={t('register.participants.status')}
          value={f.status}
          onValueChange={(v) => set({ status: v as Status })}
          options={STATUSES.map((s) => ({ value: s, label: t(`register.participants.statuses.${s}`) }))}
        />
        <TextField
          id="filter-from"
          label={t('register.participants.from')}
          type="date"
          value={f.from}
          onValueChange={(v) => set({ from: v })}
        />
        <TextField
          id="filter-to"
          label={t('register.participants.to')}
          type="date"
          value={f.to}
          onValueChange={(v) => set({ to: v })}
          error={errors.messageFor('to')}
        />
        <SelectField
          id="filter-sex"
          label={t('register.fields.sex')}
          value={f.sex}
          onValueChange={(v) => set({ sex: v as Sex | '' })}
          options={[
            { value: '', label: t('register.participants.allSexes') },
            ...SEXES.map((s) => ({ value: s, label: t(`register.sexesPlural.${s}`) })),
          ]}
        />
        <SelectField
          id="filter-target-group"
          label={t('register.participants.targetGroup')}
          value={f.targetGroupId}
          onValueChange={(v) => set({ targetGroupId: v })}
          options={[
            { value: '', label: t('register.participants.allTargetGroups') },
            ...(groups.data ?? []).map((g) => ({ value: g.id, label: g.name })),
          ]}
        />
        <div className="reg-filters__submit">
          <button type="submit" className="button button--secondary">
            {t('register.participants.show')}
          </button>
        </div>
      </form>
    </>
  );
}

function ParticipantTable({
  intervention,
  filter,
  page,
}: {
  intervention: Intervention;
  filter: Filter;
  page: number;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const query = {
    status: filter.status,
    from: filter.from || undefined,
    to: filter.to || undefined,
    sex: filter.sex || undefined,
    targetGroupId: filter.targetGroupId || undefined,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
  const q = useQuery({
    queryKey: registerKeys.participations(slug, intervention.id, query),
    queryFn: () => registerApi.participations(slug, intervention.id, query),
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <LoadError error={q.error} retry={() => void q.refetch()} />;
  const { total, items } = q.data;
  const first = total === 0 ? 0 : query.offset + 1;
  const last = query.offset + items.length;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const pageLink = (n: number) => `?${new URLSearchParams(paramsOf(filter, n)).toString()}`;
  return (
    <>
      <p className="table-title" id="participants-caption">
        {t('register.participants.caption', { insats: intervention.name })}
      </p>
      <p role="status" className="muted">
        {total === 0
          ? t('register.participants.none')
          : t('register.participants.showing', { first, last, total })}
      </p>
      {items.length > 0 ? (
        <TableScroll labelledBy="participants-caption">
          <table className="table" aria-labelledby="participants-caption">
            <thead>
              <tr>
                <th scope="col">{t('register.fields.personnummer')}</th>
                <th scope="col">{t('register.fields.sex')}</th>
                <th scope="col" className="num">
                  {t('register.fields.birthYear')}
                </th>
                <th scope="col">{t('register.participants.entered')}</th>
                <th scope="col">{t('register.participants.exited')}</th>
                <th scope="col">{t('register.participants.targetGroups')}</th>
                <th scope="col">{t('register.fields.returner')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <th scope="row" className="nowrap">
                    <Link to={`/a/${slug}/deltagare/${p.id}`}>{p.person.personnummer}</Link>
                  </th>
                  <td>{t(`register.sexes.${p.person.sex}`)}</td>
                  <td className="num">{p.person.birthYear}</td>
                  <td className="nowrap">{p.entryDate}</td>
                  <td>
                    {p.exitDate ? (
                      <>
                        <span className="nowrap">{p.exitDate}</span>
                        {p.exitReason ? (
                          <span className="muted reg-block">{t(`register.exitReasons.${p.exitReason}`)}</span>
                        ) : null}
                      </>
                    ) : (
                      <NotSet />
                    )}
                  </td>
                  <td className="reg-groups">
                    {p.targetGroups.length ? p.targetGroups.map((g) => g.name).join(', ') : <NotSet />}
                  </td>
                  <td>{p.isReturner ? t('register.common.yes') : t('register.common.no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
      {pages > 1 ? (
        <nav className="reg-pager" aria-label={t('register.participants.pages')}>
          {page > 1 ? <Link to={pageLink(page - 1)}>{t('register.participants.previous')}</Link> : null}
          <span>{t('register.participants.pageOf', { page, pages })}</span>
          {page < pages ? <Link to={pageLink(page + 1)}>{t('register.participants.next')}</Link> : null}
        </nav>
      ) : null}
    </>
  );
}

function AnonymousCounts({ intervention }: { intervention: Intervention }) {
  const { t } = useTranslation();
  const scope = useAssociation();
  const { slug } = scope;
  const queryClient = useQueryClient();
  const errors = useFormErrors(AREA);
  const focusAfterRender = useFocusAfterRender();
  const feedbackRef = useRef<HTMLDivElement>(null);
  const [feedback, setFeedback] = useState<FeedbackMessage | null>(null);
  const [year, setYear] = useState(String(currentYear()));
  const [sex, setSex] = useState<Sex | ''>('');
  const [count, setCount] = useState('1');
  const [busy, setBusy] = useState(false);
  const q = useQuery({
    queryKey: registerKeys.anonymous(slug, intervention.id),
    queryFn: () => registerApi.anonymousCounts(slug, intervention.id),
  });
  const ids: Record<string, string> = { year: 'anon-year', sex: 'anon-sex', count: 'anon-count' };

  const byYear = new Map<number, Record<Sex, number>>();
  for (const c of q.data ?? ([] as AnonymousCount[])) {
    const row = byYear.get(c.year) ?? { kvinna: 0, man: 0 };
    row[c.sex] += c.count;
    byYear.set(c.year, row);
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFeedback(null);
    const local: Issue[] = [];
    const y = parseWhole(year);
    const n = parseWhole(count);
    if (y === null) local.push({ path: 'year', code: year.trim() ? 'whole_number' : 'required' });
    if (!sex) local.push({ path: 'sex', code: 'required' });
    if (n === null) local.push({ path: 'count', code: count.trim() ? 'whole_number' : 'required' });
    if (local.length) return errors.report(local);
    const body = { interventionId: intervention.id, year: y!, sex: sex as Sex, count: n! };
    const invalid = await validateRegister('anonymous', body);
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      await registerApi.addAnonymousCount(slug, body);
      errors.clear();
      await queryClient.invalidateQueries({ queryKey: registerKeys.anonymous(slug, intervention.id) });
      setCount('1');
      setFeedback({
        kind: 'success',
        text: t('register.anonymous.added', {
          count: body.count,
          sex: t(`register.sexesPlural.${body.sex}`),
          year: body.year,
        }),
      });
      focusAfterRender(() => feedbackRef.current);
    } catch (err) {
      errors.reportError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="anon-heading" className="panel">
      <h2 id="anon-heading">{t('register.anonymous.title')}</h2>
      <p>{t('register.anonymous.intro')}</p>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? (
        byYear.size === 0 ? (
          <p>{t('register.anonymous.none')}</p>
        ) : (
          <>
            <p className="table-title" id="anon-caption">
              {t('register.anonymous.caption')}
            </p>
            <TableScroll labelledBy="anon-caption">
              <table className="table reg-table--narrow" aria-labelledby="anon-caption">
                <thead>
                  <tr>
                    <th scope="col">{t('common.year')}</th>
                    <th scope="col" className="num">
                      {t('register.sexesPlural.kvinna')}
                    </th>
                    <th scope="col" className="num">
                      {t('register.sexesPlural.man')}
                    </th>
                    <th scope="col" className="num">
                      {t('common.total')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[...byYear].map(([y, row]) => (
                    <tr key={y}>
                      <th scope="row">{y}</th>
                      <td className="num">{row.kvinna}</td>
                      <td className="num">{row.man}</td>
                      <td className="num">{row.kvinna + row.man}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </>
        )
      ) : null}
      {can(scope, 'participants.write') && intervention.direction === 'individual' ? (
        <>
          <h3 id="anon-add-heading">{t('register.anonymous.addTitle')}</h3>
          <Feedback ref={feedbackRef} message={feedback} />
          <ErrorSummary errors={errors} target={(path) => (ids[path] ? { id: ids[path] } : undefined)} />
          <form className="reg-filters" onSubmit={submit} noValidate aria-labelledby="anon-add-heading">
            <TextField
              id={ids.year!}
              label={t('common.year')}
              inputMode="numeric"
              className="input--short"
              value={year}
              onValueChange={setYear}
              error={errors.messageFor('year')}
            />
            <SelectField
              id={ids.sex!}
              label={t('register.fields.sex')}
              value={sex}
              onValueChange={(v) => setSex(v as Sex | '')}
              options={[
                { value: '', label: t('register.anonymous.chooseSex') },
                ...SEXES.map((s) => ({ value: s, label: t(`register.sexes.${s}`) })),
              ]}
              error={errors.messageFor('sex')}
            />
            <TextField
              id={ids.count!}
              label={t('register.anonymous.count')}
              inputMode="numeric"
              className="input--short"
              value={count}
              onValueChange={setCount}
              error={errors.messageFor('count')}
            />
            <div className="reg-filters__submit">
              <button type="submit" className="button" disabled={busy}>
                {t('register.anonymous.add')}
              </button>
            </div>
          </form>
        </>
      ) : null}
    </section>
  );
}

export function ParticipantsPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const q = useQuery({
    queryKey: registerKeys.intervention(scope.slug, id),
    queryFn: () => registerApi.intervention(scope.slug, id),
  });
  useTitle(t('register.participants.title'), q.data?.name, scope.name);
  const filter = filterOf(params);
  const page = Math.max(1, parseWhole(params.get('sida') ?? '1') ?? 1);
  const personLevel = q.data?.direction === 'individual' && q.data.followUp === 'person';

  return (
    <>
      <h1>
        {q.data
          ? t('register.participants.heading', { insats: q.data.name })
          : t('register.participants.title')}
      </h1>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? (
        <>
          <ul className="reg-links">
            <li>
              <Link to={`/a/${scope.slug}/insatser/${id}`}>{t('register.participants.aboutInsats')}</Link>
            </li>
            {personLevel && can(scope, 'participants.write') ? (
              <li>
                <Link to={`/a/${scope.slug}/deltagare/ny?insats=${id}`}>
                  {t('register.participants.register')}
                </Link>
              </li>
            ) : null}
          </ul>
          {personLevel ? (
            <>
              <FilterForm key={params.toString()} filter={filter} onShow={(f) => setParams(paramsOf(f))} />
              <ParticipantTable intervention={q.data} filter={filter} page={page} />
              <div className="reg-export" role="group" aria-labelledby="export-label">
                <span id="export-label" className="reg-export__label">
                  {t('register.participants.export')}
                </span>
                <a
                  className="button button--secondary button--small"
                  href={downloads.export(scope.slug, 'xlsx', id)}
                  download
                >
                  {t('register.participants.exportXlsx')}
                </a>
                <a
                  className="button button--secondary button--small"
                  href={downloads.export(scope.slug, 'csv', id)}
                  download
                >
                  {t('register.participants.exportCsv')}
                </a>
              </div>
            </>
          ) : (
            <p className="notice">{t('register.participants.notPersonLevel')}</p>
          )}
          <AnonymousCounts intervention={q.data} />
        </>
      ) : null}
    </>
  );
}
