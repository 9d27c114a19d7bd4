/**
 * The goals of a year with their traffic lights: target, value, reference and a small trend over
 * the last three years. The trend is drawn as tiny bars (decorative) and listed as text.
 */
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { GoalStatusBadge, StatusIcon } from './GoalStatusBadge';
import { GOAL_FIGURES, type DashboardGoal, type FigureKind, type Goal } from './model';
import { formatValue } from './Values';

/** How a goal's values read: a share for share figures and survey goals, otherwise a count or days. */
export function goalKind(goal: Pick<Goal, 'definition'>): FigureKind {
  return goal.definition.kind === 'survey' ? 'share' : GOAL_FIGURES[goal.definition.figure];
}

/** A goal period's key as words: "2025", "2025-T2" → "tertial 2 2025", "2025-Q3" → "kvartal 3 2025". */
export function periodKeyLabel(t: TFunction, key: string): string {
  const m = /^(\d{4})-([THQ])(\d)$/.exec(key);
  if (!m) return key;
  return t(`reports.periodKey.${m[2]}`, { year: m[1], n: m[3] });
}

const goalPercent = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 1 });

/** "35,7 %", "40 %" (a goal's round target without a decimal), "359", "260 dagar". */
export function goalValueText(t: TFunction, value: number, kind: FigureKind): string {
  if (kind === 'share') return `${goalPercent.format(value * 100)}\u00a0%`;
  return kind === 'days'
    ? t('reports.goals.days', { value: formatValue(value, 'count') })
    : formatValue(value, kind);
}

/** "minst 40 %" / "högst 200 dagar". */
export function goalTargetText(
  t: TFunction,
  goal: Pick<Goal, 'comparator'>,
  target: number,
  kind: FigureKind,
) {
  const value = goalValueText(t, target, kind);
  return goal.comparator === '>='
    ? t('reports.goals.atLeast', { value })
    : t('reports.goals.atMost', { value });
}

function TrendBars({ item }: { item: DashboardGoal }) {
  const values = item.trend.map((p) => p.value ?? 0);
  const max = Math.max(...values, ...item.trend.map((p) => p.target), 0) || 1;
  const w = 22;
  const h = 36;
  return (
    <svg
      className="trend-bars"
      width={item.trend.length * (w + 8)}
      height={h + 2}
      aria-hidden="true"
      focusable="false"
    >
      {item.trend.map((p, i) => {
        const bh = p.value === null ? 0 : Math.max(2, (p.value / max) * h);
        const ty = h - (p.target / max) * h + 1;
        return (
          <g key={p.year} className={`trend-bars__bar trend-bars__bar--${p.status}`}>
            {p.value === null ? (
              <rect x={i * (w + 8)} y={h - 1} width={w} height={2} fill="currentColor" />
            ) : (
              <rect x={i * (w + 8)} y={h - bh + 1} width={w} height={bh} fill="currentColor" />
            )}
            <line
              x1={i * (w + 8) - 2}
              x2={i * (w + 8) + w + 2}
              y1={ty}
              y2={ty}
              stroke="#1b1f24"
              strokeWidth={2}
              strokeDasharray="3 2"
            />
          </g>
        );
      })}
    </svg>
  );
}

function GoalCard({ item }: { item: DashboardGoal }) {
  const { t } = useTranslation();
  const { goal, latest } = item;
  const kind = goalKind(goal);
  const status = latest?.status ?? 'no_data';
  const d = goal.definition;
  const periodLabel = latest ? periodKeyLabel(t, latest.periodKey) : '';
  return (
    <li className={`goal goal--${status}`}>
      <h3 className="goal__name">{goal.name}</h3>
      <GoalStatusBadge status={status} />
      <dl className="goal__facts">
        <div>
          <dt>{t('reports.goals.value', { period: periodLabel })}</dt>
          <dd>
            {latest?.value !== null && latest?.value !== undefined
              ? goalValueText(t, latest.value, kind)
              : t('reports.goals.noValue')}
          </dd>
        </div>
        <div>
          <dt>{t('reports.goals.target')}</dt>
          <dd>{goalTargetText(t, goal, latest?.target ?? goal.target, kind)}</dd>
        </div>
        {goal.reference ? (
          <div>
            <dt>{goal.reference.label}</dt>
            <dd>
              {latest?.reference !== null && latest?.reference !== undefined
                ? goalValueText(t, latest.reference, kind)
                : t('reports.goals.noReference')}
            </dd>
          </div>
        ) : null}
      </dl>
      {d.kind === 'survey' ? (
        <p className="goal__note">
          {t('reports.goals.surveyNote', {
            question: d.question,
            from: d.atLeast,
            to: d.scaleMax,
          })}
        </p>
      ) : null}
      {status === 'too_few' ? <p className="goal__note">{t('reports.goals.tooFewNote')}</p> : null}
      {item.periods.length > 1 ? (
        <ul className="goal__periods">
          {item.periods.map((p) => (
            <li key={p.periodKey}>
              <StatusIcon status={p.status} size={16} />{' '}
              {t('reports.goals.periodLine', {
                period: periodKeyLabel(t, p.periodKey),
                value: p.value === null ? '–' : goalValueText(t, p.value, kind),
                status: t(`reports.goalStatus.${p.status}`),
              })}
            </li>
          ))}
        </ul>
      ) : null}
      {item.trend.length > 1 && d.kind === 'register' ? (
        <div className="goal__trend">
          <p className="goal__trend-title">{t('reports.goals.trend')}</p>
          <TrendBars item={item} />
          <ol className="goal__trend-list">
            {item.trend.map((p) => (
              <li key={p.year}>
                <StatusIcon status={p.status} size={16} /> <span className="goal__trend-year">{p.year}</span>{' '}
                {p.value === null ? '–' : goalValueText(t, p.value, kind)}
                <span className="visually-hidden">
                  {' '}
                  ({t(`reports.goalStatus.${p.status}`)}, {goalTargetText(t, goal, p.target, kind)})
                </span>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </li>
  );
}

export function GoalsOverview({ goals }: { goals: DashboardGoal[] }) {
  return (
    <ul className="goals">
      {goals.map((g) => (
        <GoalCard key={g.goal.id} item={g} />
      ))}
    </ul>
  );
}
