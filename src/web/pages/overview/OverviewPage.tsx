import { lazy, Suspense } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatOrgNumber } from '../../../shared/identifiers';
import { api } from '../../api';
import { can, useAssociation } from '../../association';
import { formatMoney, formatPercent } from '../../format';
import { currentYear, keys, parseYear } from '../../queries';
import type { ContributionYear, Overview } from '../../types';
import { LoadError, Loading } from '../../components/Status';
import { TableScroll } from '../../components/TableScroll';
import { YearPicker } from '../../components/YearPicker';
import { NotSet } from '../../components/NotSet';
import { useTitle } from '../../components/useTitle';

// Recharts is large; it loads only when a chart is shown.
const ContributionChart = lazy(() => import('./ContributionChart'));

function ContributionSection({
  contribution,
  editable,
}: {
  contribution: ContributionYear;
  editable: boolean;
}) {
  const { t } = useTranslation();
  const { slug } = useAssociation();
  const [, setParams] = useSearchParams();
  const { year, lines, totalAmount } = contribution;
  const money = totalAmount !== null;
  const chartData = lines.map((l) => ({ name: l.name, value: (money ? l.amount : l.totalPercent) ?? 0 }));
  return (
    <section aria-labelledby="contribution-heading">
      <h2 id="contribution-heading">{t('overview.contributionTitle', { year })}</h2>
      <YearPicker key={year} id="overview-year" year={year} onShow={(y) => setParams({ year: String(y) })} />
      {!contribution.saved ? (
        <p className="notice notice--info">{t('overview.notSaved', { year })}</p>
      ) : (
        <>
          <p>
            {t('overview.totalAmount')}:{' '}
            <strong>{money ? formatMoney(totalAmount) : t('common.notDecided')}</strong>
          </p>
          <figure className="chart-figure">
            <Suspense fallback={<p className="chart-loading">{t('common.loading')}</p>}>
              <ContributionChart data={chartData} unit={money ? 'money' : 'percent'} />
            </Suspense>
            <figcaption>
              {t(money ? 'overview.chartCaptionMoney' : 'overview.chartCaptionPercent', { year })}
            </figcaption>
          </figure>
          <p className="table-title" id="contribution-caption">
            {t('overview.splitCaption', { year })}
          </p>
          <TableScroll labelledBy="contribution-caption">
            <table className="table" aria-labelledby="contribution-caption">
              <thead>
                <tr>
                  <th scope="col">{t('overview.col.member')}</th>
                  <th scope="col" className="num">
                    {t('overview.col.groupPercent')}
                  </th>
                  <th scope="col" className="num">
                    {t('overview.col.totalPercent')}
                  </th>
                  <th scope="col" className="num">
                    {t('overview.col.amount')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {lines.map((l) => (
                  <tr key={l.memberId}>
                    <th scope="row">{l.name}</th>
                    <td className="num">
                      {l.groupPercent === null ? <NotSet /> : formatPercent(l.groupPercent)}
                    </td>
                    <td className="num">
                      {l.totalPercent === null ? <NotSet /> : formatPercent(l.totalPercent)}
                    </td>
                    <td className="num">{l.amount === null ? <NotSet /> : formatMoney(l.amount)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t('common.total')}</th>
                  <td />
                  <td className="num">
                    {formatPercent(lines.reduce((s, l) => s + (l.totalPercent ?? 0), 0))}
                  </td>
                  <td className="num">{money ? formatMoney(totalAmount) : <NotSet />}</td>
                </tr>
              </tfoot>
            </table>
          </TableScroll>
        </>
      )}
      {editable ? (
        <p>
          <Link to={`/a/${slug}/admin/contributions/${year}`}>
            {t('overview.editContributions', { year })}
          </Link>
        </p>
      ) : null}
    </section>
  );
}

function OverviewBody({ data }: { data: Overview }) {
  const { t } = useTranslation();
  const scope = useAssociation();
  const { association, members, users, incomplete } = data;
  return (
    <>
      <dl className="facts">
        <div>
          <dt>{t('overview.orgNumber')}</dt>
          <dd>{association.orgNumber ? formatOrgNumber(association.orgNumber) : <NotSet />}</dd>
        </div>
        <div>
          <dt>{t('overview.role')}</dt>
          <dd>{t(`roles.${data.role}`)}</dd>
        </div>
      </dl>

      {incomplete.length > 0 ? (
        <div className="notice notice--warning">
          <h2>{t('overview.incompleteTitle')}</h2>
          <ul>
            {incomplete.map((type) => (
              <li key={type}>{t([`overview.incomplete.${type}`, 'overview.incomplete.other'], { type })}</li>
            ))}
          </ul>
          {can(scope, 'members.manage') ? (
            <p>
              <Link to={`/a/${scope.slug}/admin/members`}>{t('overview.manageMembers')}</Link>
            </p>
          ) : null}
        </div>
      ) : null}

      <ContributionSection contribution={data.contribution} editable={can(scope, 'contributions.manage')} />

      <section aria-labelledby="members-heading">
        <h2 id="members-heading">{t('overview.membersTitle')}</h2>
        <TableScroll labelledBy="members-heading">
          <table className="table" aria-labelledby="members-heading">
            <thead>
              <tr>
                <th scope="col">{t('members.col.name')}</th>
                <th scope="col">{t('members.col.type')}</th>
                <th scope="col">{t('members.col.municipalityCode')}</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.id}>
                  <th scope="row">{m.name}</th>
                  <td>{t(`memberTypes.${m.type}`)}</td>
                  <td>{m.municipalityCode ?? <NotSet />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>

      {users ? (
        <section aria-labelledby="users-heading">
          <h2 id="users-heading">{t('overview.usersTitle')}</h2>
          <TableScroll labelledBy="users-heading">
            <table className="table" aria-labelledby="users-heading">
              <thead>
                <tr>
                  <th scope="col">{t('users.col.name')}</th>
                  <th scope="col">{t('users.col.email')}</th>
                  <th scope="col">{t('users.col.role')}</th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id}>
                    <th scope="row">{u.name}</th>
                    <td>{u.email}</td>
                    <td>{t(`roles.${u.role}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </section>
      ) : null}
    </>
  );
}

export function OverviewPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const [params] = useSearchParams();
  const year = parseYear(params.get('year')) ?? currentYear();
  useTitle(t('overview.title'), scope.name);
  const q = useQuery({
    queryKey: keys.overview(scope.slug, year),
    queryFn: () => api.overview(scope.slug, year),
  });
  return (
    <>
      <h1>{q.data?.association.name ?? scope.name}</h1>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? <OverviewBody data={q.data} /> : null}
    </>
  );
}
