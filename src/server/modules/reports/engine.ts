/**
 * The report engine: runs the aggregate queries, assembles the figures of domain.md §5 and applies
 * small-number protection when the viewer has no person-level rights over everything in the report.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Breakdown, GoalFigure, Period, ReportFilter } from '../../../shared/report-schemas.js';
import {
  CORE_COLUMNS,
  monthlyVolumes,
  outcomeReportRows,
  outcomeRowsByPeriod,
  type AnonymousRow,
  type CoreColumn,
  type CoreRow,
  type KeyedPeriod,
  type MonthRow,
  type QueryScope,
  type ReportRows,
} from './queries.js';
import { suppressCells, type Line, MIN_PUBLISHED_COUNT } from './suppression.js';
import { INCOME_GROUP_CODES } from '../../../shared/participants.js';

export const COUNT_FIELDS = [
  'entries',
  'identifiedEntries',
  'anonymousEntries',
  'exits',
  'exitsExcludingErrors',
  'anonymousExits',
  'toWorkOrStudies',
  'ongoingAtEnd',
  'participations',
  'uniquePersons',
  'returners',
] as const;
export type CountField = (typeof COUNT_FIELDS)[number];

export const SHARE_FIELDS = ['shareToWorkOrStudies', 'shareReturners'] as const;
export type ShareField = (typeof SHARE_FIELDS)[number];

/**
 * One group's figures. Counts are integers, shares fractions 0–1, the median in days. A suppressed
 * value is null and the object has `suppressed: true` and lists the fields in `suppressedFields`.
 */
export type Figures = Record<CountField, number | null> &
  Record<ShareField, number | null> & {
    medianDaysInInsats: number | null;
    daysDistribution: { band: string; count: number | null }[];
    suppressed: boolean;
    suppressedFields: string[];
  };

export const DAY_BANDS = ['0-90', '91-180', '181-365', '366-730', '731+'] as const;
const DAY_COLUMNS = ['days_0_90', 'days_91_180', 'days_181_365', 'days_366_730', 'days_731_plus'] as const;
export const INCOME_GROUPS = INCOME_GROUP_CODES;
const SEX_KEYS = ['kvinna', 'man'] as const;

interface RawFigures {
  counts: Record<CountField, number>;
  days: number[];
  median: number | null;
}

function raw(core: CoreRow | undefined, anon: AnonymousRow | undefined): RawFigures {
  const identifiedEntries = core?.entries ?? 0;
  const anonymousEntries = anon?.entries ?? 0;
  const exitsExcludingErrors = core?.exits ?? 0;
  const anonymousExits = anon?.exits ?? 0;
  return {
    counts: {
      entries: identifiedEntries + anonymousEntries,
      identifiedEntries,
      anonymousEntries,
      exits: exitsExcludingErrors + anonymousExits,
      exitsExcludingErrors,
      anonymousExits,
      toWorkOrStudies: core?.to_work_or_studies ?? 0,
      ongoingAtEnd: core?.ongoing_at_end ?? 0,
      participations: core?.participations ?? 0,
      uniquePersons: core?.unique_persons ?? 0,
      returners: core?.returners ?? 0,
    },
    days: DAY_COLUMNS.map((c) => core?.[c] ?? 0),
    median: core?.median_days ?? null,
  };
}

/**
 * Registry of published counts with the additive relations between them, so that suppression can be
 * decided for all of them at once.
 */
class CellSet {
  values: number[] = [];
  lines: Line[] = [];
  private index = new Map<string, number>();
  add(key: string, value: number): number {
    const existing = this.index.get(key);
    if (existing !== undefined) return existing;
    this.values.push(value);
    this.index.set(key, this.values.length - 1);
    return this.values.length - 1;
  }
  keys(): string[] {
    return [...this.index.keys()];
  }
  /**
   * Secondary suppression hides sub-counts (identified/anonymous, day bands, matrix cells) before
   * the headline figures and their split by sex.
   */
  costs(): number[] {
    return this.keys().map((k) => {
      if (/\.(identifiedEntries|anonymousEntries|anonymousExits)$/.test(k) || k.includes('.days.')) return 0;
      // The volume of exits goes before the outcome base (exits excluding errors) the shares need.
      if (k.startsWith('m.') || k.startsWith('b') || /\.exits$/.test(k)) return 1;
      return 2;
    });
  }
  id(key: string): number {
    const i = this.index.get(key);
    if (i === undefined) throw new Error(`no cell ${key}`);
    return i;
  }
  line(total: string | undefined, parts: string[]) {
    this.lines.push({ parts: parts.map((p) => this.id(p)), ...(total ? { total: this.id(total) } : {}) });
  }
}

/** Registers a group's figures and their internal relations (entries = identified + anonymous, …). */
function registerGroup(cells: CellSet, prefix: string, r: RawFigures) {
  for (const f of COUNT_FIELDS) cells.add(`${prefix}.${f}`, r.counts[f]);
  DAY_BANDS.forEach((b, i) => cells.add(`${prefix}.days.${b}`, r.days[i]!));
  cells.line(`${prefix}.entries`, [`${prefix}.identifiedEntries`, `${prefix}.anonymousEntries`]);
  cells.line(`${prefix}.exits`, [`${prefix}.exitsExcludingErrors`, `${prefix}.anonymousExits`]);
  cells.line(
    `${prefix}.exitsExcludingErrors`,
    DAY_BANDS.map((b) => `${prefix}.days.${b}`),
  );
}

/** total = kvinna + man for every count of the group. */
function registerSexLines(cells: CellSet, prefix: string) {
  for (const f of [...COUNT_FIELDS, ...DAY_BANDS.map((b) => `days.${b}`)])
    cells.line(
      `${prefix}.${f}`,
      SEX_KEYS.map((s) => `${prefix}.${s}.${f}`),
    );
}

function publish(
  cells: CellSet,
  hidden: Set<number>,
  prefix: string,
  r: RawFigures,
  protect: boolean,
): Figures {
  const suppressedFields: string[] = [];
  const get = (key: string, value: number) => {
    if (protect && hidden.has(cells.id(`${prefix}.${key}`))) {
      suppressedFields.push(key);
      return null;
    }
    return value;
  };
  const counts = Object.fromEntries(COUNT_FIELDS.map((f) => [f, get(f, r.counts[f])])) as Record<
    CountField,
    number | null
  >;
  const share = (field: ShareField, num: CountField, den: CountField) => {
    const base = r.counts[den];
    if (base === 0) return null;
    if (protect && (counts[num] === null || counts[den] === null || base < MIN_PUBLISHED_COUNT)) {
      suppressedFields.push(field);
      return null;
    }
    return r.counts[num] / base;
  };
  const shareToWorkOrStudies = share('shareToWorkOrStudies', 'toWorkOrStudies', 'exitsExcludingErrors');
  const shareReturners = share('shareReturners', 'returners', 'identifiedEntries');
  let medianDaysInInsats = r.median;
  if (
    protect &&
    medianDaysInInsats !== null &&
    (counts.exitsExcludingErrors === null || r.counts.exitsExcludingErrors < MIN_PUBLISHED_COUNT)
  ) {
    suppressedFields.push('medianDaysInInsats');
    medianDaysInInsats = null;
  }
  const daysDistribution = DAY_BANDS.map((band, i) => ({ band, count: get(`days.${band}`, r.days[i]!) }));
  return {
    ...counts,
    shareToWorkOrStudies,
    shareReturners,
    medianDaysInInsats,
    daysDistribution,
    suppressed: suppressedFields.length > 0,
    suppressedFields,
  };
}

export interface OutcomeReportRequest {
  period: Period;
  filter: ReportFilter;
  breakdown?: Exclude<Breakdown, 'sex'> | undefined;
  /** Apply small-number protection (viewer without person-level rights, public export, cross-association). */
  protect: boolean;
}

export interface GroupFigures {
  total: Figures;
  bySex: Record<'kvinna' | 'man', Figures>;
}

export interface IncomeMatrixCell {
  entryGroup: string;
  exitGroup: string;
  count: number | null;
  share: number | null;
}

export interface OutcomeReport extends GroupFigures {
  period: Period;
  filter: ReportFilter;
  protected: boolean;
  breakdown: { dimension: string; rows: ({ key: string } & GroupFigures)[] } | null;
  incomeMatrix: {
    groups: readonly string[];
    total: IncomeMatrixCell[];
    bySex: Record<'kvinna' | 'man', IncomeMatrixCell[]>;
    movedToSelfSupport: number | null;
    publicSupportAtEntry: number | null;
    shareMovedToSelfSupport: number | null;
  };
}

/** Computes every outcome figure for a period and filter, split by sex, optionally broken down further. */
export async function computeOutcomeReport(
  db: Kysely<DB>,
  scope: QueryScope,
  req: OutcomeReportRequest,
): Promise<OutcomeReport> {
  // One statement: the breakdown's grouping sets give the whole too, and the income matrix and
  // the anonymous counts are groupings of the same rows.
  const rows = await outcomeReportRows(db, scope, req.period, req.filter, req.breakdown);
  return assembleOutcomeReport(req, rows);
}

/** The query rows a report is assembled from; the whole has dimension value 'total'. */
export type OutcomeRows = ReportRows;

/**
 * Assembles and protects a report from its query rows. Separate from the queries so that the
 * cross-association comparison can fetch the rows of every association in one grouped pass and
 * still protect each association exactly as its own report is protected.
 */
export function assembleOutcomeReport(req: OutcomeReportRequest, rows: OutcomeRows): OutcomeReport {
  const { period, filter } = req;
  const { coreTotal, anonTotal, income, coreBreak, anonBreak } = rows;
  const find = <T extends { dim: string; sex: string | null }>(rows: T[], dim: string, sex: string | null) =>
    rows.find((r) => r.dim === dim && r.sex === sex);

  const rawTotal = raw(find(coreTotal, 'total', null), find(anonTotal, 'total', null));
  const rawSex = Object.fromEntries(
    SEX_KEYS.map((s) => [s, raw(find(coreTotal, 'total', s), find(anonTotal, 'total', s))]),
  ) as Record<'kvinna' | 'man', RawFigures>;

  // Breakdown rows: each row is split by sex, and the rows add up to the total for additive counts.
  const keys = [...new Set(coreBreak.map((r) => r.dim))].sort();
  const rowsRaw = keys.map((key) => ({
    key,
    total: raw(find(coreBreak, key, null), find(anonBreak, key, null)),
    bySex: Object.fromEntries(
      SEX_KEYS.map((s) => [s, raw(find(coreBreak, key, s), find(anonBreak, key, s))]),
    ) as Record<'kvinna' | 'man', RawFigures>,
  }));

  // Income matrix: a table per sex and a total table; rows, columns and sexes add up.
  const matrixValue = (sex: string | null, eg: string, xg: string) =>
    income.find((r) => r.sex === sex && r.entry_group === eg && r.exit_group === xg)?.n ?? 0;
  const tables = ['all', ...SEX_KEYS] as const;
  const movedAll = income.filter((r) => r.sex === null).reduce((s, r) => s + r.moved_to_self_support, 0);
  const publicAll = income.filter((r) => r.sex === null).reduce((s, r) => s + r.public_at_entry, 0);

  /** The published cells and their additive relations, with or without the breakdown rows. */
  const register = (withBreakdown: boolean) => {
    const cells = new CellSet();
    registerGroup(cells, 't', rawTotal);
    for (const s of SEX_KEYS) registerGroup(cells, `t.${s}`, rawSex[s]);
    registerSexLines(cells, 't');
    if (withBreakdown) {
      rowsRaw.forEach((row, i) => {
        registerGroup(cells, `b${i}`, row.total);
        for (const s of SEX_KEYS) registerGroup(cells, `b${i}.${s}`, row.bySex[s]);
        registerSexLines(cells, `b${i}`);
      });
      if (rowsRaw.length) {
        // A person can appear in several rows (two insatser, a birthday between entries, a move),
        // so unique persons do not add up across rows. Anonymous participants have no age or
        // municipality, so only identified counts add up across those rows.
        const withAnonymous = req.breakdown === 'intervention';
        const anonymousFields: readonly CountField[] = [
          'entries',
          'anonymousEntries',
          'exits',
          'anonymousExits',
        ];
        const additive = COUNT_FIELDS.filter(
          (f) => f !== 'uniquePersons' && (withAnonymous || !anonymousFields.includes(f)),
        );
        for (const prefix of ['', ...SEX_KEYS.map((s) => `.${s}`)])
          for (const f of additive)
            cells.line(
              `t${prefix}.${f}`,
              rowsRaw.map((_, i) => `b${i}${prefix}.${f}`),
            );
      }
    }
    for (const t of tables)
      for (const eg of INCOME_GROUPS)
        for (const xg of INCOME_GROUPS)
          cells.add(`m.${t}.${eg}.${xg}`, matrixValue(t === 'all' ? null : t, eg, xg));
    for (const t of tables) {
      for (const eg of INCOME_GROUPS)
        cells.line(
          undefined,
          INCOME_GROUPS.map((xg) => `m.${t}.${eg}.${xg}`),
        );
      // Each table's cells add up to that group's exits (excluding errors).
      cells.line(
        t === 'all' ? 't.exitsExcludingErrors' : `t.${t}.exitsExcludingErrors`,
        INCOME_GROUPS.flatMap((eg) => INCOME_GROUPS.map((xg) => `m.${t}.${eg}.${xg}`)),
      );
    }
    for (const eg of INCOME_GROUPS)
      for (const xg of INCOME_GROUPS)
        cells.line(
          `m.all.${eg}.${xg}`,
          SEX_KEYS.map((s) => `m.${s}.${eg}.${xg}`),
        );
    cells.add('m.moved', movedAll);
    cells.add('m.public', publicAll);
    return cells;
  };
  const cells = register(true);
  let hidden = new Set<number>();
  if (req.protect && rowsRaw.length === 0)
    hidden = suppressCells(cells.values, cells.lines, { cost: cells.costs() });
  else if (req.protect) {
    // Settle the whole-group cells as the report without a breakdown does, then let the breakdown
    // hide more only among its own rows: two views of the same data can then never be combined to
    // reveal a cell that one of them hides.
    const base = register(false);
    const baseHidden = suppressCells(base.values, base.lines, { cost: base.costs() });
    const preHidden = new Set(
      base
        .keys()
        .filter((k) => baseHidden.has(base.id(k)))
        .map((k) => cells.id(k)),
    );
    const frozen = new Set(base.keys().map((k) => cells.id(k)));
    hidden = suppressCells(cells.values, cells.lines, { preHidden, frozen, cost: cells.costs() });
  }
  const protect = req.protect;
  const pub = (prefix: string, r: RawFigures) => publish(cells, hidden, prefix, r, protect);
  const matrixTable = (t: (typeof tables)[number]): IncomeMatrixCell[] => {
    const exitsBase =
      t === 'all' ? rawTotal.counts.exitsExcludingErrors : rawSex[t].counts.exitsExcludingErrors;
    return INCOME_GROUPS.flatMap((eg) =>
      INCOME_GROUPS.map((xg) => {
        const v = matrixValue(t === 'all' ? null : t, eg, xg);
        // A zero reveals no one; other cells follow the table's suppression. Shares need a base of 5.
        const isHidden = protect && hidden.has(cells.id(`m.${t}.${eg}.${xg}`));
        return {
          entryGroup: eg,
          exitGroup: xg,
          count: isHidden ? null : v,
          share:
            isHidden || exitsBase === 0 || (protect && exitsBase < MIN_PUBLISHED_COUNT)
              ? null
              : v / exitsBase,
        };
      }),
    );
  };
  const movedHidden =
    protect &&
    (hidden.has(cells.id('m.moved')) || hidden.has(cells.id('m.public')) || publicAll < MIN_PUBLISHED_COUNT);
  return {
    period,
    filter,
    protected: protect,
    total: pub('t', rawTotal),
    bySex: { kvinna: pub('t.kvinna', rawSex.kvinna), man: pub('t.man', rawSex.man) },
    breakdown: req.breakdown
      ? {
          dimension: req.breakdown,
          rows: rowsRaw.map((row, i) => ({
            key: row.key,
            total: pub(`b${i}`, row.total),
            bySex: { kvinna: pub(`b${i}.kvinna`, row.bySex.kvinna), man: pub(`b${i}.man`, row.bySex.man) },
          })),
        }
      : null,
    incomeMatrix: {
      groups: INCOME_GROUPS,
      total: matrixTable('all'),
      bySex: { kvinna: matrixTable('kvinna'), man: matrixTable('man') },
      movedToSelfSupport: protect && hidden.has(cells.id('m.moved')) ? null : movedAll,
      publicSupportAtEntry: protect && hidden.has(cells.id('m.public')) ? null : publicAll,
      shareMovedToSelfSupport: publicAll === 0 || movedHidden ? null : movedAll / publicAll,
    },
  };
}

/**
 * What a view reads from a period's report: all of it, or a goal's figure (the value and the base
 * its judgement needs).
 */
export type ReportNeed = 'all' | GoalFigure;

/** The core columns each goal figure and its base are computed from (anonymous counts always are). */
const FIGURE_COLUMNS: Record<GoalFigure, readonly CoreColumn[]> = {
  entries: ['entries'],
  exits: ['exits'],
  ongoingAtEnd: ['ongoing_at_end'],
  uniquePersons: ['unique_persons'],
  toWorkOrStudies: ['to_work_or_studies'],
  shareToWorkOrStudies: ['to_work_or_studies', 'exits'],
  shareMovedToSelfSupport: [],
  returners: ['returners'],
  shareReturners: ['returners', 'entries'],
  medianDaysInInsats: ['median_days', 'exits'],
};

/** A period of `computePeriodReports` and what is read from its report. */
export interface PeriodRequest {
  key: string;
  period: Period;
  needs: ReadonlySet<ReportNeed>;
}

/**
 * Outcome reports (no breakdown) for several periods with one filter, from one statement
 * (`outcomeRowsByPeriod`), keyed by period key.
 *
 * A period that needs 'all' gets a complete report: assembled and protected exactly as
 * `computeOutcomeReport` does for the period alone (the same rows, the same cells and lines for
 * secondary suppression), so it equals that report. A period that only goals read gets what their
 * figures read, and the rest of its report must not be read (the plan's lookup enforces it):
 *
 * - without protection, only the goals' figures and bases: each unprotected figure is computed from
 *   its own counts alone, so it is exactly the period report's;
 * - with protection, every count and the income matrix, because secondary suppression weighs them
 *   all against each other: the cells, their lines and so every suppression are the period
 *   report's. Only the median is left out unless a goal reads it; it is no cell, and whether it is
 *   published depends on the counts alone.
 */
export async function computePeriodReports(
  db: Kysely<DB>,
  scope: QueryScope,
  filter: ReportFilter,
  periods: PeriodRequest[],
  protect: boolean,
  /** Also the monthly volumes of this period (`computeMonthlyVolumes`), from the same statement. */
  monthly?: Period,
): Promise<{ reports: Map<string, OutcomeReport>; monthly: MonthVolumes[] | null }> {
  const keyed: KeyedPeriod[] = periods.map((p) => {
    const all = p.needs.has('all');
    const read = [...p.needs].flatMap((n) => (n === 'all' ? CORE_COLUMNS : FIGURE_COLUMNS[n]));
    const columns = new Set<CoreColumn>(
      protect && !all ? [...CORE_COLUMNS.filter((c) => c !== 'median_days'), ...read] : read,
    );
    return {
      key: p.key,
      from: p.period.from,
      to: p.period.to,
      columns: CORE_COLUMNS.filter((c) => columns.has(c)),
      incomeMatrix: all || protect || p.needs.has('shareMovedToSelfSupport'),
    };
  });
  const rows = await outcomeRowsByPeriod(db, scope, keyed, filter, monthly);
  const of = <T extends { dim: string }>(list: T[], key: string) =>
    list.filter((r) => r.dim === key).map((r) => ({ ...r, dim: 'total' }));
  const reports = new Map(
    periods.map((p) => [
      p.key,
      assembleOutcomeReport(
        { period: p.period, filter, protect },
        {
          coreTotal: of(rows.core, p.key),
          anonTotal: of(rows.anon, p.key),
          income: of(rows.income, p.key),
          coreBreak: [],
          anonBreak: [],
        },
      ),
    ]),
  );
  return { reports, monthly: monthly ? protectMonthlyVolumes(rows.months, protect) : null };
}

/** A filter's canonical key: equal filters (in any key order) share one statement. */
function filterKey(filter: ReportFilter): string {
  return JSON.stringify(Object.entries(filter).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Looks up a planned report; throws for a period, filter or need that was not planned. */
export type PlannedReports = (period: Period, filter: ReportFilter, need: ReportNeed) => OutcomeReport;

/**
 * The (period, filter) pairs a view reads (the dashboard's year so far, goal periods, trend years),
 * computed together: each distinct pair once, one `computePeriodReports` statement per distinct
 * filter, all started at once (on PostgreSQL they run in parallel on the pool).
 */
export class PeriodReportPlan {
  private readonly groups = new Map<
    string,
    {
      filter: ReportFilter;
      periods: Map<string, { period: Period; needs: Set<ReportNeed> }>;
      monthly?: Period;
    }
  >();

  private group(filter: ReportFilter) {
    const fk = filterKey(filter);
    let group = this.groups.get(fk);
    if (!group) {
      group = { filter, periods: new Map() };
      this.groups.set(fk, group);
    }
    return group;
  }

  /** Asks for the monthly volumes of a period and filter (one period per filter). */
  addMonthlyVolumes(period: Period, filter: ReportFilter): void {
    const group = this.group(filter);
    if (group.monthly && (group.monthly.from !== period.from || group.monthly.to !== period.to))
      throw new Error('one period of monthly volumes per filter');
    group.monthly = { from: period.from, to: period.to };
  }

  /** Asks for what `need` reads of the report of a period and filter. */
  add(period: Period, filter: ReportFilter, need: ReportNeed): void {
    const group = this.group(filter);
    const key = `${period.from}/${period.to}`;
    const known = group.periods.get(key);
    if (known) known.needs.add(need);
    else group.periods.set(key, { period: { from: period.from, to: period.to }, needs: new Set([need]) });
  }

  /** Computes every report and the monthly volumes asked for. */
  async run(
    db: Kysely<DB>,
    scope: QueryScope,
    protect: boolean,
  ): Promise<{ report: PlannedReports; monthlyVolumes: (filter: ReportFilter) => MonthVolumes[] }> {
    const computed = new Map(
      await Promise.all(
        [...this.groups].map(async ([fk, g]) => {
          const requests = [...g.periods].map(([key, p]) => ({ key, ...p }));
          return [fk, await computePeriodReports(db, scope, g.filter, requests, protect, g.monthly)] as const;
        }),
      ),
    );
    return {
      report: (period, filter, need) => {
        const fk = filterKey(filter);
        const key = `${period.from}/${period.to}`;
        const planned = this.groups.get(fk)?.periods.get(key);
        const report = computed.get(fk)?.reports.get(key);
        if (!planned || !report || !(planned.needs.has('all') || planned.needs.has(need)))
          throw new Error(`report ${key} was not planned for ${need}`);
        return report;
      },
      monthlyVolumes: (filter) => {
        const months = computed.get(filterKey(filter))?.monthly;
        if (!months) throw new Error('monthly volumes were not planned');
        return months;
      },
    };
  }
}

export interface MonthVolumes {
  month: string;
  entries: number | null;
  exits: number | null;
  ongoingAtEnd: number | null;
  bySex: Record<
    'kvinna' | 'man',
    { entries: number | null; exits: number | null; ongoingAtEnd: number | null }
  >;
}

/** Identified volumes month by month (the chart "volumes over time"), protected like every aggregate. */
export async function computeMonthlyVolumes(
  db: Kysely<DB>,
  scope: QueryScope,
  period: Period,
  filter: ReportFilter,
  protect: boolean,
): Promise<MonthVolumes[]> {
  return protectMonthlyVolumes(await monthlyVolumes(db, scope, period, filter), protect);
}

/** Monthly volumes from their query rows, protected like every aggregate. */
function protectMonthlyVolumes(rows: MonthRow[], protect: boolean): MonthVolumes[] {
  const months = [...new Set(rows.map((r) => r.month))];
  const measures = ['entries', 'exits', 'ongoing_at_end'] as const;
  const cells = new CellSet();
  const value = (month: string, sex: string | null, m: (typeof measures)[number]) =>
    rows.find((r) => r.month === month && r.sex === sex)?.[m] ?? 0;
  for (const month of months)
    for (const m of measures) {
      cells.add(`${month}.${m}`, value(month, null, m));
      for (const s of SEX_KEYS) cells.add(`${month}.${m}.${s}`, value(month, s, m));
      cells.line(
        `${month}.${m}`,
        SEX_KEYS.map((s) => `${month}.${m}.${s}`),
      );
    }
  const hidden = protect ? suppressCells(cells.values, cells.lines) : new Set<number>();
  const get = (key: string) => (hidden.has(cells.id(key)) ? null : cells.values[cells.id(key)]!);
  return months.map((month) => ({
    month,
    entries: get(`${month}.entries`),
    exits: get(`${month}.exits`),
    ongoingAtEnd: get(`${month}.ongoing_at_end`),
    bySex: Object.fromEntries(
      SEX_KEYS.map((s) => [
        s,
        {
          entries: get(`${month}.entries.${s}`),
          exits: get(`${month}.exits.${s}`),
          ongoingAtEnd: get(`${month}.ongoing_at_end.${s}`),
        },
      ]),
    ) as MonthVolumes['bySex'],
  }));
}
