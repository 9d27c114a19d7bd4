/**
 * The report SQL. Every figure is an aggregate computed in PostgreSQL at request time; no
 * participation rows are loaded into JavaScript. Registration errors (felregistrering) are excluded
 * from every figure. Reviewers: this file is the definition of the numbers in domain.md §5.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/types.js';
import { databaseKindOf } from '../../db/index.js';
import type { Period, ReportFilter } from '../../../shared/report-schemas.js';

/** Age at entry in whole years from birth year (only the birth year is stored), banded as in domain.md §5. */
const AGE_BAND_SQL = sql`CASE
  WHEN a.age BETWEEN 16 AND 19 THEN '16-19'
  WHEN a.age BETWEEN 20 AND 24 THEN '20-24'
  WHEN a.age BETWEEN 25 AND 29 THEN '25-29'
  WHEN a.age BETWEEN 30 AND 39 THEN '30-39'
  WHEN a.age BETWEEN 40 AND 49 THEN '40-49'
  WHEN a.age BETWEEN 50 AND 64 THEN '50-64'
  ELSE 'other' END`;

export interface QueryScope {
  associationIds: string[];
  /** Restrict to these insatser (a coordinator's own, or the filter's). */
  interventionIds?: string[] | null;
}

/**
 * The filtered participation set `a` (felregistrering excluded), active at some time in the period.
 * Columns: association_id, id, person_id, intervention_id, sex, age, entry_date, exit_date,
 * occupation_after, is_returner, municipality_code, and the stored income summary
 * entry_income_group, exit_income_group, public_support_at_entry, self_supporting_at_exit
 * (participants/income-summary.ts). The report index carries all of them, so without `withAge`
 * the set is read from that index alone. `age` (at entry) needs the person's birth year: with
 * `withAge` (or an age-band or age-range filter) the persons are joined for it.
 */
function base(scope: QueryScope, period: Period, f: ReportFilter, withAge = false) {
  // A single association is compared with `=`, so that PostgreSQL carries the constant into the
  // persons join (an index lookup per participation) instead of hashing every person of the instance.
  const tenant = (col: string) =>
    scope.associationIds.length === 1
      ? sql`${sql.ref(col)} = ${scope.associationIds[0]}::uuid`
      : sql`${sql.ref(col)} = ANY(${sql.val(scope.associationIds)}::uuid[])`;
  const conds: RawBuilder<unknown>[] = [
    tenant('p.association_id'),
    sql`p.entry_date <= ${period.to}::date`,
    // Still ongoing, or exited on or after the start (written so the report index can range-scan it).
    sql`coalesce(p.exit_date, 'infinity'::date) >= ${period.from}::date`,
    sql`p.exit_reason IS DISTINCT FROM 'registration_error'`,
  ];
  if (scope.interventionIds)
    conds.push(sql`p.intervention_id = ANY(${sql.val(scope.interventionIds)}::uuid[])`);
  if (f.interventionIds?.length)
    conds.push(sql`p.intervention_id = ANY(${sql.val(f.interventionIds)}::uuid[])`);
  if (f.direction) conds.push(sql`i.direction = ${f.direction}`);
  if (f.organiserMemberId) conds.push(sql`i.organiser_member_id = ${f.organiserMemberId}::uuid`);
  if (f.municipalityCode) conds.push(sql`p.municipality_code = ${f.municipalityCode}`);
  if (f.sex) conds.push(sql`p.sex = ${f.sex}`);
  if (f.targetGroupId)
    conds.push(sql`EXISTS (SELECT 1 FROM participation_target_groups t
      WHERE t.association_id = p.association_id AND t.participation_id = p.id AND t.target_group_id = ${f.targetGroupId}::uuid)`);
  const ageRange = f.ageFrom !== undefined || f.ageTo !== undefined;
  const age = withAge || Boolean(f.ageBand) || ageRange;
  const inner = sql`SELECT p.association_id, p.id, p.person_id, p.intervention_id, p.sex,
      ${age ? sql`extract(year FROM p.entry_date)::int - pe.birth_year AS age,` : sql``}
      p.entry_date, p.exit_date, p.occupation_after, p.is_returner, p.municipality_code,
      p.entry_income_group, p.exit_income_group, p.public_support_at_entry, p.self_supporting_at_exit
    FROM participations p
    ${age ? sql`JOIN persons pe ON pe.association_id = p.association_id AND pe.id = p.person_id` : sql``}
    ${
      // Only the direction and organiser filters read the insats; the foreign key guarantees it exists.
      f.direction || f.organiserMemberId
        ? sql`JOIN interventions i ON i.association_id = p.association_id AND i.id = p.intervention_id`
        : sql``
    }
    WHERE ${sql.join(conds, sql` AND `)}`;
  const ageConds: RawBuilder<unknown>[] = [];
  if (f.ageBand) ageConds.push(sql`${AGE_BAND_SQL} = ${f.ageBand}`);
  if (f.ageFrom !== undefined) ageConds.push(sql`a.age >= ${f.ageFrom}::int`);
  if (f.ageTo !== undefined) ageConds.push(sql`a.age <= ${f.ageTo}::int`);
  if (!ageConds.length) return inner;
  return sql`SELECT * FROM (${inner}) a WHERE ${sql.join(ageConds, sql` AND `)}`;
}

export const DIMENSION_SQL = {
  total: sql`'total'`,
  sex: sql`a.sex`,
  ageBand: AGE_BAND_SQL,
  municipality: sql`a.municipality_code`,
  intervention: sql`a.intervention_id::text`,
  // Grouped by the uuid itself (cheaper to sort than its text); the driver returns it as the same
  // text, so rows carry the association's id as a string like every other dimension value.
  association: sql`a.association_id`,
} as const;
export type Dimension = keyof typeof DIMENSION_SQL;

export interface CoreRow {
  dim: string;
  sex: string | null;
  entries: number;
  exits: number;
  to_work_or_studies: number;
  ongoing_at_end: number;
  participations: number;
  unique_persons: number;
  returners: number;
  median_days: number | null;
  days_0_90: number;
  days_91_180: number;
  days_181_365: number;
  days_366_730: number;
  days_731_plus: number;
}

export type CoreColumn = Exclude<keyof CoreRow, 'dim' | 'sex'>;
export const CORE_COLUMNS: readonly CoreColumn[] = [
  'entries',
  'exits',
  'to_work_or_studies',
  'ongoing_at_end',
  'participations',
  'unique_persons',
  'returners',
  'median_days',
  'days_0_90',
  'days_91_180',
  'days_181_365',
  'days_366_730',
  'days_731_plus',
];

/**
 * The core aggregates over a participation set `a` for the period [from, to], by column: one
 * definition for every report, the dashboard and the goals. `from` and `to` are SQL expressions.
 * `within`, when given, restricts every aggregate to the rows it holds for (e.g. one sex).
 * `periodSet`, when given, is base()'s period condition for [from, to]: the multi-period query
 * reads the periods' union and narrows each period's aggregates to the period's own set. An entry
 * or an exit in the period implies that condition (an exit is never before its entry: a CHECK on
 * participations), so only the aggregates over every row of the set (ongoing, participations,
 * unique persons) get it.
 */
function coreAggregates(
  from: RawBuilder<unknown>,
  to: RawBuilder<unknown>,
  within?: RawBuilder<unknown>,
  periodSet?: RawBuilder<unknown>,
): Record<CoreColumn, RawBuilder<unknown>> {
  const inPeriod = (col: string) => sql`${sql.ref(col)} BETWEEN ${from} AND ${to}`;
  const exited = inPeriod('a.exit_date');
  const days = sql`(a.exit_date - a.entry_date)`;
  const where = (...conds: RawBuilder<unknown>[]) => {
    const all = within ? [within, ...conds] : conds;
    return all.length ? sql` FILTER (WHERE ${sql.join(all, sql` AND `)})` : sql``;
  };
  const count = (...conds: RawBuilder<unknown>[]) => sql`count(*)${where(...conds)}::int`;
  const inSet = periodSet ? [periodSet] : [];
  return {
    entries: count(inPeriod('a.entry_date')),
    exits: count(exited),
    to_work_or_studies: count(exited, sql`a.occupation_after IN ('work', 'studies')`),
    ongoing_at_end: count(...inSet, sql`(a.exit_date IS NULL OR a.exit_date > ${to})`),
    participations: count(...inSet),
    unique_persons: sql`count(DISTINCT a.person_id)${where(...inSet)}::int`,
    returners: count(inPeriod('a.entry_date'), sql`a.is_returner`),
    median_days: sql`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${days})${where(exited)}`,
    days_0_90: count(exited, sql`${days} <= 90`),
    days_91_180: count(exited, sql`${days} BETWEEN 91 AND 180`),
    days_181_365: count(exited, sql`${days} BETWEEN 181 AND 365`),
    days_366_730: count(exited, sql`${days} BETWEEN 366 AND 730`),
    days_731_plus: count(exited, sql`${days} > 730`),
  };
}

/** Every core aggregate of one period, as the columns of a CoreRow. */
function coreColumns(from: RawBuilder<unknown>, to: RawBuilder<unknown>) {
  const aggs = coreAggregates(from, to);
  return sql.join(CORE_COLUMNS.map((c) => sql`${aggs[c]} AS ${sql.ref(c)}`));
}

const numericMedian = (row: CoreRow): CoreRow => ({
  ...row,
  median_days: row.median_days === null ? null : Number(row.median_days),
});

/**
 * Volumes, outcome, returners and time in insats for identified participants, per dimension value,
 * both per sex and for both sexes together (GROUPING SETS), in one pass.
 */
export async function coreFigures(
  db: Kysely<DB>,
  scope: QueryScope,
  period: Period,
  f: ReportFilter,
  dimension: Dimension,
): Promise<CoreRow[]> {
  const r = await sql<CoreRow>`
    SELECT a.dim, CASE WHEN grouping(a.sex) = 1 THEN NULL ELSE a.sex END AS sex,
      ${coreColumns(sql`${period.from}::date`, sql`${period.to}::date`)}
    FROM (SELECT a.*, ${DIMENSION_SQL[dimension]} AS dim FROM (${base(scope, period, f, dimension === 'ageBand')}) a) a
    GROUP BY GROUPING SETS ((a.dim, a.sex), (a.dim))`.execute(db);
  return r.rows.map(numericMedian);
}

export interface AnonymousRow {
  dim: string;
  sex: string | null;
  entries: number;
  exits: number;
}

/**
 * Anonymous participants (no consent / protected identity): counted in volumes only, by the year of
 * entry (and of exit, for withdrawn consent). A year is counted when it overlaps the period.
 * Filters that need personal data (municipality, age band, target group) exclude them.
 */
export async function anonymousFigures(
  db: Kysely<DB>,
  scope: QueryScope,
  period: Period,
  f: ReportFilter,
  dimension: 'total' | 'sex' | 'intervention' | 'association',
): Promise<AnonymousRow[]> {
  const anon = anonymousBase(scope, f);
  if (!anon) return [];
  const fromYear = Number(period.from.slice(0, 4));
  const toYear = Number(period.to.slice(0, 4));
  const dim = dimension === 'sex' ? sql`'total'` : DIMENSION_SQL[dimension];
  const r = await sql<AnonymousRow>`
    SELECT a.dim, CASE WHEN grouping(a.sex) = 1 THEN NULL ELSE a.sex END AS sex,
      ${anonymousAggregates(sql`${fromYear}`, sql`${toYear}`)}
    FROM (SELECT a.*, ${dim} AS dim FROM (${anon}) a) a
    GROUP BY GROUPING SETS ((a.dim, a.sex), (a.dim))`.execute(db);
  return r.rows;
}

/**
 * The anonymous counts `a` a filter selects, or null when the filter needs personal data
 * (municipality, age, target group), which excludes them.
 */
function anonymousBase(scope: QueryScope, f: ReportFilter) {
  if (f.municipalityCode || f.ageBand || f.targetGroupId) return null;
  if (f.ageFrom !== undefined || f.ageTo !== undefined) return null;
  const conds: RawBuilder<unknown>[] = [
    sql`a.association_id = ANY(${sql.val(scope.associationIds)}::uuid[])`,
  ];
  if (scope.interventionIds)
    conds.push(sql`a.intervention_id = ANY(${sql.val(scope.interventionIds)}::uuid[])`);
  if (f.interventionIds?.length)
    conds.push(sql`a.intervention_id = ANY(${sql.val(f.interventionIds)}::uuid[])`);
  if (f.direction) conds.push(sql`i.direction = ${f.direction}`);
  if (f.organiserMemberId) conds.push(sql`i.organiser_member_id = ${f.organiserMemberId}::uuid`);
  if (f.sex) conds.push(sql`a.sex = ${f.sex}`);
  return sql`SELECT a.* FROM anonymous_participations a
      JOIN interventions i ON i.association_id = a.association_id AND i.id = a.intervention_id
      WHERE ${sql.join(conds, sql` AND `)}`;
}

/** Anonymous entries and exits of the years [fromYear, toYear] (a year counts when it overlaps the period). */
function anonymousAggregates(fromYear: RawBuilder<unknown>, toYear: RawBuilder<unknown>) {
  return sql`coalesce(sum(a.count) FILTER (WHERE a.year BETWEEN ${fromYear} AND ${toYear}), 0)::int AS entries,
      coalesce(sum(a.count) FILTER (WHERE a.exit_year BETWEEN ${fromYear} AND ${toYear}), 0)::int AS exits`;
}

export interface IncomeRow {
  /** 'total', or the association id when grouped by association. */
  dim: string;
  sex: string | null;
  entry_group: string;
  exit_group: string;
  n: number;
  public_at_entry: number;
  moved_to_self_support: number;
}

/**
 * The income matrix's counts over a set `a` of exits carrying the stored income summary (`base()`),
 * for a GROUP BY on a.entry_income_group and a.exit_income_group: the exits, those with public
 * support at entry, and those of them who moved to self-support.
 */
function incomeMatrixAggregates() {
  const c = incomeMatrixCounts();
  return sql`${c.n} AS n, ${c.public_at_entry} AS public_at_entry,
      ${c.moved_to_self_support} AS moved_to_self_support`;
}

/** The same counts by column; `within`, when given, restricts them to the rows it holds for. */
function incomeMatrixCounts(
  within?: RawBuilder<unknown>,
): Record<'n' | 'public_at_entry' | 'moved_to_self_support', RawBuilder<unknown>> {
  const count = (...conds: RawBuilder<unknown>[]) => {
    const all = within ? [within, ...conds] : conds;
    return sql`count(*)${all.length ? sql` FILTER (WHERE ${sql.join(all, sql` AND `)})` : sql``}::int`;
  };
  return {
    n: count(),
    public_at_entry: count(sql`a.public_support_at_entry`),
    moved_to_self_support: count(sql`a.public_support_at_entry`, sql`a.self_supporting_at_exit`),
  };
}

/**
 * Income source at entry → at exit for exits in the period. Each participation is placed by the
 * national group of its main source per phase (largest extent), and "moved to self-support" = some
 * public support at entry, and at exit a known source and no public support: the summary stored
 * on the participation when its income lines are written (participants/income-summary.ts), so
 * this is a GROUP BY over the same participations as the core figures, without the income lines.
 * With dimension 'association', one matrix per association (the cross-association comparison
 * fetches all of them in one pass).
 */
export async function incomeMatrix(
  db: Kysely<DB>,
  scope: QueryScope,
  period: Period,
  f: ReportFilter,
  dimension: 'total' | 'association' = 'total',
): Promise<IncomeRow[]> {
  const dim = dimension === 'association' ? sql`a.association_id::text` : sql`'total'`;
  const r = await sql<IncomeRow>`
    SELECT a.dim, CASE WHEN grouping(a.sex) = 1 THEN NULL ELSE a.sex END AS sex,
      a.entry_income_group AS entry_group, a.exit_income_group AS exit_group,
      ${incomeMatrixAggregates()}
    FROM (
      SELECT a.*, ${dim} AS dim FROM (${base(scope, period, f)}) a
      WHERE a.exit_date BETWEEN ${period.from}::date AND ${period.to}::date
        -- The same, as an upper bound on the report index's key: it reads only the period's exits.
        AND coalesce(a.exit_date, 'infinity'::date) <= ${period.to}::date
    ) a
    GROUP BY GROUPING SETS ((a.dim, a.sex, a.entry_income_group, a.exit_income_group),
      (a.dim, a.entry_income_group, a.exit_income_group))`.execute(db);
  return r.rows;
}

/**
 * The cross-association comparison's rows: exactly what `coreFigures(…, 'association')` and
 * `incomeMatrix(…, 'association')` return for the same scope and period, computed the cheap way
 * for many associations (at the national benchmark size, 436,000 participations in a year).
 *
 * - Core figures: PostgreSQL cannot spread their distinct persons and medians over parallel
 *   workers, so the associations are split in two halves, each `coreFigures` of its own, run at
 *   the same time on two connections (one after the other on the embedded database). Each
 *   association's rows depend on its participations alone, so the halves' rows are the rows.
 * - Income matrix, next to them: the period's exits only (a range of the report index), grouped
 *   by association, sex and the two stored groups, without grouping sets; the rows of both sexes
 *   together are the sums over the sexes (each participation has one sex), added here.
 */
export async function comparisonRows(
  db: Kysely<DB>,
  scope: QueryScope,
  period: Period,
): Promise<{ core: CoreRow[]; income: IncomeRow[] }> {
  const halves = [0, 1]
    .map((h) => scope.associationIds.filter((_, i) => i % 2 === h))
    .filter((ids) => ids.length > 0);
  const [income, ...cores] = await Promise.all([
    sql<IncomeRow>`
      SELECT a.association_id::text AS dim, a.sex, a.entry_income_group AS entry_group,
        a.exit_income_group AS exit_group, ${incomeMatrixAggregates()}
      FROM (${base(scope, period, {})}) a
      WHERE a.exit_date BETWEEN ${period.from}::date AND ${period.to}::date
        AND coalesce(a.exit_date, 'infinity'::date) <= ${period.to}::date
      GROUP BY a.association_id, a.sex, a.entry_income_group, a.exit_income_group`.execute(db),
    ...halves.map((associationIds) =>
      coreFigures(db, { ...scope, associationIds }, period, {}, 'association'),
    ),
  ]);
  const both = new Map<string, IncomeRow>();
  for (const r of income.rows) {
    const key = `${r.dim}|${r.entry_group}|${r.exit_group}`;
    const sum = both.get(key);
    if (sum) {
      sum.n += r.n;
      sum.public_at_entry += r.public_at_entry;
      sum.moved_to_self_support += r.moved_to_self_support;
    } else both.set(key, { ...r, sex: null });
  }
  return { core: cores.flat(), income: [...income.rows, ...both.values()] };
}

export interface MonthRow {
  month: string;
  sex: string | null;
  entries: number;
  exits: number;
  ongoing_at_end: number;
}

/**
 * Entries, exits and ongoing participants at each month's end, per sex and together. Entries and
 * exits are counted per month in one pass; ongoing at a month's end = participations that entered
 * before the period + entries − exits up to that month (every exit in the set is on or after the
 * period's start, and its entry is counted before it).
 */
export async function monthlyVolumes(
  db: Kysely<DB>,
  scope: QueryScope,
  period: Period,
  f: ReportFilter,
): Promise<MonthRow[]> {
  const r = await sql<MonthRow>`
    WITH a AS MATERIALIZED (${base(scope, period, f)}),
    ${monthlyCtes(period, 'a')}
    SELECT * FROM months ORDER BY month`.execute(db);
  return r.rows;
}

/**
 * The CTEs of monthly volumes over `set`, a relation holding base()'s rows for the period; the
 * last one, `months`, holds the MonthRows.
 */
function monthlyCtes(period: Period, set: string) {
  const a = sql`${sql.table(set)} a`;
  return sql`month_grid AS (
      SELECT to_char(d, 'YYYY-MM') AS month, d::date AS m_from
      FROM generate_series(date_trunc('month', ${period.from}::date), ${period.to}::date, interval '1 month') d
    ),
    month_events AS (
      SELECT a.sex, date_trunc('month', a.entry_date)::date AS m, 1 AS is_entry, 0 AS is_exit FROM ${a} WHERE a.entry_date >= ${period.from}::date
      UNION ALL
      SELECT a.sex, date_trunc('month', a.exit_date)::date, 0, 1 FROM ${a} WHERE a.exit_date <= ${period.to}::date
    ),
    per_sex_month AS (
      SELECT sex, m, sum(is_entry)::int AS entries, sum(is_exit)::int AS exits FROM month_events GROUP BY sex, m
    ),
    sexes AS (SELECT a.sex, count(*) FILTER (WHERE a.entry_date < ${period.from}::date)::int AS before_period FROM ${a} GROUP BY a.sex),
    per_month AS (
      SELECT g.month, s.sex, coalesce(x.entries, 0) AS entries, coalesce(x.exits, 0) AS exits, s.before_period
      FROM month_grid g CROSS JOIN sexes s LEFT JOIN per_sex_month x ON x.sex = s.sex AND x.m = g.m_from
    ),
    month_volumes AS (
      SELECT month, sex, entries, exits,
        (before_period + sum(entries - exits) OVER (PARTITION BY sex ORDER BY month))::int AS ongoing_at_end
      FROM per_month
    ),
    months AS (
      SELECT month, CASE WHEN grouping(sex) = 1 THEN NULL ELSE sex END AS sex,
        sum(entries)::int AS entries, sum(exits)::int AS exits, sum(ongoing_at_end)::int AS ongoing_at_end
      FROM month_volumes
      GROUP BY GROUPING SETS ((month, sex), (month))
    )`;
}

/**
 * Runs a report's parts, scalar subqueries over the CTEs `ctes`, as one statement, so that the
 * rows are read once for all of them, and returns each part's value.
 *
 * On a PostgreSQL server JIT compilation is off for the statement (SET LOCAL, in a transaction of
 * its own or the caller's). A report of one association reads some thousands of rows, and once
 * the plan's estimated cost passed jit_above_cost (the default 100,000), compiling its many
 * aggregate expressions took longer than running them: 0.5 s for the dashboard's statement on the
 * national benchmark set. PGlite has no JIT, so the statement runs as it is.
 */
async function runParts<K extends string>(
  db: Kysely<DB>,
  ctes: RawBuilder<unknown>[],
  parts: [K, RawBuilder<unknown>][],
): Promise<Record<K, unknown>> {
  if (parts.length === 0) return {} as Record<K, unknown>;
  const statement = sql<
    Record<K, unknown>
  >`${ctes.length ? sql`WITH ${sql.join(ctes)} ` : sql``}SELECT ${sql.join(
    parts.map(([k, part]) => sql`${part} AS ${sql.id(k)}`),
  )}`;
  if (databaseKindOf(db) === 'pglite') return (await statement.execute(db)).rows[0]!;
  const execute = async (tx: Kysely<DB>) => {
    await sql`SET LOCAL jit = off`.execute(tx);
    return (await statement.execute(tx)).rows[0]!;
  };
  return db.isTransaction ? execute(db) : db.transaction().execute(execute);
}

/** The columns of base() that the core figures, the income matrix and monthly volumes read. */
const SET_COLUMNS = [
  'sex',
  'person_id',
  'entry_date',
  'exit_date',
  'occupation_after',
  'is_returner',
  'entry_income_group',
  'exit_income_group',
  'public_support_at_entry',
  'self_supporting_at_exit',
] as const;

/** The rows of one outcome report, as `computeOutcomeReport` assembles them (dimension 'total' for the whole). */
export interface ReportRows {
  coreTotal: CoreRow[];
  anonTotal: AnonymousRow[];
  income: IncomeRow[];
  coreBreak: CoreRow[];
  anonBreak: AnonymousRow[];
}

/**
 * An outcome report's rows in one statement and one pass over its participations: the core
 * figures (with a breakdown, per dimension value and, from the grouping sets `(sex)` and `()` of
 * the same aggregation, for the whole: unique persons and the median are computed per grouping
 * set, so the whole's are right although they do not add up across the rows), the income matrix
 * (a grouping of the same rows' exits) and the anonymous counts. The rows equal what
 * `coreFigures` (total and breakdown), `incomeMatrix` and `anonymousFigures` return.
 */
export async function outcomeReportRows(
  db: Kysely<DB>,
  scope: QueryScope,
  period: Period,
  f: ReportFilter,
  breakdown?: 'ageBand' | 'municipality' | 'intervention',
): Promise<ReportRows> {
  const anon = anonymousBase(scope, f);
  const anonByIntervention = breakdown === 'intervention';
  // Only the columns the parts read (see outcomeRowsByPeriod), and the breakdown's value.
  const ctes = [
    sql`part AS MATERIALIZED (SELECT ${sql.join(SET_COLUMNS.map((c) => sql.ref(`a.${c}`)))},
      ${breakdown ? DIMENSION_SQL[breakdown] : sql`'total'`} AS dim
      FROM (${base(scope, period, f, breakdown === 'ageBand')}) a)`,
  ];
  const core = sql`(SELECT json_agg(c) FROM (
      SELECT ${
        breakdown
          ? sql`CASE WHEN grouping(a.dim) = 1 THEN 'total' ELSE a.dim END AS dim, grouping(a.dim) = 1 AS is_total`
          : sql`'total' AS dim, true AS is_total`
      },
        CASE WHEN grouping(a.sex) = 1 THEN NULL ELSE a.sex END AS sex,
        ${coreColumns(sql`${period.from}::date`, sql`${period.to}::date`)}
      FROM part a
      GROUP BY GROUPING SETS (${breakdown ? sql`(a.dim, a.sex), (a.dim), ` : sql``}(a.sex), ())) c)`;
  const income = sql`(SELECT json_agg(c) FROM (
      SELECT 'total' AS dim, CASE WHEN grouping(a.sex) = 1 THEN NULL ELSE a.sex END AS sex,
        a.entry_income_group AS entry_group, a.exit_income_group AS exit_group,
        ${incomeMatrixAggregates()}
      FROM part a
      WHERE a.exit_date BETWEEN ${period.from}::date AND ${period.to}::date
      GROUP BY GROUPING SETS ((a.sex, a.entry_income_group, a.exit_income_group),
        (a.entry_income_group, a.exit_income_group))) c)`;
  const anonymous =
    anon &&
    sql`(SELECT json_agg(c) FROM (
      SELECT ${
        anonByIntervention
          ? sql`CASE WHEN grouping(a.dim) = 1 THEN 'total' ELSE a.dim END AS dim, grouping(a.dim) = 1 AS is_total`
          : sql`'total' AS dim, true AS is_total`
      },
        CASE WHEN grouping(a.sex) = 1 THEN NULL ELSE a.sex END AS sex,
        ${anonymousAggregates(sql`${Number(period.from.slice(0, 4))}`, sql`${Number(period.to.slice(0, 4))}`)}
      FROM (SELECT a.*, ${anonByIntervention ? DIMENSION_SQL.intervention : sql`'total'`} AS dim FROM (${anon}) a) a
      GROUP BY GROUPING SETS (${anonByIntervention ? sql`(a.dim, a.sex), (a.dim), ` : sql``}(a.sex), ())) c)`;
  const row = (await runParts(db, ctes, [
    ['core', core],
    ['income', income],
    ...(anonymous ? [['anon', anonymous] as ['anon', RawBuilder<unknown>]] : []),
  ])) as {
    core: (CoreRow & { is_total: boolean })[] | null;
    income: IncomeRow[] | null;
    anon?: (AnonymousRow & { is_total: boolean })[] | null;
  };
  const coreRows = (row.core ?? []).map(({ is_total, ...c }) => ({ is_total, row: c }));
  const anonRows = (row.anon ?? []).map(({ is_total, ...c }) => ({ is_total, row: c }));
  return {
    coreTotal: coreRows.filter((c) => c.is_total).map((c) => c.row),
    coreBreak: coreRows.filter((c) => !c.is_total).map((c) => c.row),
    income: row.income ?? [],
    anonTotal: anonRows.filter((c) => c.is_total).map((c) => c.row),
    anonBreak: anonRows.filter((c) => !c.is_total).map((c) => c.row),
  };
}

/** A period of the multi-period query, named by a key unique within the call. */
export interface KeyedPeriod {
  key: string;
  from: string;
  to: string;
  /** The core columns to compute: all of CORE_COLUMNS for a whole report, or only what is read. */
  columns: readonly CoreColumn[];
  /** Compute the period's income matrix too. */
  incomeMatrix: boolean;
}

/** Query rows of several periods; each row's dimension value is its period's key. */
export interface PeriodRows {
  /** Core columns not asked for are 0 (the median null). */
  core: CoreRow[];
  anon: AnonymousRow[];
  /** Only for the periods that asked for the matrix. */
  income: IncomeRow[];
  /** Monthly volumes, when asked for. */
  months: MonthRow[];
}

/** "Active at some time in [from, to]": base()'s period condition. */
const activeIn = (from: string, to: string) =>
  sql`a.entry_date <= ${to}::date AND coalesce(a.exit_date, 'infinity'::date) >= ${from}::date`;

/**
 * The rows of several outcome reports with one filter, in one statement (the dashboard: the year
 * so far, every goal period and trend year, and its monthly volumes). The filtered participations
 * of the periods' union (`base()`) are read once. Each period's aggregates are columns of a few
 * groupings of those rows (`coreAggregates`, only the columns the period asks for, and
 * `incomeMatrixCounts`), restricted to the period's own set with base()'s period condition; the
 * anonymous counts join the periods, a VALUES list, to theirs (`anonymousAggregates`). For each
 * period the rows equal what `coreFigures(…, 'total')`, `anonymousFigures(…, 'total')` and
 * `incomeMatrix` return for it (the columns it asks for), with the period's key as dimension value
 * instead of 'total'.
 */
export async function outcomeRowsByPeriod(
  db: Kysely<DB>,
  scope: QueryScope,
  periods: KeyedPeriod[],
  f: ReportFilter,
  /** Also `monthlyVolumes` for this period, from the same rows. */
  monthly?: Period,
): Promise<PeriodRows> {
  const all = monthly ? [...periods, monthly] : periods;
  if (all.length === 0) return { core: [], anon: [], income: [], months: [] };
  const unionOf = (ps: Period[]): Period => ({
    from: ps.reduce((m, p) => (p.from < m ? p.from : m), ps[0]!.from),
    to: ps.reduce((m, p) => (p.to > m ? p.to : m), ps[0]!.to),
  });
  const col = (i: number, c: string) => `p${i}_${c}`;
  const numbered = periods.map((p, i) => ({ p, i }));
  type Numbered = (typeof numbered)[number];
  const exitedIn = (p: Period) => sql`a.exit_date BETWEEN ${p.from}::date AND ${p.to}::date`;

  // The core figures, in up to three passes over the rows. Counts add up over the sexes (every
  // participation has one), so the additive passes group by sex only and the row of both sexes is
  // their sum, made below; so does the number of unique persons, because a person has one sex.
  // - The median, an ordered aggregate, makes PostgreSQL group by sorting and is not additive: the
  //   periods that need it have a pass of their own over their union's rows, with all their
  //   columns and the grouping sets (sex) and ().
  // - The other periods' counts: one unsorted pass.
  // - Their unique persons = the persons with a participation in the period's set, which is what
  //   count(DISTINCT person_id) over that set counts: one hashed grouping per person marks the
  //   periods each person is in, for all of them at once.
  const sorted = numbered.filter(({ p }) => p.columns.includes('median_days'));
  const plain = numbered.filter(({ p }) => !p.columns.includes('median_days'));
  const narrow = (list: Numbered[]) => {
    const u = unionOf(list.map((x) => x.p));
    return sql`SELECT a.sex, a.person_id, a.entry_date, a.exit_date, a.occupation_after, a.is_returner
        FROM w a WHERE ${activeIn(u.from, u.to)}`;
  };
  const corePass = (list: Numbered[], columns: (p: KeyedPeriod) => CoreColumn[], additive: boolean) => {
    const cols = list.flatMap(({ p, i }) => {
      const aggs = coreAggregates(
        sql`${p.from}::date`,
        sql`${p.to}::date`,
        undefined,
        activeIn(p.from, p.to),
      );
      return columns(p).map((c) => sql`${aggs[c]} AS ${sql.id(col(i, c))}`);
    });
    if (!cols.length) return null;
    return {
      additive,
      sql: sql`(SELECT json_agg(c) FROM (
        SELECT ${additive ? sql`a.sex` : sql`CASE WHEN grouping(a.sex) = 1 THEN NULL ELSE a.sex END AS sex`},
          ${sql.join(cols)}
        FROM (${narrow(list)}) a
        GROUP BY ${additive ? sql`a.sex` : sql`GROUPING SETS ((a.sex), ())`}) c)`,
    };
  };
  const personsPass = (list: Numbered[]) => {
    if (!list.length) return null;
    return {
      additive: true,
      sql: sql`(SELECT json_agg(c) FROM (
        SELECT x.sex,
          ${sql.join(list.map(({ i }) => sql`count(*) FILTER (WHERE ${sql.id(`in_${i}`)})::int AS ${sql.id(col(i, 'unique_persons'))}`))}
        FROM (
          SELECT a.person_id, a.sex,
            ${sql.join(list.map(({ p, i }) => sql`bool_or(${activeIn(p.from, p.to)}) AS ${sql.id(`in_${i}`)}`))}
          FROM (${narrow(list)}) a
          GROUP BY a.person_id, a.sex
        ) x
        GROUP BY x.sex) c)`,
    };
  };
  const passes = [
    corePass(sorted, (p) => [...p.columns], false),
    corePass(plain, (p) => p.columns.filter((c) => c !== 'unique_persons'), true),
    personsPass(plain.filter(({ p }) => p.columns.includes('unique_persons'))),
  ].filter((x) => x !== null);

  // The income matrix of the periods that ask for it: one grouping of their union's exits, with
  // each period's counts restricted to its own exits (an exit in the period implies base()'s
  // period condition: see coreAggregates). The cells of both sexes are the sums, made below.
  const matrix = numbered.filter(({ p }) => p.incomeMatrix);
  const matrixCols = matrix.flatMap(({ p, i }) => {
    const counts = incomeMatrixCounts(exitedIn(p));
    return (['n', 'public_at_entry', 'moved_to_self_support'] as const).map(
      (c) => sql`${counts[c]} AS ${sql.id(col(i, c))}`,
    );
  });
  const matrixUnion = matrix.length ? unionOf(matrix.map((x) => x.p)) : null;

  const values = periods.map(
    (p) => sql`(${p.key}::text, ${Number(p.from.slice(0, 4))}::int, ${Number(p.to.slice(0, 4))}::int)`,
  );
  const anon = values.length ? anonymousBase(scope, f) : null;
  type Cols = Record<string, number | null> & { sex: string | null };
  const ctes = [
    // Only the columns the parts read: the report index holds them all, so the rows are read from
    // the index alone (base()'s other columns would need the table).
    sql`w AS MATERIALIZED (SELECT ${sql.join(SET_COLUMNS.map((c) => sql.ref(`a.${c}`)))}
      FROM (${base(scope, unionOf(all), f)}) a)`,
    ...(anon ? [sql`pr (key, y_from, y_to) AS (VALUES ${sql.join(values)})`] : []),
    ...(monthly
      ? [
          sql`monthly_set AS (SELECT a.* FROM w a WHERE ${activeIn(monthly.from, monthly.to)})`,
          monthlyCtes(monthly, 'monthly_set'),
        ]
      : []),
  ];
  const parts: [string, RawBuilder<unknown>][] = passes.map((x, n) => [`core${n}`, x.sql]);
  if (anon)
    parts.push([
      'anon',
      sql`(SELECT json_agg(c) FROM (
        SELECT pr.key AS dim, CASE WHEN grouping(a.sex) = 1 THEN NULL ELSE a.sex END AS sex,
          ${anonymousAggregates(sql`pr.y_from`, sql`pr.y_to`)}
        FROM pr CROSS JOIN (${anon}) a
        GROUP BY GROUPING SETS ((pr.key, a.sex), (pr.key))) c)`,
    ]);
  if (matrixUnion)
    parts.push([
      'income',
      sql`(SELECT json_agg(c) FROM (
        SELECT a.sex, a.entry_income_group AS entry_group, a.exit_income_group AS exit_group, ${sql.join(matrixCols)}
        FROM w a WHERE ${exitedIn(matrixUnion)}
        GROUP BY a.sex, a.entry_income_group, a.exit_income_group) c)`,
    ]);
  if (monthly) parts.push(['months', sql`(SELECT json_agg(months ORDER BY months.month) FROM months)`]);
  const result = await runParts(db, ctes, parts);
  const row = {
    core: passes.map((_, n) => result[`core${n}`] as Cols[] | null),
    anon: (result.anon ?? null) as AnonymousRow[] | null,
    income: (result.income ?? null) as (Cols & { entry_group: string; exit_group: string })[] | null,
    months: (result.months ?? null) as MonthRow[] | null,
  };

  // The core columns per group (kvinna, man, both); an additive pass's row of both is the sum.
  const groups = new Map<string | null, Record<string, number | null>>();
  const merge = (sex: string | null, cols: Record<string, number | null>) =>
    groups.set(sex, { ...groups.get(sex), ...cols });
  row.core.forEach((rows, n) => {
    const both: Record<string, number> = {};
    for (const { sex, ...cols } of rows ?? []) {
      merge(sex, cols);
      if (passes[n]!.additive) for (const [k, v] of Object.entries(cols)) both[k] = (both[k] ?? 0) + (v ?? 0);
    }
    if (passes[n]!.additive) merge(null, both);
  });
  const core = [...groups].flatMap(([sex, cols]) =>
    periods.map((p, i) => {
      const out: Record<string, unknown> = { dim: p.key, sex };
      // A column not asked for, or of a sex without rows in its pass, is 0 (the median null).
      for (const c of CORE_COLUMNS)
        out[c] = (p.columns.includes(c) ? cols[col(i, c)] : undefined) ?? (c === 'median_days' ? null : 0);
      return out as unknown as CoreRow;
    }),
  );

  // The matrix cells per period, sex and groups (only those with exits, as incomeMatrix returns).
  const cells = new Map<string, IncomeRow>();
  const add = (key: string, sex: string | null, eg: string, xg: string, c: Cols, i: number) => {
    const k = `${key}|${sex}|${eg}|${xg}`;
    const cell = cells.get(k) ?? {
      dim: key,
      sex,
      entry_group: eg,
      exit_group: xg,
      n: 0,
      public_at_entry: 0,
      moved_to_self_support: 0,
    };
    cell.n += c[col(i, 'n')] ?? 0;
    cell.public_at_entry += c[col(i, 'public_at_entry')] ?? 0;
    cell.moved_to_self_support += c[col(i, 'moved_to_self_support')] ?? 0;
    cells.set(k, cell);
  };
  for (const c of row.income ?? [])
    for (const { p, i } of matrix)
      if ((c[col(i, 'n')] ?? 0) > 0) {
        add(p.key, c.sex, c.entry_group, c.exit_group, c, i);
        add(p.key, null, c.entry_group, c.exit_group, c, i);
      }
  return { core, anon: row.anon ?? [], income: [...cells.values()], months: row.months ?? [] };
}
