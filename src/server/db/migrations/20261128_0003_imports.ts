import { sql, type Kysely } from 'kysely';

/**
 * Import batches: who undid a batch, the file's size and format for the review page, and indexes
 * so that reviewing or undoing a batch does not scan every participation of the association.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE import_batches
      ADD COLUMN undone_by uuid REFERENCES users(id) ON DELETE SET NULL,
      ADD COLUMN file_size int NOT NULL DEFAULT 0,
      ADD COLUMN format text NOT NULL DEFAULT 'csv' CHECK (format IN ('csv', 'xlsx'));

    CREATE INDEX participations_import_batch ON participations (association_id, import_batch_id)
      WHERE import_batch_id IS NOT NULL;
    CREATE INDEX participations_exit_import_batch ON participations (association_id, exit_import_batch_id)
      WHERE exit_import_batch_id IS NOT NULL;
    CREATE INDEX anonymous_participations_import_batch ON anonymous_participations (association_id, import_batch_id)
      WHERE import_batch_id IS NOT NULL;
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX anonymous_participations_import_batch;
    DROP INDEX participations_exit_import_batch;
    DROP INDEX participations_import_batch;
    ALTER TABLE import_batches DROP COLUMN format, DROP COLUMN file_size, DROP COLUMN undone_by;
  `.execute(db);
}
