/**
 * The report SQL. Every figure is an aggregate computed in PostgreSQL at request time; no
 * participation rows are loaded into JavaScript. Registration errors (felregistrering) are excluded
 * from every figure. Reviewers: this file is the definition of the numbers in domain.md §5.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/types.js';
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
 * `withAge` (or an age-band filter) the persons are joined for it.
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
  const age = withAge || Boolean(f.ageBand);
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
  if (!f.ageBand) return inner;
  return sql`SELECT * FROM (${inner}) a WHERE ${AGE_BAND_SQL} = ${f.ageBand}`;
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
  const inPeriod = (col: string) => sql`${sql.ref(col)} BETWEEN ${period.from}::date AND ${period.to}::date`;
  const exited = inPeriod('a.exit_date');
  const days = sql`(a.exit_date - a.entry_date)`;
  const r = await sql<CoreRow>`
    SELECT a.dim, CASE WHEN grouping(a.sex) = 1 THEN NULL ELSE a.sex END AS sex,
      count(*) FILTER (WHERE ${inPeriod('a.entry_date')})::int AS entries,
      count(*) FILTER (WHERE ${exited})::int AS exits,
      count(*) FILTER (WHERE ${exited} AND a.occupation_after IN ('work', 'studies'))::int AS to_work_or_studies,
      count(*) FILTER (WHERE a.exit_date IS NULL OR a.exit_date > ${period.to}::date)::int AS ongoing_at_end,
      count(*)::int AS participations,
      count(DISTINCT a.person_id)::int AS unique_persons,
      count(*) FILTER (WHERE ${inPeriod('a.entry_date')} AND a.is_returner)::int AS returners,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ${days}) FILTER (WHERE ${exited}) AS median_days,
      count(*) FILTER (WHERE ${exited} AND ${days} <= 90)::int AS days_0_90,
      count(*) FILTER (WHERE ${exited} AND ${days} BETWEEN 91 AND 180)::int AS days_91_180,
      count(*) FILTER (WHERE ${exited} AND ${days} BETWEEN 181 AND 365)::int AS days_181_365,
      count(*) FILTER (WHERE ${exited} AND ${days} BETWEEN 366 AND 730)::int AS days_366_730,
      count(*) FILTER (WHERE ${exited} AND ${days} > 730)::int AS days_731_plus
    FROM (SELECT a.*, ${DIMENSION_SQL[dimension]} AS dim FROM (${base(scope, period, f, dimension === 'ageBand')}) a) a
    GROUP BY GROUPING SETS ((a.dim, a.sex), (a.dim))`.execute(db);
  return r.rows.map((row) => ({
    ...row,
    median_days: row.median_days === null ? null : Number(row.median_days),
  }));
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
  if (f.municipalityCode || f.ageBand || f.targetGroupId) return [];
  const fromYear = Number(period.from.slice(0, 4));
  const toYear = Number(period.to.slice(0, 4));
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
  const dim = dimension === 'sex' ? sql`'total'` : DIMENSION_SQL[dimension];
  const r = await sql<AnonymousRow>`
    SELECT a.dim, CASE WHEN grouping(a.sex) = 1 THEN NULL ELSE a.sex END AS sex,
      coalesce(sum(a.count) FILTER (WHERE a.year BETWEEN ${fromYear} AND ${toYear}), 0)::int AS entries,
      coalesce(sum(a.count) FILTER (WHERE a.exit_year BETWEEN ${fromYear} AND ${toYear}), 0)::int AS exits
    FROM (SELECT a.*, ${dim} AS dim FROM anonymous_participations a
      JOIN interventions i ON i.association_id = a.association_id AND i.id = a.intervention_id
      WHERE ${sql.join(conds, sql` AND `)}) a
    GROUP BY GROUPING SETS ((a.dim, a.sex), (a.dim))`.execute(db);
  return r.rows;
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
    m AS (
      SELECT to_char(d, 'YYYY-MM') AS month, d::date AS m_from
      FROM generate_series(date_trunc('month', ${period.from}::date), ${period.to}::date, interval '1 month') d
    ),
    ev AS (
      SELECT a.sex, date_trunc('month', a.entry_date)::date AS m, 1 AS is_entry, 0 AS is_exit FROM a WHERE a.entry_date >= ${period.from}::date
      UNION ALL
      SELECT a.sex, date_trunc('month', a.exit_date)::date, 0, 1 FROM a WHERE a.exit_date <= ${period.to}::date
    ),
    per_sex_month AS (SELECT sex, m, sum(is_entry)::int AS entries, sum(is_exit)::int AS exits FROM ev GROUP BY sex, m),
    sexes AS (SELECT a.sex, count(*) FILTER (WHERE a.entry_date < ${period.from}::date)::int AS before_period FROM a GROUP BY a.sex),
    per_month AS (
      SELECT m.month, s.sex, coalesce(x.entries, 0) AS entries, coalesce(x.exits, 0) AS exits, s.before_period
      FROM m CROSS JOIN sexes s LEFT JOIN per_sex_month x ON x.sex = s.sex AND x.m = m.m_from
    ),
    v AS (
      SELECT month, sex, entries, exits,
        (before_period + sum(entries - exits) OVER (PARTITION BY sex ORDER BY month))::int AS ongoing_at_end
      FROM per_month
    )
    SELECT month, CASE WHEN grouping(sex) = 1 THEN NULL ELSE sex END AS sex,
      sum(entries)::int AS entries, sum(exits)::int AS exits, sum(ongoing_at_end)::int AS ongoing_at_end
    FROM v
    GROUP BY GROUPING SETS ((month, sex), (month))
    ORDER BY month`.execute(db);
  return r.rows;
}
