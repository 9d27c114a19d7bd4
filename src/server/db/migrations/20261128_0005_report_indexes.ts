import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the report queries (measured in bench/, docs/performance.md). Every report starts
 * from "the association's participations active in the period": entry on or before its end, and
 * still ongoing or exited on or after its start. The first index range-scans exactly that
 * (queries.ts writes the second condition as coalesce(exit_date, 'infinity') >= start) and carries
 * the columns the figures read, so PostgreSQL answers from the index alone; the second lets the
 * persons join (sex, birth year) read the index alone too. On the embedded database, scanning all
 * of an association's participations was a large share of each report's time.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE INDEX participations_report_period ON participations
      (association_id, (coalesce(exit_date, 'infinity'::date)), entry_date)
      INCLUDE (person_id, exit_date, exit_reason, occupation_after, is_returner, intervention_id, municipality_code);
    CREATE INDEX persons_report ON persons (association_id, id) INCLUDE (sex, birth_year);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX persons_report;
    DROP INDEX participations_report_period;
  `.execute(db);
}
