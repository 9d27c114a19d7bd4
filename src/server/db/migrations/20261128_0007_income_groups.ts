import { sql, type Kysely } from 'kysely';

/**
 * Each participation carries a summary of its income lines, so that the income matrix is a GROUP BY
 * over the participations instead of an aggregate over every exit's income lines (6.2 M lines at
 * the national benchmark size; docs/performance.md). Per phase:
 *
 * - `entry_income_group` / `exit_income_group`: the national group (INCOME_GROUP in
 *   src/shared/participants.ts) of the phase's main source: the line with the largest extent, ties
 *   to the source code first in order; 'okand' when the phase has no lines;
 * - `public_support_at_entry`: some entry line is public support;
 * - `self_supporting_at_exit`: some exit line is a known source (not 'unknown') and none is public
 *   support. "Moved to self-support" = public support at entry and self-supporting at exit.
 *
 * The application keeps the columns in step whenever it writes income lines
 * (src/server/modules/participants/income-summary.ts). `BACKFILL_SQL` computes the same from the
 * stored lines; it fills the columns of existing rows here, once, set-based.
 *
 * The report index gets the columns too, so the matrix is read from the index alone.
 */

const PUBLIC =
  sql.raw(`('unemployment_insurance','activity_support','establishment_benefit','sickness_benefit',
  'rehabilitation_benefit','sickness_compensation','activity_compensation','social_assistance')`);
const group = (source: string) =>
  sql.raw(`CASE
    WHEN ${source} IN ('sickness_benefit','rehabilitation_benefit','sickness_compensation','activity_compensation') THEN 'ohalsa'
    WHEN ${source} IN ('unemployment_insurance','activity_support','establishment_benefit') THEN 'arbetsmarknadsstod'
    WHEN ${source} = 'social_assistance' THEN 'ekonomiskt_bistand'
    WHEN ${source} = 'unknown' OR ${source} IS NULL THEN 'okand'
    ELSE 'ingen' END`);

/**
 * Sets the summary columns of every participation that has income lines, in one statement: one
 * ordered pass over participation_income (its primary key order), aggregated per participation.
 * Rows without lines keep the columns' defaults, which is what no lines means. Rows already right
 * are not rewritten.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function backfill(db: Kysely<any>) {
  return sql`
    UPDATE participations p SET
      entry_income_group = s.entry_group, exit_income_group = s.exit_group,
      public_support_at_entry = s.public_in, self_supporting_at_exit = s.self_out
    FROM (
      SELECT x.association_id, x.participation_id,
        ${group('x.entry_source')} AS entry_group, ${group('x.exit_source')} AS exit_group,
        coalesce(x.public_in, false) AS public_in,
        coalesce(x.known_out AND NOT x.public_out, false) AS self_out
      FROM (
        SELECT pi.association_id, pi.participation_id,
          (array_agg(pi.source ORDER BY pi.extent_pct DESC, pi.source) FILTER (WHERE pi.phase = 'entry'))[1] AS entry_source,
          (array_agg(pi.source ORDER BY pi.extent_pct DESC, pi.source) FILTER (WHERE pi.phase = 'exit'))[1] AS exit_source,
          bool_or(pi.phase = 'entry' AND pi.source IN ${PUBLIC}) AS public_in,
          coalesce(bool_or(pi.phase = 'exit' AND pi.source IN ${PUBLIC}), false) AS public_out,
          bool_or(pi.phase = 'exit' AND pi.source <> 'unknown') AS known_out
        FROM participation_income pi
        GROUP BY pi.association_id, pi.participation_id
      ) x
    ) s
    WHERE p.association_id = s.association_id AND p.id = s.participation_id
      AND (p.entry_income_group, p.exit_income_group, p.public_support_at_entry, p.self_supporting_at_exit)
        IS DISTINCT FROM (s.entry_group, s.exit_group, s.public_in, s.self_out)`.execute(db);
}

const GROUPS = sql.raw(`('ohalsa','arbetsmarknadsstod','ekonomiskt_bistand','ingen','okand')`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE participations
      ADD COLUMN entry_income_group text NOT NULL DEFAULT 'okand' CHECK (entry_income_group IN ${GROUPS}),
      ADD COLUMN exit_income_group text NOT NULL DEFAULT 'okand' CHECK (exit_income_group IN ${GROUPS}),
      ADD COLUMN public_support_at_entry boolean NOT NULL DEFAULT false,
      ADD COLUMN self_supporting_at_exit boolean NOT NULL DEFAULT false`.execute(db);
  // Before the index is rebuilt with the new columns, so the backfill maintains one index less.
  await sql`DROP INDEX participations_report_period`.execute(db);
  await backfill(db);
  await sql`
    CREATE INDEX participations_report_period ON participations
      (association_id, (coalesce(exit_date, 'infinity'::date)), entry_date)
      INCLUDE (person_id, exit_date, exit_reason, occupation_after, is_returner, intervention_id, municipality_code,
        entry_income_group, exit_income_group, public_support_at_entry, self_supporting_at_exit)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX participations_report_period;
    ALTER TABLE participations
      DROP COLUMN entry_income_group, DROP COLUMN exit_income_group,
      DROP COLUMN public_support_at_entry, DROP COLUMN self_supporting_at_exit;
    CREATE INDEX participations_report_period ON participations
      (association_id, (coalesce(exit_date, 'infinity'::date)), entry_date)
      INCLUDE (person_id, exit_date, exit_reason, occupation_after, is_returner, intervention_id, municipality_code);
  `.execute(db);
}
