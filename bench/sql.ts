/**
 * The best hand-written single SQL statement for each report's numbers, to compare the endpoints
 * with. Each is one statement, one round trip, one pass over the participations where the figure
 * allows it, and skips what the engine needs only for filters (the interventions join).
 * Definitions as in src/server/modules/reports/queries.ts (domain.md §5): felregistrering excluded,
 * a participation belongs to a period when it is active at some time in it.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../src/server/db/types.js';

const AGE_BAND = sql.raw(`CASE
  WHEN age BETWEEN 16 AND 19 THEN '16-19' WHEN age BETWEEN 20 AND 24 THEN '20-24'
  WHEN age BETWEEN 25 AND 29 THEN '25-29' WHEN age BETWEEN 30 AND 39 THEN '30-39'
  WHEN age BETWEEN 40 AND 49 THEN '40-49' WHEN age BETWEEN 50 AND 64 THEN '50-64' ELSE 'other' END`);

/**
 * Participations of the associations active in [from, to], felregistrering excluded, with the sex
 * and income summary stored on them (migrations 0007 and 0010); the persons are joined only for
 * the age (`withAge`).
 */
function base(assoc: RawBuilder<unknown>, from: string, to: string, withAge = false) {
  return sql`SELECT p.association_id, p.id, p.person_id, p.sex, p.entry_date, p.exit_date, p.occupation_after, p.is_returner,
      ${withAge ? sql`extract(year FROM p.entry_date)::int - pe.birth_year AS age,` : sql``}
      p.entry_income_group, p.exit_income_group, p.public_support_at_entry, p.self_supporting_at_exit
    FROM participations p
    ${withAge ? sql`JOIN persons pe ON pe.association_id = p.association_id AND pe.id = p.person_id` : sql``}
    WHERE ${assoc} AND p.entry_date <= ${to}::date AND coalesce(p.exit_date, 'infinity'::date) >= ${from}::date
      AND p.exit_reason IS DISTINCT FROM 'registration_error'`;
}
const one = (id: string) => sql`p.association_id = ${id}::uuid`;

const CORE = [
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
] as const;

/**
 * Core aggregates over `a` (already restricted to the period): inside it an entry is in the period
 * iff entry_date >= from, and an exit iff exit_date <= to. With `within`, each is restricted to the
 * rows it holds for, and named with `prefix`.
 */
function coreAggregates(from: string, to: string, within?: RawBuilder<unknown>, prefix = '') {
  const exited = sql`a.exit_date <= ${to}::date`;
  const days = sql`(a.exit_date - a.entry_date)`;
  const w = (...conds: RawBuilder<unknown>[]) => {
    const all = within ? [within, ...conds] : conds;
    return all.length ? sql` FILTER (WHERE ${sql.join(all, sql` AND `)})` : sql``;
  };
  const aggs: Record<(typeof CORE)[number], RawBuilder<unknown>> = {
    entries: sql`count(*)${w(sql`a.entry_date >= ${from}::date`)}::int`,
    exits: sql`count(*)${w(exited)}::int`,
    to_work_or_studies: sql`count(*)${w(exited, sql`a.occupation_after IN ('work', 'studies')`)}::int`,
    ongoing_at_end: sql`count(*)${w(sql`(a.exit_date IS NULL OR a.exit_date > ${to}::date)`)}::int`,
    participations: sql`count(*)${w()}::int`,
    unique_persons: sql`count(DISTINCT a.person_id)${w()}::int`,
    returners: sql`count(*)${w(sql`a.entry_date >= ${from}::date`, sql`a.is_returner`)}::int`,
    median_days: sql`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${days})${w(exited)}`,
    days_0_90: sql`count(*)${w(exited, sql`${days} <= 90`)}::int`,
    days_91_180: sql`count(*)${w(exited, sql`${days} BETWEEN 91 AND 180`)}::int`,
    days_181_365: sql`count(*)${w(exited, sql`${days} BETWEEN 181 AND 365`)}::int`,
    days_366_730: sql`count(*)${w(exited, sql`${days} BETWEEN 366 AND 730`)}::int`,
    days_731_plus: sql`count(*)${w(exited, sql`${days} > 730`)}::int`,
  };
  return sql.join(CORE.map((c) => sql`${aggs[c]} AS ${sql.id(prefix + c)}`));
}

/**
 * Income matrix rows (sex, entry group, exit group, n, public at entry, moved) for exits in the
 * period, from the income summary stored on each participation (migration 0007: the main source's
 * group per phase, public support at entry, self-supporting at exit).
 */
function incomeCte(to: string, byAssociation = false) {
  return sql`matrix AS (
      SELECT x.dim, CASE WHEN grouping(x.sex) = 1 THEN NULL ELSE x.sex END AS sex,
        x.entry_income_group AS entry_group, x.exit_income_group AS exit_group, count(*)::int AS n,
        count(*) FILTER (WHERE x.public_support_at_entry)::int AS public_at_entry,
        count(*) FILTER (WHERE x.public_support_at_entry AND x.self_supporting_at_exit)::int AS moved_to_self_support
      FROM (SELECT a.*, ${byAssociation ? sql`a.association_id::text` : sql`'total'`} AS dim FROM a
        WHERE a.exit_date <= ${to}::date AND coalesce(a.exit_date, 'infinity'::date) <= ${to}::date) x
      GROUP BY GROUPING SETS ((x.dim, x.sex, x.entry_income_group, x.exit_income_group),
        (x.dim, x.entry_income_group, x.exit_income_group))
    )`;
}

function anonCte(assoc: RawBuilder<unknown>, from: string, to: string, byAssociation = false) {
  const fy = Number(from.slice(0, 4));
  const ty = Number(to.slice(0, 4));
  const dim = byAssociation ? sql`association_id::text` : sql`'total'`;
  return sql`anon AS (
      SELECT ${dim} AS dim, CASE WHEN grouping(sex) = 1 THEN NULL ELSE sex END AS sex,
        coalesce(sum(count) FILTER (WHERE year BETWEEN ${fy} AND ${ty}), 0)::int AS entries,
        coalesce(sum(count) FILTER (WHERE exit_year BETWEEN ${fy} AND ${ty}), 0)::int AS exits
      FROM anonymous_participations p WHERE ${assoc}
      GROUP BY ${byAssociation ? sql`GROUPING SETS ((association_id, sex), (association_id))` : sql`GROUPING SETS ((sex), ())`}
    )`;
}

export interface HandOutcome {
  core: Record<string, unknown>[];
  matrix: Record<string, unknown>[];
  anon: Record<string, unknown>[];
}

/** The outcome report's numbers (core figures per sex and total, income matrix, anonymous), optionally by age band. */
export async function handOutcome(
  db: Kysely<DB>,
  associationId: string,
  from: string,
  to: string,
  ageBand = false,
): Promise<HandOutcome> {
  const sets = ageBand ? sql`GROUPING SETS ((sex), (), (band, sex), (band))` : sql`GROUPING SETS ((sex), ())`;
  const r = await sql<{
    core: HandOutcome['core'];
    matrix: HandOutcome['matrix'];
    anon: HandOutcome['anon'];
  }>`
    WITH a AS MATERIALIZED (${base(one(associationId), from, to, ageBand)}),
    core AS (
      SELECT ${ageBand ? sql`CASE WHEN grouping(band) = 1 THEN 'total' ELSE band END` : sql`'total'`} AS dim,
        CASE WHEN grouping(sex) = 1 THEN NULL ELSE sex END AS sex, ${coreAggregates(from, to)}
      FROM (SELECT a.*, ${ageBand ? AGE_BAND : sql`NULL`} AS band FROM a) a GROUP BY ${sets}
    ),
    ${incomeCte(to)},
    ${anonCte(one(associationId), from, to)}
    SELECT (SELECT json_agg(core) FROM core) AS core, (SELECT json_agg(matrix) FROM matrix) AS matrix,
      (SELECT json_agg(anon) FROM anon) AS anon`.execute(db);
  const row = r.rows[0]!;
  return { core: row.core ?? [], matrix: row.matrix ?? [], anon: row.anon ?? [] };
}

/** Only the core figures, in total or by age band (query-level comparison with queries.coreFigures). */
export async function handCore(
  db: Kysely<DB>,
  associationId: string,
  from: string,
  to: string,
  ageBand = false,
) {
  const dim = ageBand ? AGE_BAND : sql`'total'`;
  const sets = ageBand ? sql`GROUPING SETS ((band, sex), (band))` : sql`GROUPING SETS ((sex), ())`;
  return (
    await sql<Record<string, unknown>>`WITH a AS (${base(one(associationId), from, to, ageBand)})
    SELECT ${ageBand ? sql`band` : sql`'total'`} AS dim, CASE WHEN grouping(sex) = 1 THEN NULL ELSE sex END AS sex,
      ${coreAggregates(from, to)}
    FROM (SELECT a.*, ${dim} AS band FROM a) a GROUP BY ${sets}`.execute(db)
  ).rows;
}

/** Only the income matrix (query-level comparison with queries.incomeMatrix). */
export async function handIncome(db: Kysely<DB>, associationId: string, from: string, to: string) {
  return (
    await sql<
      Record<string, unknown>
    >`WITH a AS (${base(one(associationId), from, to)} AND p.exit_date <= ${to}::date),
    ${incomeCte(to)} SELECT * FROM matrix`.execute(db)
  ).rows;
}

/**
 * Entries, exits and ongoing at each month's end, per sex and total: one pass buckets entries and
 * exits by month; ongoing = entries before the period + running sum of (entries − exits).
 */
function monthlyCtes(from: string, to: string, baseName = 'a') {
  const b = sql.raw(baseName);
  return sql`months AS (
      SELECT to_char(d, 'YYYY-MM') AS month, d::date AS m FROM generate_series(date_trunc('month', ${from}::date), ${to}::date, interval '1 month') d
    ),
    sexes AS (SELECT unnest(ARRAY['kvinna', 'man']) AS sex),
    ev AS (
      SELECT sex, 'in' AS kind, date_trunc('month', entry_date)::date AS m, count(*)::int AS n
        FROM ${b} WHERE entry_date >= ${from}::date GROUP BY sex, 3
      UNION ALL
      SELECT sex, 'out', date_trunc('month', exit_date)::date, count(*)::int FROM ${b} WHERE exit_date <= ${to}::date GROUP BY sex, 3
      UNION ALL
      SELECT sex, 'pre', NULL, count(*)::int FROM ${b} WHERE entry_date < ${from}::date GROUP BY sex
    ),
    per_sex_month AS (SELECT sex, kind, m, sum(n)::int AS n FROM ev GROUP BY sex, kind, m),
    grid AS (
      SELECT months.month, sexes.sex, coalesce(i.n, 0) AS entries, coalesce(o.n, 0) AS exits
      FROM months CROSS JOIN sexes
      LEFT JOIN per_sex_month i ON i.sex = sexes.sex AND i.kind = 'in' AND i.m = months.m
      LEFT JOIN per_sex_month o ON o.sex = sexes.sex AND o.kind = 'out' AND o.m = months.m
    ),
    vol AS (
      SELECT month, sex, entries, exits,
        (coalesce((SELECT sum(n) FROM ev WHERE ev.sex = grid.sex AND ev.kind = 'pre'), 0)
          + sum(entries - exits) OVER (PARTITION BY sex ORDER BY month))::int AS ongoing_at_end
      FROM grid
    ),
    volumes AS (
      SELECT month, sex, entries, exits, ongoing_at_end FROM vol
      UNION ALL
      SELECT month, NULL, sum(entries)::int, sum(exits)::int, sum(ongoing_at_end)::int FROM vol GROUP BY month
    )`;
}

export async function handMonthly(db: Kysely<DB>, associationId: string, from: string, to: string) {
  return (
    await sql<Record<string, unknown>>`WITH a AS (${base(one(associationId), from, to)}),
    ${monthlyCtes(from, to)} SELECT * FROM volumes ORDER BY month`.execute(db)
  ).rows;
}

export interface GoalPeriod {
  key: string;
  from: string;
  to: string;
}

/**
 * Everything the dashboard shows, in one statement and one scan of the participations since the
 * earliest goal period: the year's outcome figures (core, income matrix, anonymous), volumes by
 * month, and each goal period's share to work or studies and entries.
 */
export async function handDashboard(
  db: Kysely<DB>,
  associationId: string,
  from: string,
  to: string,
  goalPeriods: GoalPeriod[],
) {
  const earliest = goalPeriods.reduce((m, p) => (p.from < m ? p.from : m), from);
  const latest = goalPeriods.reduce((m, p) => (p.to > m ? p.to : m), to);
  const inYear = sql`w.entry_date <= ${to}::date AND (w.exit_date IS NULL OR w.exit_date >= ${from}::date)`;
  const periodCols = goalPeriods.map(
    (
      p,
      i,
    ) => sql`count(*) FILTER (WHERE w.exit_date BETWEEN ${p.from}::date AND ${p.to}::date)::int AS ${sql.raw(`x${i}`)},
      count(*) FILTER (WHERE w.exit_date BETWEEN ${p.from}::date AND ${p.to}::date AND w.occupation_after IN ('work', 'studies'))::int AS ${sql.raw(`w${i}`)},
      count(*) FILTER (WHERE w.entry_date BETWEEN ${p.from}::date AND ${p.to}::date)::int AS ${sql.raw(`e${i}`)},
      (SELECT coalesce(sum(count), 0)::int FROM anonymous_participations p WHERE ${one(associationId)}
        AND year BETWEEN ${Number(p.from.slice(0, 4))} AND ${Number(p.to.slice(0, 4))}) AS ${sql.raw(`ae${i}`)}`,
  );
  const r = await sql<{
    core: unknown[];
    matrix: unknown[];
    anon: unknown[];
    volumes: unknown[];
    goals: Record<string, number>;
  }>`
    WITH w AS MATERIALIZED (${base(one(associationId), earliest, latest)}),
    a AS (SELECT * FROM w WHERE ${inYear}),
    core AS (
      SELECT CASE WHEN grouping(sex) = 1 THEN NULL ELSE sex END AS sex, ${coreAggregates(from, to)}
      FROM a GROUP BY GROUPING SETS ((sex), ())
    ),
    ${incomeCte(to)},
    ${anonCte(one(associationId), from, to)},
    ${monthlyCtes(from, to)},
    goals AS (SELECT ${sql.join(periodCols, sql`, `)} FROM w)
    SELECT (SELECT json_agg(core) FROM core) AS core, (SELECT json_agg(matrix) FROM matrix) AS matrix,
      (SELECT json_agg(anon) FROM anon) AS anon, (SELECT json_agg(volumes ORDER BY month) FROM volumes) AS volumes,
      (SELECT row_to_json(goals) FROM goals) AS goals`.execute(db);
  return r.rows[0]!;
}

/**
 * Cross-association comparison: core figures, income matrix and anonymous volumes per association
 * and sex. The participations of all associations are read per association from the report index
 * (`= ANY` of every association). The core figures are one group per association, each aggregate
 * once per sex; both sexes together are the sums of the two (each participation has its person's
 * sex), except the median, aggregated of its own.
 */
export async function handCompare(db: Kysely<DB>, from: string, to: string) {
  const all = sql`p.association_id = ANY(ARRAY(SELECT id FROM associations))`;
  const sum = (c: string) =>
    c === 'median_days' ? sql`c.median_days` : sql`${sql.ref(`c.k_${c}`)} + ${sql.ref(`c.m_${c}`)}`;
  const r = await sql<{ core: unknown[]; matrix: unknown[]; anon: unknown[] }>`
    WITH a AS NOT MATERIALIZED (${base(all, from, to)}),
    by_association AS (
      SELECT a.association_id::text AS dim,
        ${coreAggregates(from, to, sql`a.sex = 'kvinna'`, 'k_')}, ${coreAggregates(from, to, sql`a.sex = 'man'`, 'm_')},
        percentile_cont(0.5) WITHIN GROUP (ORDER BY (a.exit_date - a.entry_date)) FILTER (WHERE a.exit_date <= ${to}::date) AS median_days
      FROM a GROUP BY a.association_id
    ),
    core AS (
      SELECT c.dim, 'kvinna' AS sex, ${sql.join(CORE.map((x) => sql`${sql.ref(`c.k_${x}`)} AS ${sql.id(x)}`))} FROM by_association c
      UNION ALL
      SELECT c.dim, 'man', ${sql.join(CORE.map((x) => sql.ref(`c.m_${x}`)))} FROM by_association c
      UNION ALL
      SELECT c.dim, NULL, ${sql.join(CORE.map(sum))} FROM by_association c
    ),
    ${incomeCte(to, true)},
    ${anonCte(sql`true`, from, to, true)}
    SELECT (SELECT json_agg(core) FROM core) AS core, (SELECT json_agg(matrix) FROM matrix) AS matrix,
      (SELECT json_agg(anon) FROM anon) AS anon`.execute(db);
  return r.rows[0]!;
}
