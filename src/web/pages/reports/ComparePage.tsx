/**
 * Comparison between associations (system administrator): the same key figures side by side per
 * association, always protected, with a chart of the share to work or studies.
 */
import { useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useAssociation } from '../../association';
import { currentYear, parseYear } from '../../queries';
import { LoadError, Loading } from '../../components/Status';
import { TableScroll } from '../../components/TableScroll';
import { YearPicker } from '../../components/YearPicker';
import { useTitle } from '../../components/useTitle';
import { BarsChart, COLORS } from './lazyCharts';
import { SEXES, type AssociationComparison, type FigureField } from './model';
import { reportKeys, reportsApi } from './reportsApi';
import { ReportsNav } from './ReportsNav';
import { anySuppressed, Caption, ProtectedNotice } from './Sections';
import { FigureValue, SuppressionNote } from './Values';
import './reports.css';

const FIELDS: FigureField[] = [
  'entries',
  'exits',
  'shareToWorkOrStudies',
  'ongoingAtEnd',
  'uniquePersons',
  'returners',
  'medianDaysInInsats',
];

function CompareBody({ data }: { data: AssociationComparison }) {
  const { t } = useTranslation();
  const groups = ['total', ...SEXES] as const;
  const chart = data.associations.map((a) => ({
    name: a.name,
    share:
      a.total.shareToWorkOrStudies === null ? null : Math.round(a.total.shareToWorkOrStudies * 1000) / 10,
  }));
  return (
    <>
      <ProtectedNotice always />
      <section aria-labelledby="compare-share-heading">
        <h2 id="compare-share-heading">{t('reports.compare.shareTitle')}</h2>
        <figure className="chart-figure">
          <BarsChart
            data={chart}
            series={[{ key: 'share', label: t('reports.fig.shareToWorkOrStudies'), color: COLORS.kvinna }]}
            horizontal
            unit="percent"
            labels
            categoryWidth={220}
          />
          <figcaption>{t('reports.compare.chartCaption')}</figcaption>
        </figure>
      </section>
      <section aria-labelledby="compare-table-heading">
        <h2 id="compare-table-heading">{t('reports.compare.tableTitle')}</h2>
        <TableScroll labelledBy="compare-caption">
          <table className="table table--compact">
            <Caption id="compare-caption">
              {t('reports.compare.caption', { count: data.associations.length })}
            </Caption>
            <colgroup />
            {FIELDS.map((f) => (
              <colgroup key={f} span={3} />
            ))}
            <thead>
              <tr>
                <th scope="col" rowSpan={2}>
                  {t('reports.compare.association')}
                </th>
                {FIELDS.map((f) => (
                  <th key={f} scope="colgroup" colSpan={3} className="group-head">
                    {t(`reports.fig.${f}`)}
                  </th>
                ))}
              </tr>
              <tr>
                {FIELDS.flatMap((f) =>
                  groups.map((g) => (
                    <th key={`${f}-${g}`} scope="col" className="num">
                      {t(`reports.sex.${g}`)}
                    </th>
                  )),
                )}
              </tr>
            </thead>
            <tbody>
              {data.associations.map((a) => (
                <tr key={a.id}>
                  <th scope="row">{a.name}</th>
                  {FIELDS.flatMap((f) =>
                    groups.map((g) => (
                      <td key={`${f}-${g}`} className="num">
                        <FigureValue figures={g === 'total' ? a.total : a.bySex[g]} field={f} />
                      </td>
                    )),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        {anySuppressed(data.associations, FIELDS) ? <SuppressionNote /> : null}
      </section>
    </>
  );
}

export function ComparePage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const [params, setParams] = useSearchParams();
  const year = parseYear(params.get('year')) ?? currentYear();
  useTitle(t('reports.compare.title'), scope.name);
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const q = useQuery({ queryKey: reportKeys.compare(from, to), queryFn: () => reportsApi.compare(from, to) });
  return (
    <>
      <ReportsNav />
      <h1>{t('reports.compare.title')}</h1>
      <p className="lead">{t('reports.compare.intro')}</p>
      <YearPicker key={year} id="compare-year" year={year} onShow={(y) => setParams({ year: String(y) })} />
      {q.isPending ? <Loading /> : null}
      {q.isError ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? <CompareBody data={q.data} /> : null}
    </>
  );
}
