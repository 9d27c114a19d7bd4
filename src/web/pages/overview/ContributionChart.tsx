/**
 * Bar chart of the contribution split. Decorative for assistive technology (aria-hidden): the table
 * next to it holds the same figures. Loaded lazily, as recharts is most of the app's weight.
 */
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, XAxis, YAxis } from 'recharts';

const compactMoney = new Intl.NumberFormat('sv-SE', {
  notation: 'compact',
  style: 'currency',
  currency: 'SEK',
  maximumFractionDigits: 1,
});
const plain = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 2 });

const INK = '#3b4550';
const BAR = '#1d4e89';
const GRID = '#d5dbe1';

export default function ContributionChart({
  data,
  unit,
}: {
  data: { name: string; value: number }[];
  unit: 'money' | 'percent';
}) {
  const height = 44 * data.length + 48;
  const tick = (v: number) => (unit === 'money' ? compactMoney.format(v) : `${plain.format(v)} %`);
  return (
    <div className="chart" aria-hidden="true" style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart
          data={data}
          layout="vertical"
          margin={{ top: 8, right: 24, bottom: 8, left: 8 }}
          accessibilityLayer={false}
        >
          <CartesianGrid horizontal={false} stroke={GRID} />
          <XAxis type="number" tickFormatter={tick} stroke={INK} tick={{ fill: INK, fontSize: 13 }} />
          <YAxis type="category" dataKey="name" width={150} stroke={INK} tick={{ fill: INK, fontSize: 13 }} />
          <Bar dataKey="value" fill={BAR} isAnimationActive={false} barSize={22} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
