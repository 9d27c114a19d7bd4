/**
 * The dashboard computes its key figures, monthly volumes, goal periods and trend years together
 * (one statement per distinct goal filter). These tests hold it to the single-period definitions:
 * every goal value equals the value in that period's own outcome report, for the office
 * (unprotected) and for the board (protected), and the monthly volumes match hand-computed ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  type ApiClient,
  type AssociationFixture,
  type TestApp,
} from '../../../../tests/helpers.js';
import { buildReportFixture, type ReportFixture } from '../../../../tests/report-fixture.js';
import { GOAL_FIGURES, type GoalFigure, type ReportFilter } from '../../../shared/report-schemas.js';
import { computeMonthlyVolumes, type MonthVolumes } from './engine.js';
import { judge } from './goals.js';
import { MIN_PUBLISHED_COUNT } from './suppression.js';

let t: TestApp;
let a: AssociationFixture;
let fx: ReportFixture;
let admin: ApiClient;
let board: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  a = await createAssociationFixture(t, 'panel', 1);
  fx = await buildReportFixture(t, a);
  await createUserFixture(t, 'chef@panel.example', 'association_admin', a.id);
  await createUserFixture(t, 'styrelse@panel.example', 'board', a.id);
  admin = await login(t, 'chef@panel.example');
  board = await login(t, 'styrelse@panel.example');
});
afterAll(() => t.close());

/** One month's volumes: [entries, exits, ongoing at the month's end], total, women, men. */
type Month = [string, [number, number, number], [number, number, number], [number, number, number]];

function asMonths(volumes: MonthVolumes[]): Month[] {
  return volumes.map((v) => [
    v.month,
    [v.entries!, v.exits!, v.ongoingAtEnd!],
    [v.bySex.kvinna.entries!, v.bySex.kvinna.exits!, v.bySex.kvinna.ongoingAtEnd!],
    [v.bySex.man.entries!, v.bySex.man.exits!, v.bySex.man.ongoingAtEnd!],
  ]);
}

describe('monthly volumes against hand-computed expectations', () => {
  it('counts entries, exits and ongoing participants month by month and by sex (2025)', async () => {
    const d = (await admin.get('/api/associations/panel/dashboard?year=2025')).json();
    // Ten enter in January (6 women, 4 men) and exit on 9 Feb, 12 Mar, 12 and 23 Apr, 14 May and
    // 14 Jun (women), 15 Jul, 5 Aug, 25 Sep and 15 Nov (men). The returner re-enters on 1 March
    // and a man on 1 May; both are ongoing at the end. The felregistrering (February) vanishes;
    // the anonymous participants have no months.
    expect(asMonths(d.volumes)).toEqual([
      ['2025-01', [10, 0, 10], [6, 0, 6], [4, 0, 4]],
      ['2025-02', [0, 1, 9], [0, 1, 5], [0, 0, 4]],
      ['2025-03', [1, 1, 9], [1, 1, 5], [0, 0, 4]],
      ['2025-04', [0, 2, 7], [0, 2, 3], [0, 0, 4]],
      ['2025-05', [1, 1, 7], [0, 1, 2], [1, 0, 5]],
      ['2025-06', [0, 1, 6], [0, 1, 1], [0, 0, 5]],
      ['2025-07', [0, 1, 5], [0, 0, 1], [0, 1, 4]],
      ['2025-08', [0, 1, 4], [0, 0, 1], [0, 1, 3]],
      ['2025-09', [0, 1, 3], [0, 0, 1], [0, 1, 2]],
      ['2025-10', [0, 0, 3], [0, 0, 1], [0, 0, 2]],
      ['2025-11', [0, 1, 2], [0, 0, 1], [0, 1, 1]],
      ['2025-12', [0, 0, 2], [0, 0, 1], [0, 0, 1]],
    ]);
    // 2024: the returner's first participation, January to June.
    const y2024 = (await admin.get('/api/associations/panel/dashboard?year=2024')).json();
    expect(asMonths(y2024.volumes).map(([m, total]) => [m, total])).toEqual([
      ['2024-01', [1, 0, 1]],
      ['2024-02', [0, 0, 1]],
      ['2024-03', [0, 0, 1]],
      ['2024-04', [0, 0, 1]],
      ['2024-05', [0, 0, 1]],
      ['2024-06', [0, 1, 0]],
      ...['07', '08', '09', '10', '11', '12'].map((m) => [`2024-${m}`, [0, 0, 0]]),
    ]);
  });

  it('starts from the participations ongoing before the period', async () => {
    const volumes = await computeMonthlyVolumes(
      t.database.db,
      { associationIds: [a.id] },
      { from: '2025-03-01', to: '2025-06-30' },
      {},
      false,
    );
    // Nine of January's entrants are still in on 1 March (5 women, 4 men).
    expect(asMonths(volumes)).toEqual([
      ['2025-03', [1, 1, 9], [1, 1, 5], [0, 0, 4]],
      ['2025-04', [0, 2, 7], [0, 2, 3], [0, 0, 4]],
      ['2025-05', [1, 1, 7], [0, 1, 2], [1, 0, 5]],
      ['2025-06', [0, 1, 6], [0, 1, 1], [0, 0, 5]],
    ]);
  });

  it('equal the single-period computation, protected and not', async () => {
    for (const [client, protect] of [
      [admin, false],
      [board, true],
    ] as const) {
      const d = (await client.get('/api/associations/panel/dashboard?year=2025')).json();
      expect(d.protected).toBe(protect);
      const single = await computeMonthlyVolumes(
        t.database.db,
        { associationIds: [a.id] },
        d.period,
        {},
        protect,
      );
      expect(d.volumes).toEqual(single);
    }
  });
});

interface GoalSpec {
  figure: GoalFigure;
  periodType: 'year' | 'tertial' | 'half_year' | 'quarter';
  filter: ReportFilter;
  target: number;
  comparator?: '>=' | '<=';
  reference?: { label: string; values: Record<string, number> };
}

function reportQuery(from: string, to: string, f: ReportFilter) {
  const q = new URLSearchParams({ from, to });
  if (f.interventionIds) q.set('interventions', f.interventionIds.join(','));
  if (f.sex) q.set('sex', f.sex);
  if (f.ageBand) q.set('ageBand', f.ageBand);
  if (f.municipalityCode) q.set('municipalityCode', f.municipalityCode);
  return q.toString();
}

/** The value a goal reads from a report, and the base that decides "too few data". */
interface ReportJson {
  total: Record<string, number | null>;
  incomeMatrix: { shareMovedToSelfSupport: number | null; publicSupportAtEntry: number | null };
}

function figureOf(report: ReportJson, figure: GoalFigure) {
  if (figure === 'shareMovedToSelfSupport')
    return {
      value: report.incomeMatrix.shareMovedToSelfSupport,
      base: report.incomeMatrix.publicSupportAtEntry,
    };
  const base =
    figure === 'shareReturners'
      ? report.total.identifiedEntries
      : figure === 'shareToWorkOrStudies' || figure === 'medianDaysInInsats'
        ? report.total.exitsExcludingErrors
        : MIN_PUBLISHED_COUNT;
  return { value: report.total[figure] ?? null, base: base ?? null };
}

describe('dashboard goals against each period’s own report', () => {
  it('gives every goal period and trend year the value of that period’s report, protected and not', async () => {
    const specs: GoalSpec[] = [
      { figure: 'shareToWorkOrStudies', periodType: 'tertial', filter: {}, target: 0.4 },
      { figure: 'entries', periodType: 'year', filter: {}, target: 40 },
      { figure: 'uniquePersons', periodType: 'quarter', filter: {}, target: 10 },
      { figure: 'medianDaysInInsats', periodType: 'half_year', filter: {}, target: 150, comparator: '<=' },
      { figure: 'shareReturners', periodType: 'year', filter: {}, target: 0.05 },
      { figure: 'shareMovedToSelfSupport', periodType: 'tertial', filter: {}, target: 0.3 },
      { figure: 'returners', periodType: 'year', filter: {}, target: 1 },
      // Goals with filters of their own: each distinct filter is one more statement.
      { figure: 'exits', periodType: 'quarter', filter: { sex: 'kvinna' }, target: 2 },
      {
        figure: 'toWorkOrStudies',
        periodType: 'year',
        filter: { interventionIds: [fx.interventionId] },
        target: 4,
      },
      {
        figure: 'ongoingAtEnd',
        periodType: 'half_year',
        filter: { interventionIds: [fx.interventionId] },
        target: 2,
      },
      { figure: 'returners', periodType: 'tertial', filter: { ageBand: '30-39' }, target: 1 },
      {
        figure: 'shareToWorkOrStudies',
        periodType: 'year',
        filter: { sex: 'man' },
        target: 0.2,
        reference: { label: 'Riksgenomsnitt', values: { '2025': 0.34 } },
      },
      {
        figure: 'entries',
        periodType: 'quarter',
        filter: { interventionIds: [fx.otherInterventionId] },
        target: 1,
      },
    ];
    for (const [i, s] of specs.entries()) {
      const res = await admin.post('/api/associations/panel/goals', {
        name: `Mål ${i}`,
        definition: { kind: 'register', figure: s.figure, filter: s.filter },
        periodType: s.periodType,
        comparator: s.comparator ?? '>=',
        target: s.target,
        ...(s.reference ? { reference: s.reference } : {}),
        validFromYear: 2023,
      });
      expect(res.statusCode).toBe(201);
    }
    let compared = 0;
    for (const [client, protect] of [
      [admin, false],
      [board, true],
    ] as const) {
      const d = (await client.get('/api/associations/panel/dashboard?year=2025')).json();
      expect(d.protected).toBe(protect);
      // The key figures are the year's own report.
      const year = (
        await client.get(
          `/api/associations/panel/reports/outcomes?${reportQuery(d.period.from, d.period.to, {})}`,
        )
      ).json();
      expect(d.figures).toEqual(year);
      expect(d.goals).toHaveLength(specs.length);
      for (const g of d.goals as {
        goal: {
          definition: { figure: GoalFigure; filter: ReportFilter };
          target: number;
          comparator: '>=' | '<=';
        };
        periods: {
          periodKey: string;
          from: string;
          to: string;
          value: number | null;
          target: number;
          status: string;
        }[];
        trend: { year: number; value: number | null; target: number; status: string }[];
      }[]) {
        const { figure, filter } = g.goal.definition;
        const evaluations = [
          ...g.periods,
          ...g.trend.map((x) => ({
            ...x,
            periodKey: String(x.year),
            from: `${x.year}-01-01`,
            to: `${x.year}-12-31`,
          })),
        ];
        expect(g.trend.map((x) => x.year)).toEqual([2023, 2024, 2025]);
        for (const ev of evaluations) {
          const report = (
            await client.get(
              `/api/associations/panel/reports/outcomes?${reportQuery(ev.from, ev.to, filter)}`,
            )
          ).json() as ReportJson;
          const { value, base } = figureOf(report, figure);
          const status =
            value === null || base === null || base < MIN_PUBLISHED_COUNT
              ? 'too_few'
              : judge(value, ev.target, g.goal.comparator, GOAL_FIGURES[figure] === 'share');
          expect({
            protect,
            figure,
            filter,
            period: ev.periodKey,
            value: ev.value,
            status: ev.status,
          }).toEqual({
            protect,
            figure,
            filter,
            period: ev.periodKey,
            value,
            status,
          });
          compared++;
        }
      }
    }
    // Every period type and the trend of every goal, for both viewers.
    expect(compared).toBeGreaterThan(100);
  });

  it('never gives the board a value that its report suppresses', async () => {
    const d = (await board.get('/api/associations/panel/dashboard?year=2025')).json();
    const values = (d.goals as { periods: { value: number | null }[] }[]).flatMap((g) =>
      g.periods.map((p) => p.value),
    );
    // Small counts (1–4) never appear as a goal's count value for the board.
    const counts = (
      d.goals as { goal: { definition: { figure: GoalFigure } }; periods: { value: number | null }[] }[]
    )
      .filter((g) => GOAL_FIGURES[g.goal.definition.figure] === 'count')
      .flatMap((g) => g.periods.map((p) => p.value));
    expect(counts.some((v) => v === null)).toBe(true);
    for (const v of counts) if (v !== null) expect(v === 0 || v >= MIN_PUBLISHED_COUNT).toBe(true);
    expect(values.length).toBeGreaterThan(0);
  });
});
