/**
 * The report charts. Each is decorative for assistive technology (aria-hidden): the data table
 * under it holds the same figures, including the ones protected as small numbers, which a chart
 * can only leave out. Loaded lazily (see lazyCharts.ts), as recharts is most of the app's weight.
 */
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  LabelList,
  Legend,
  Line,
  ResponsiveContainer,
  XAxis,
  YAxis,
} from 'recharts';

const INK = '#3b4550';
const GRID = '#d5dbe1';
const integer = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 0 });
const decimal1 = new Intl.NumberFormat('sv-SE', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export interface Series {
  key: string;
  label: string;
  color: string;
}

type Row = Record<string, string | number | null>;

/** Legend items in the order the series are given (recharts sorts them alphabetically by default). */
function inOrder(series: Series[]) {
  return (item: { dataKey?: unknown }) => series.findIndex((s) => s.key === item.dataKey);
}

const tickStyle = { fill: INK, fontSize: 13 };

/** Axis ticks in whole numbers; bar labels with one decimal for percentages, like the tables. */
function formatter(unit: 'count' | 'percent', precise = false) {
  return (v: unknown) =>
    typeof v !== 'number'
      ? ''
      : unit === 'percent'
        ? `${(precise ? decimal1 : integer).format(v)} %`
        : integer.format(v);
}

/**
 * Bars per category: horizontal bars (one row per category, names on the left) when `horizontal`,
 * otherwise columns. Several series are grouped side by side, or stacked when `stacked`.
 * Percent values are 0–100.
 */
export function BarsChart({
  data,
  series,
  horizontal = false,
  stacked = false,
  unit = 'count',
  labels = false,
  categoryWidth = 150,
}: {
  data: Row[];
  series: Series[];
  horizontal?: boolean;
  stacked?: boolean;
  unit?: 'count' | 'percent';
  /** Print each bar's value at its end. */
  labels?: boolean;
  categoryWidth?: number;
}) {
  const fmt = formatter(unit);
  const perCategory = stacked ? 1 : series.length;
  const height = horizontal ? Math.max(140, data.length * (perCategory * 20 + 18) + 80) : 300;
  const valueAxis = {
    type: 'number' as const,
    tickFormatter: fmt,
    stroke: INK,
    tick: tickStyle,
    allowDecimals: false,
    ...(unit === 'percent' ? { domain: [0, 100] as [number, number] } : {}),
  };
  const categoryAxis = { type: 'category' as const, dataKey: 'name', stroke: INK, tick: tickStyle };
  return (
    <div className="chart" aria-hidden="true" style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart
          data={data}
          layout={horizontal ? 'vertical' : 'horizontal'}
          margin={{ top: 8, right: labels ? 48 : 16, bottom: 8, left: 4 }}
          accessibilityLayer={false}
        >
          <CartesianGrid horizontal={!horizontal} vertical={horizontal} stroke={GRID} />
          {horizontal ? (
            <>
              <XAxis {...valueAxis} />
              <YAxis {...categoryAxis} width={categoryWidth} interval={0} />
            </>
          ) : (
            <>
              <XAxis {...categoryAxis} interval={0} />
              <YAxis {...valueAxis} width={56} />
            </>
          )}
          {series.length > 1 ? (
            <Legend wrapperStyle={{ color: INK, fontSize: 14 }} itemSorter={inOrder(series)} />
          ) : null}
          {series.map((s) => (
            <Bar
              key={s.key}
              dataKey={s.key}
              name={s.label}
              fill={s.color}
              isAnimationActive={false}
              maxBarSize={36}
              {...(stacked ? { stackId: 'stack' } : {})}
            >
              {labels ? (
                <LabelList
                  dataKey={s.key}
                  position={horizontal ? 'right' : 'top'}
                  formatter={formatter(unit, true)}
                  fill={INK}
                  fontSize={13}
                />
              ) : null}
            </Bar>
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Entries and exits per month as columns, ongoing participants at month end as a line. */
export function VolumesChart({
  data,
  entries,
  exits,
  ongoing,
}: {
  data: Row[];
  entries: Series;
  exits: Series;
  ongoing: Series;
}) {
  const fmt = formatter('count');
  return (
    <div className="chart" aria-hidden="true" style={{ height: 320 }}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart
          data={data}
          margin={{ top: 8, right: 8, bottom: 8, left: 4 }}
          accessibilityLayer={false}
        >
          <CartesianGrid vertical={false} stroke={GRID} />
          <XAxis dataKey="name" stroke={INK} tick={tickStyle} />
          <YAxis
            yAxisId="flow"
            tickFormatter={fmt}
            stroke={INK}
            tick={tickStyle}
            width={44}
            allowDecimals={false}
          />
          <YAxis
            yAxisId="stock"
            orientation="right"
            tickFormatter={fmt}
            stroke={INK}
            tick={tickStyle}
            width={48}
            allowDecimals={false}
          />
          <Legend
            wrapperStyle={{ color: INK, fontSize: 14 }}
            itemSorter={inOrder([entries, exits, ongoing])}
          />
          {[entries, exits].map((s) => (
            <Bar
              key={s.key}
              yAxisId="flow"
              dataKey={s.key}
              name={s.label}
              fill={s.color}
              isAnimationActive={false}
              maxBarSize={18}
            />
          ))}
          <Line
            yAxisId="stock"
            dataKey={ongoing.key}
            name={ongoing.label}
            stroke={ongoing.color}
            strokeWidth={3}
            dot={{ r: 3, fill: ongoing.color }}
            isAnimationActive={false}
            connectNulls={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
