import { sql, type Kysely } from 'kysely';

/**
 * The participant export (imports/export.ts) walks the insatser in name order and, within each,
 * pages with a keyset on (entry_date, id). This index serves exactly that order, so each page is a
 * short index range scan instead of a sort of all remaining participations. It replaces
 * `participations_intervention (association_id, intervention_id, entry_date)`, of which it is a
 * strict extension: every query that used the old index can use this one.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE INDEX participations_intervention_entry ON participations (association_id, intervention_id, entry_date, id);
    DROP INDEX participations_intervention;
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE INDEX participations_intervention ON participations (association_id, intervention_id, entry_date);
    DROP INDEX participations_intervention_entry;
  `.execute(db);
}
