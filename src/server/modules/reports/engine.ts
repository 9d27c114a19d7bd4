/**
 * The report engine: runs the aggregate queries, assembles the figures of domain.md §5 and applies
 * small-number protection when the viewer has no person-level rights over everything in the report.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Breakdown, Period, ReportFilter } from '../../../shared/report-schemas.js';
import {
  anonymousFigures,
  coreFigures,
  incomeMatrix,
  monthlyVolumes,
  type AnonymousRow,
  type CoreRow,
  type IncomeRow,
  type QueryScope,
} from './queries.js';
import { suppressCells, type Line, MIN_PUBLISHED_COUNT } from './suppression.js';

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
export const INCOME_GROUPS = [
  'ohalsa',
  'arbetsmarknadsstod',
  'ekonomiskt_bistand',
  'ingen',
  'okand',
] as const;
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
  const { period, filter } = req;
  const anonDim = req.breakdown === 'intervention' ? 'intervention' : undefined;
  const [coreTotal, anonTotal, income, coreBreak, anonBreak] = await Promise.all([
    coreFigures(db, scope, period, filter, 'total'),
    anonymousFigures(db, scope, period, filter, 'total'),
    incomeMatrix(db, scope, period, filter),
    req.breakdown ? coreFigures(db, scope, period, filter, req.breakdown) : Promise.resolve([]),
    anonDim ? anonymousFigures(db, scope, period, filter, anonDim) : Promise.resolve([]),
  ]);
  return assembleOutcomeReport(req, { coreTotal, anonTotal, income, coreBreak, anonBreak });
}

/** The query rows a report is assembled from; the whole has dimension value 'total'. */
export interface OutcomeRows {
  coreTotal: CoreRow[];
  anonTotal: AnonymousRow[];
  income: IncomeRow[];
  coreBreak: CoreRow[];
  anonBreak: AnonymousRow[];
}

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
  const rows = await monthlyVolumes(db, scope, period, filter);
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
