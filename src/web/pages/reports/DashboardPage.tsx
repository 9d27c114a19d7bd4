/**
 * Dashboard ("Resultat"): the year's key figures split by sex, the goals with traffic lights and
 * trend, outcome by sex, the income-source matrix and volumes month by month, each chart with its
 * data table. Board and auditor see protected figures, with a notice.
 */
import { Link, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { can, useAssociation } from '../../association';
import { currentYear, parseYear } from '../../queries';
import { LoadError, Loading } from '../../components/Status';
import { YearPicker } from '../../components/YearPicker';
import { useTitle } from '../../components/useTitle';
import { GoalsOverview } from './GoalsOverview';
import type { Dashboard } from './model';
import { reportKeys, reportsApi } from './reportsApi';
import { ReportsNav } from './ReportsNav';
import { IncomeMatrix, KeyFigureCards, OutcomeBySex, ProtectedNotice, Volumes } from './Sections';
import { formatPeriod } from './Values';
import './reports.css';

function DashboardBody({ data }: { data: Dashboard }) {
  const { t } = useTranslation();
  const scope = useAssociation();
  const { figures } = data;
  return (
    <>
      {data.protected ? <ProtectedNotice /> : null}
      <section aria-labelledby="kpi-heading">
        <h2 id="kpi-heading">{t('reports.dashboard.keyFigures')}</h2>
        <KeyFigureCards figures={figures} />
      </section>

      <section aria-labelledby="goals-heading">
        <h2 id="goals-heading">{t('reports.dashboard.goals', { year: data.year })}</h2>
        {data.goals.length === 0 ? (
          <p>{t('reports.dashboard.noGoals', { year: data.year })}</p>
        ) : (
          <GoalsOverview goals={data.goals} />
        )}
        {can(scope, 'reports.manage') ? (
          <p>
            <Link to={`/a/${scope.slug}/reports/goals`}>{t('reports.dashboard.manageGoals')}</Link>
          </p>
        ) : null}
      </section>

      <OutcomeBySex report={figures} headingId="outcome-heading" />
      <IncomeMatrix report={figures} headingId="income-heading" />
      <Volumes volumes={data.volumes} protectedFigures={data.protected} headingId="volumes-heading" />

      <p>
        <Link
          to={`/a/${scope.slug}/reports/outcomes?from=${data.period.from}&to=${data.period.to}&breakdown=ageBand`}
        >
          {t('reports.dashboard.explore')}
        </Link>
      </p>
    </>
  );
}

export function DashboardPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const [params, setParams] = useSearchParams();
  const year = parseYear(params.get('year')) ?? currentYear();
  useTitle(t('reports.dashboard.title', { year }), scope.name);
  const q = useQuery({
    queryKey: reportKeys.dashboard(scope.slug, year),
    queryFn: () => reportsApi.dashboard(scope.slug, year),
  });
  const partial = q.data && q.data.period.to < `${year}-12-31`;
  return (
    <>
      <ReportsNav />
      <h1>{t('reports.dashboard.title', { year })}</h1>
      <YearPicker key={year} id="dashboard-year" year={year} onShow={(y) => setParams({ year: String(y) })} />
      {q.data ? (
        <p className="lead">
          {t(partial ? 'reports.dashboard.periodPartial' : 'reports.dashboard.period', {
            period: formatPeriod(q.data.period),
          })}
        </p>
      ) : null}
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? <DashboardBody data={q.data} /> : null}
    </>
  );
}
