import { sql, type Kysely } from 'kysely';

/**
 * Each participation carries its person's sex, so that the report queries (every figure is split
 * by sex) read the participations' report index alone, without joining the persons. At the
 * national benchmark size that join was most of the cross-association comparison's time (a hash
 * of 1,000,000 persons per query; docs/performance.md). The persons are still joined when a report
 * needs the age (the age-band breakdown and filter).
 *
 * A person's sex never changes (it is read from the personnummer, and another number is another
 * person). The foreign key to the person now includes the sex, so the copy cannot differ from the
 * person: it replaces the key on (association_id, person_id), with the same ON DELETE CASCADE, and
 * references a unique index on persons (association_id, id, sex) that also replaces
 * `persons_report` (it carries birth_year, for the age band).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE participations ADD COLUMN sex text;
    -- Rebuilt below with the sex; dropping it first keeps the update cheap.
    DROP INDEX participations_report_period;
  `.execute(db);
  await sql`
    UPDATE participations p SET sex = pe.sex
    FROM persons pe WHERE pe.association_id = p.association_id AND pe.id = p.person_id`.execute(db);
  await sql`
    ALTER TABLE participations ALTER COLUMN sex SET NOT NULL,
      ADD CONSTRAINT participations_sex_check CHECK (sex IN ('kvinna', 'man'));
    CREATE UNIQUE INDEX persons_id_sex ON persons (association_id, id, sex) INCLUDE (birth_year);
    DROP INDEX persons_report;
    ALTER TABLE participations DROP CONSTRAINT participations_association_id_person_id_fkey,
      ADD CONSTRAINT participations_person_fkey FOREIGN KEY (association_id, person_id, sex)
        REFERENCES persons (association_id, id, sex) ON DELETE CASCADE;
    CREATE INDEX participations_report_period ON participations
      (association_id, (coalesce(exit_date, 'infinity'::date)), entry_date)
      INCLUDE (person_id, sex, exit_date, exit_reason, occupation_after, is_returner, intervention_id, municipality_code,
        entry_income_group, exit_income_group, public_support_at_entry, self_supporting_at_exit);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX participations_report_period;
    ALTER TABLE participations DROP CONSTRAINT participations_person_fkey,
      ADD CONSTRAINT participations_association_id_person_id_fkey FOREIGN KEY (association_id, person_id)
        REFERENCES persons (association_id, id) ON DELETE CASCADE;
    CREATE INDEX persons_report ON persons (association_id, id) INCLUDE (sex, birth_year);
    DROP INDEX persons_id_sex;
    ALTER TABLE participations DROP COLUMN sex;
    CREATE INDEX participations_report_period ON participations
      (association_id, (coalesce(exit_date, 'infinity'::date)), entry_date)
      INCLUDE (person_id, exit_date, exit_reason, occupation_after, is_returner, intervention_id, municipality_code,
        entry_income_group, exit_income_group, public_support_at_entry, self_supporting_at_exit);
  `.execute(db);
}
