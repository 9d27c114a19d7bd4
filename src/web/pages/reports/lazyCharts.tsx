/** The report charts, loaded on first use (recharts is large), with a text while they load. */
import { lazy, Suspense, type ComponentProps } from 'react';
import { useTranslation } from 'react-i18next';

const LazyBars = lazy(() => import('./ReportCharts').then((m) => ({ default: m.BarsChart })));
const LazyVolumes = lazy(() => import('./ReportCharts').then((m) => ({ default: m.VolumesChart })));

export type { Series } from './ReportCharts';

function ChartLoading() {
  const { t } = useTranslation();
  return <p className="chart-loading">{t('common.loading')}</p>;
}

export function BarsChart(props: ComponentProps<typeof LazyBars>) {
  return (
    <Suspense fallback={<ChartLoading />}>
      <LazyBars {...props} />
    </Suspense>
  );
}

export function VolumesChart(props: ComponentProps<typeof LazyVolumes>) {
  return (
    <Suspense fallback={<ChartLoading />}>
      <LazyVolumes {...props} />
    </Suspense>
  );
}

/** Chart colours, each at least 3:1 against white. */
export const COLORS = {
  total: '#4b5563',
  kvinna: '#1d4e89',
  man: '#b0500c',
  entries: '#1d4e89',
  exits: '#b0500c',
  ongoing: '#1e6b34',
  income: {
    ohalsa: '#a1302f',
    arbetsmarknadsstod: '#9a6400',
    ekonomiskt_bistand: '#5b3f96',
    ingen: '#1e6b34',
    okand: '#6b7280',
  } as Record<string, string>,
};
