import { sql, type Kysely } from 'kysely';

/**
 * A version per association of everything a report figure, a goal evaluation or the assembly of a
 * report reads, so that computed reports can be cached under it (modules/reports/cache.ts).
 *
 * - Statement-level AFTER triggers (one per event, so each can name its transition tables) on every
 *   table the cached reports read note which associations a statement touched, in
 *   report_data_changes. One row per transaction and association; the cost is one small insert per
 *   statement, not per row.
 * - A deferred constraint trigger on that table bumps report_data_versions at commit and removes
 *   the note. The bump is a row update in the writing transaction, so the new version becomes
 *   visible exactly when the new data does (a sequence would be visible before the commit, and a
 *   reader could cache old figures under the new number). Deferring it to the commit holds the
 *   version row's lock for the commit only: a long import does not make every other writer of the
 *   association wait for it.
 * - The triggers fire ALWAYS, also under session_replication_role = replica, which bulk loads
 *   use to skip row-level foreign-key checks (the embedded import, bench/generate.ts): no write
 *   path can leave a version behind its data.
 * - A reader reads the version first and computes afterwards; in READ COMMITTED every later
 *   statement sees data at least as new, so an entry is never older than its version.
 *
 * Tables read by the cached reports (queries.ts, engine.ts, goals.ts, service.ts, outputs/compare.ts):
 * participations, persons, participation_income, participation_target_groups,
 * anonymous_participations, interventions (direction, organiser, the anonymous counts' join),
 * goals, and associations (names and slugs in the comparison). A table that reports start to read
 * is added with `SELECT report_data_watch('table')` in a later migration.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE report_data_versions (
      association_id uuid PRIMARY KEY,
      version bigint NOT NULL CHECK (version > 0)
    );

    -- Associations the running transaction has changed; every row is removed again at its commit.
    CREATE TABLE report_data_changes (
      txid bigint NOT NULL DEFAULT txid_current(),
      association_id uuid NOT NULL,
      PRIMARY KEY (txid, association_id)
    );

    CREATE FUNCTION report_data_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO report_data_versions AS v (association_id, version) VALUES (NEW.association_id, 1)
        ON CONFLICT (association_id) DO UPDATE SET version = v.version + 1;
      DELETE FROM report_data_changes WHERE txid = NEW.txid AND association_id = NEW.association_id;
      RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER report_data_bump AFTER INSERT ON report_data_changes
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_data_bump();
    ALTER TABLE report_data_changes ENABLE ALWAYS TRIGGER report_data_bump;

    -- For tables with an association_id column.
    CREATE FUNCTION report_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO report_data_changes (association_id)
          SELECT DISTINCT association_id FROM new_rows ON CONFLICT DO NOTHING;
      ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO report_data_changes (association_id)
          SELECT association_id FROM old_rows UNION SELECT association_id FROM new_rows
          ON CONFLICT DO NOTHING;
      ELSE
        INSERT INTO report_data_changes (association_id)
          SELECT DISTINCT association_id FROM old_rows ON CONFLICT DO NOTHING;
      END IF;
      RETURN NULL;
    END $$;

    -- For associations itself (its key is id).
    CREATE FUNCTION report_data_changed_association() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO report_data_changes (association_id) SELECT id FROM new_rows ON CONFLICT DO NOTHING;
      ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO report_data_changes (association_id)
          SELECT id FROM old_rows UNION SELECT id FROM new_rows ON CONFLICT DO NOTHING;
      ELSE
        INSERT INTO report_data_changes (association_id) SELECT id FROM old_rows ON CONFLICT DO NOTHING;
      END IF;
      RETURN NULL;
    END $$;

    -- Installs the three statement triggers on a table that reports read.
    CREATE FUNCTION report_data_watch(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      fn text := CASE WHEN tbl = 'associations'::regclass THEN 'report_data_changed_association'
                      ELSE 'report_data_changed' END;
    BEGIN
      EXECUTE format('CREATE TRIGGER report_data_insert AFTER INSERT ON %s
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()', tbl, fn);
      EXECUTE format('CREATE TRIGGER report_data_update AFTER UPDATE ON %s
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()', tbl, fn);
      EXECUTE format('CREATE TRIGGER report_data_delete AFTER DELETE ON %s
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()', tbl, fn);
      EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER report_data_insert,
        ENABLE ALWAYS TRIGGER report_data_update, ENABLE ALWAYS TRIGGER report_data_delete', tbl);
    END $$;

    SELECT report_data_watch(t) FROM unnest(ARRAY[
      'associations', 'interventions', 'persons', 'participations', 'participation_income',
      'participation_target_groups', 'anonymous_participations', 'goals'
    ]::regclass[]) t;
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    DECLARE t regclass;
    BEGIN
      FOREACH t IN ARRAY ARRAY[
        'associations', 'interventions', 'persons', 'participations', 'participation_income',
        'participation_target_groups', 'anonymous_participations', 'goals'
      ]::regclass[] LOOP
        EXECUTE format('DROP TRIGGER report_data_insert ON %s', t);
        EXECUTE format('DROP TRIGGER report_data_update ON %s', t);
        EXECUTE format('DROP TRIGGER report_data_delete ON %s', t);
      END LOOP;
    END $$;
    DROP FUNCTION report_data_watch(regclass);
    DROP FUNCTION report_data_changed_association();
    DROP FUNCTION report_data_changed();
    DROP TABLE report_data_changes;
    DROP FUNCTION report_data_bump();
    DROP TABLE report_data_versions;
  `.execute(db);
}
