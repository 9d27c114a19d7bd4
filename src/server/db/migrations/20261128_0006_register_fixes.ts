import { sql, type Kysely } from 'kysely';

/**
 * - A felregistrering never blocks: the same person, insats and entry date may be registered again
 *   after a registration was closed as an error.
 * - Deleting a participation (erasure, retention) unlinks its referral without touching the
 *   referral's association_id (PostgreSQL 15 column list for SET NULL).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX participations_unique_entry;
    CREATE UNIQUE INDEX participations_unique_entry ON participations (association_id, person_id, intervention_id, entry_date)
      WHERE exit_reason IS DISTINCT FROM 'registration_error';
    ALTER TABLE referrals DROP CONSTRAINT referrals_association_id_participation_id_fkey;
    ALTER TABLE referrals ADD CONSTRAINT referrals_association_id_participation_id_fkey
      FOREIGN KEY (association_id, participation_id) REFERENCES participations (association_id, id) ON DELETE SET NULL (participation_id);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE referrals DROP CONSTRAINT referrals_association_id_participation_id_fkey;
    ALTER TABLE referrals ADD CONSTRAINT referrals_association_id_participation_id_fkey
      FOREIGN KEY (association_id, participation_id) REFERENCES participations (association_id, id) ON DELETE SET NULL;
    DROP INDEX participations_unique_entry;
    CREATE UNIQUE INDEX participations_unique_entry ON participations (association_id, person_id, intervention_id, entry_date);
  `.execute(db);
}
