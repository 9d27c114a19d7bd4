/**
 * The year's member contributions: the total, and how the regions' and the municipalities' quarters
 * are split between them. The shares are typed as percent of the group with two decimals; the sum,
 * each member's share of the total and the amount update as the user types. The server checks the
 * rules (each group sums to 100 %, every member listed once) and its field issues are shown inline.
 */
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { validate } from '../../errors';
import { useAssociation } from '../../association';
import {
  integerInputValue,
  formatMoney,
  formatPercent,
  formatPercent2,
  parseDecimal,
  parseWholeKronor,
  percentInputValue,
  sumPercent,
} from '../../format';
import { currentYear, keys, parseYear } from '../../queries';
import type { ContributionLine, ContributionYear } from '../../types';
import { FieldError, TextField } from '../../components/Field';
import { ErrorSummary, useFormErrors, type Issue, type SummaryTarget } from '../../components/ErrorSummary';
import { Feedback, LoadError, Loading, type FeedbackMessage } from '../../components/Status';
import { TableScroll } from '../../components/TableScroll';
import { NotSet } from '../../components/NotSet';
import { YearPicker } from '../../components/YearPicker';
import { useTitle } from '../../components/useTitle';

const GROUPS = ['regions', 'municipalities'] as const;
type Group = (typeof GROUPS)[number];
const GROUP_TYPE = { regions: 'region', municipalities: 'municipality' } as const;
/** Each group's share of the total, in hundredths of a percent (Lag 2003:1210 §5). */
const GROUP_SHARE_BP = 2500;

const TOTAL_ID = 'contrib-total';
const lineId = (group: Group, index: number) => `contrib-${group}-${index}`;
const groupId = (group: Group) => `contrib-${group}`;

function initialShares(lines: ContributionLine[]): Record<string, string> {
  return Object.fromEntries(
    lines
      .filter((l) => l.type === 'region' || l.type === 'municipality')
      .map((l) => [l.memberId, l.groupPercent === null ? '' : percentInputValue(l.groupPercent)]),
  );
}

function ContributionForm({ data }: { data: ContributionYear }) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const year = data.year;
  const groups: Record<Group, ContributionLine[]> = {
    regions: data.lines.filter((l) => l.type === GROUP_TYPE.regions),
    municipalities: data.lines.filter((l) => l.type === GROUP_TYPE.municipalities),
  };
  const [total, setTotal] = useState(data.totalAmount === null ? '' : integerInputValue(data.totalAmount));
  const [shares, setShares] = useState(() => initialShares(data.lines));
  const [busy, setBusy] = useState(false);
  const [feedback, setFeedback] = useState<FeedbackMessage | null>(null);
  const feedbackRef = useRef<HTMLDivElement>(null);

  const totalValue = parseWholeKronor(total);
  const percentOf = (memberId: string) => parseDecimal(shares[memberId] ?? '');

  const target = (path: string): SummaryTarget | undefined => {
    if (path === 'totalAmount') return { id: TOTAL_ID };
    const m = /^(regions|municipalities)(?:\.(\d+))?/.exec(path);
    if (!m) return undefined;
    const group = m[1] as Group;
    const lines = groups[group];
    if (m[2] === undefined) return lines.length ? { id: lineId(group, 0) } : undefined;
    const index = Number(m[2]);
    const line = lines[index];
    return line ? { id: lineId(group, index), label: line.name } : undefined;
  };

  const lineError = (group: Group, index: number) =>
    errors.messageFor(`${group}.${index}.percent`) ??
    errors.messageFor(`${group}.${index}.memberId`) ??
    errors.messageFor(`${group}.${index}`);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFeedback(null);
    // Only what the server cannot be sent is checked here: empty or unreadable numbers.
    const local: Issue[] = [];
    if (total.trim() !== '' && totalValue === null) local.push({ path: 'totalAmount', code: 'format' });
    for (const group of GROUPS) {
      groups[group].forEach((l, i) => {
        const raw = shares[l.memberId] ?? '';
        if (raw.trim() === '') local.push({ path: `${group}.${i}.percent`, code: 'required' });
        else if (percentOf(l.memberId) === null)
          local.push({ path: `${group}.${i}.percent`, code: 'format' });
      });
    }
    if (local.length) return errors.report(local);
    const lines = (group: Group) =>
      groups[group].map((l) => ({ memberId: l.memberId, percent: percentOf(l.memberId) as number }));
    const body = {
      totalAmount: total.trim() === '' ? null : totalValue,
      regions: lines('regions'),
      municipalities: lines('municipalities'),
    };
    // The shared schema finds a wrong sum or too many decimals before anything is sent.
    const invalid = await validate('contribution', body);
    if (invalid.length) return errors.report(invalid);
    setBusy(true);
    try {
      const saved = await api.saveContributions(slug, year, body);
      errors.clear();
      queryClient.setQueryData(keys.contributions(slug, year), saved);
      void queryClient.invalidateQueries({ queryKey: keys.association(slug) });
      setFeedback({ kind: 'success', text: t('contributions.saved', { year }) });
      feedbackRef.current?.focus();
    } catch (err) {
      errors.reportError(err);
    } finally {
      setBusy(false);
    }
  };

  const groupFieldset = (group: Group) => {
    const lines = groups[group];
    const gid = groupId(group);
    const groupError = errors.messageFor(group);
    const values = lines.map((l) => percentOf(l.memberId));
    const sum = sumPercent(values.map((v) => v ?? 0));
    const complete = values.every((v) => v !== null);
    return (
      <fieldset className={groupError ? 'share-group share-group--error' : 'share-group'} key={group}>
        <legend id={`${gid}-legend`}>{t(`contributions.legend.${group}`)}</legend>
        {lines.length === 0 ? (
          <p>{t(`contributions.none.${group}`)}</p>
        ) : (
          <>
            <TableScroll labelledBy={`${gid}-legend`} focusable={false}>
              <table className="table table--form">
                <thead>
                  <tr>
                    <th scope="col">{t('overview.col.member')}</th>
                    <th scope="col">{t('contributions.col.groupPercent')}</th>
                    <th scope="col" className="num">
                      {t('overview.col.totalPercent')}
                    </th>
                    <th scope="col" className="num">
                      {t('overview.col.amount')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {lines.map((l, i) => {
                    const id = lineId(group, i);
                    const error = lineError(group, i);
                    const p = values[i] ?? null;
                    const bp = p === null ? null : Math.round(p * 100);
                    const describedBy = [error ? `${id}-error` : '', groupError ? `${gid}-error` : '']
                      .filter(Boolean)
                      .join(' ');
                    return (
                      <tr key={l.memberId}>
                        <th scope="row">{l.name}</th>
                        <td className={error ? 'cell--error' : undefined}>
                          <label className="visually-hidden" htmlFor={id}>
                            {t('contributions.percentLabel', { name: l.name })}
                          </label>
                          <FieldError id={`${id}-error`} message={error} />
                          <span className="input-with-unit">
                            <input
                              id={id}
                              name={id}
                              className="input input--percent"
                              inputMode="decimal"
                              autoComplete="off"
                              value={shares[l.memberId] ?? ''}
                              aria-invalid={error || groupError ? true : undefined}
                              aria-describedby={describedBy || undefined}
                              onChange={(e) => setShares((s) => ({ ...s, [l.memberId]: e.target.value }))}
                              onBlur={(e) => {
                                // Tidy "52,4" to "52,40"; leave anything with more decimals for the server to flag.
                                const v = parseDecimal(e.target.value);
                                if (v !== null && Math.round(v * 100) === v * 100)
                                  setShares((s) => ({ ...s, [l.memberId]: percentInputValue(v) }));
                              }}
                            />
                            <span aria-hidden="true">%</span>
                          </span>
                        </td>
                        <td className="num">
                          {bp === null ? <NotSet /> : formatPercent((bp * GROUP_SHARE_BP) / 1_000_000)}
                        </td>
                        <td className="num">
                          {bp === null || totalValue === null ? (
                            <NotSet />
                          ) : (
                            formatMoney(Math.round((totalValue * bp * GROUP_SHARE_BP) / 100_000_000))
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableScroll>
            <p className="share-sum" id={`${gid}-sum`} aria-live="polite">
              <strong>{t('contributions.sum', { sum: formatPercent2(sum) })}</strong>
              {complete && Math.round(sum * 100) !== 10000 ? (
                <span className="muted"> {t('contributions.sumShouldBe')}</span>
              ) : null}
            </p>
            <FieldError id={`${gid}-error`} message={groupError} />
          </>
        )}
      </fieldset>
    );
  };

  return (
    <>
      <Feedback ref={feedbackRef} message={feedback} />
      {!data.saved ? <p className="notice notice--info">{t('contributions.notSaved', { year })}</p> : null}
      <ErrorSummary errors={errors} target={target} />
      <form onSubmit={submit} noValidate className="form form--wide">
        <TextField
          id={TOTAL_ID}
          label={t('contributions.totalAmount', { year })}
          hint={t('contributions.totalAmountHint')}
          value={total}
          onValueChange={setTotal}
          onBlur={() => {
            if (totalValue !== null) setTotal(integerInputValue(totalValue));
          }}
          error={errors.messageFor('totalAmount')}
          inputMode="numeric"
          autoComplete="off"
          className="input--medium"
        />
        <div className="notice notice--info">
          <p>{t('contributions.fixed')}</p>
        </div>
        {GROUPS.map(groupFieldset)}
        <button type="submit" className="button" disabled={busy}>
          {t('contributions.save')}
        </button>
      </form>
      <p>
        <Link to={`/a/${slug}?year=${year}`}>{t('contributions.viewOnOverview', { year })}</Link>
      </p>
    </>
  );
}

export function ContributionsPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const params = useParams();
  const navigate = useNavigate();
  const year = parseYear(params.year) ?? currentYear();
  useTitle(t('contributions.titleYear', { year }), scope.name);
  const q = useQuery({
    queryKey: keys.contributions(scope.slug, year),
    queryFn: () => api.contributions(scope.slug, year),
  });
  return (
    <>
      <h1>{t('contributions.title')}</h1>
      <p className="lead">{t('contributions.intro')}</p>
      <YearPicker
        key={year}
        id="contrib-year"
        year={year}
        onShow={(y) => navigate(`/a/${scope.slug}/admin/contributions/${y}`)}
      />
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? <ContributionForm key={year} data={q.data} /> : null}
    </>
  );
}
