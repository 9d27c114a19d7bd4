import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE associations ADD COLUMN return_window_days int NOT NULL DEFAULT 365 CHECK (return_window_days BETWEEN 0 AND 3650);

    CREATE TABLE target_groups (
      association_id uuid NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
      active boolean NOT NULL DEFAULT true,
      PRIMARY KEY (association_id, id)
    );
    CREATE UNIQUE INDEX target_groups_name ON target_groups (association_id, lower(name));

    CREATE TABLE interventions (
      association_id uuid NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
      description text NOT NULL DEFAULT '',
      direction text NOT NULL CHECK (direction IN ('individual', 'structural')),
      follow_up text NOT NULL CHECK (follow_up IN ('person', 'count')),
      esf boolean NOT NULL DEFAULT false,
      start_date date,
      end_date date,
      organiser_member_id uuid,
      status text NOT NULL DEFAULT 'proposal'
        CHECK (status IN ('proposal', 'preparation', 'decided', 'running', 'ended', 'implemented')),
      status_date date NOT NULL DEFAULT CURRENT_DATE,
      planned_participants int CHECK (planned_participants >= 0),
      notes text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (association_id, id),
      FOREIGN KEY (association_id, organiser_member_id) REFERENCES members (association_id, id),
      CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
      -- Person-level follow-up only makes sense for individual insatser.
      CHECK (direction = 'individual' OR follow_up = 'count')
    );
    CREATE UNIQUE INDEX interventions_name ON interventions (association_id, lower(name));

    CREATE TABLE intervention_status_history (
      association_id uuid NOT NULL,
      intervention_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      status text NOT NULL,
      status_date date NOT NULL,
      changed_by uuid REFERENCES users(id) ON DELETE SET NULL,
      changed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (association_id, id),
      FOREIGN KEY (association_id, intervention_id) REFERENCES interventions (association_id, id) ON DELETE CASCADE
    );

    CREATE TABLE intervention_target_groups (
      association_id uuid NOT NULL,
      intervention_id uuid NOT NULL,
      target_group_id uuid NOT NULL,
      PRIMARY KEY (association_id, intervention_id, target_group_id),
      FOREIGN KEY (association_id, intervention_id) REFERENCES interventions (association_id, id) ON DELETE CASCADE,
      FOREIGN KEY (association_id, target_group_id) REFERENCES target_groups (association_id, id) ON DELETE CASCADE
    );

    CREATE TABLE intervention_users (
      association_id uuid NOT NULL,
      intervention_id uuid NOT NULL,
      user_id uuid NOT NULL,
      -- 'coordinator' may register participants; 'responsible' is named on the insats.
      kind text NOT NULL CHECK (kind IN ('coordinator', 'responsible')),
      PRIMARY KEY (association_id, intervention_id, user_id, kind),
      FOREIGN KEY (association_id, intervention_id) REFERENCES interventions (association_id, id) ON DELETE CASCADE,
      FOREIGN KEY (association_id, user_id) REFERENCES memberships (association_id, user_id) ON DELETE CASCADE
    );
    CREATE INDEX intervention_users_user ON intervention_users (association_id, user_id);

    -- One row per identified person. The personnummer is stored encrypted (AES-256-GCM) and as a
    -- keyed hash for lookup; never in plain text.
    CREATE TABLE persons (
      association_id uuid NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      pnr_hash text NOT NULL,
      pnr_enc text NOT NULL,
      sex text NOT NULL CHECK (sex IN ('kvinna', 'man')),
      birth_year int NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (association_id, id)
    );
    CREATE UNIQUE INDEX persons_hash ON persons (association_id, pnr_hash);

    CREATE TABLE import_batches (
      association_id uuid NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      file_name text NOT NULL,
      file_hash text NOT NULL,
      imported int NOT NULL DEFAULT 0,
      anonymous int NOT NULL DEFAULT 0,
      updated int NOT NULL DEFAULT 0,
      skipped int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      undone_at timestamptz,
      PRIMARY KEY (association_id, id)
    );
    CREATE INDEX import_batches_hash ON import_batches (association_id, file_hash);

    CREATE TABLE participations (
      association_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      intervention_id uuid NOT NULL,
      person_id uuid NOT NULL,
      entry_date date NOT NULL,
      exit_date date,
      municipality_code text NOT NULL,
      support_months int CHECK (support_months BETWEEN 0 AND 1200),
      education_level text,
      referring_member_id uuid,
      consent_date date NOT NULL,
      consent_ref text NOT NULL DEFAULT '',
      exit_reason text,
      occupation_after text,
      is_returner boolean NOT NULL DEFAULT false,
      import_batch_id uuid,
      exit_import_batch_id uuid,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (association_id, id),
      FOREIGN KEY (association_id, intervention_id) REFERENCES interventions (association_id, id),
      FOREIGN KEY (association_id, person_id) REFERENCES persons (association_id, id) ON DELETE CASCADE,
      FOREIGN KEY (association_id, referring_member_id) REFERENCES members (association_id, id),
      FOREIGN KEY (association_id, import_batch_id) REFERENCES import_batches (association_id, id),
      FOREIGN KEY (association_id, exit_import_batch_id) REFERENCES import_batches (association_id, id),
      CHECK (exit_date IS NULL OR exit_date >= entry_date),
      CHECK ((exit_date IS NULL) = (exit_reason IS NULL)),
      CHECK (exit_date IS NULL OR exit_reason = 'registration_error' OR occupation_after IS NOT NULL)
    );
    CREATE INDEX participations_intervention ON participations (association_id, intervention_id, entry_date);
    CREATE INDEX participations_person ON participations (association_id, person_id, entry_date);
    CREATE UNIQUE INDEX participations_unique_entry ON participations (association_id, person_id, intervention_id, entry_date);

    CREATE TABLE participation_income (
      association_id uuid NOT NULL,
      participation_id uuid NOT NULL,
      phase text NOT NULL CHECK (phase IN ('entry', 'exit')),
      source text NOT NULL,
      extent_pct int NOT NULL CHECK (extent_pct BETWEEN 0 AND 100),
      PRIMARY KEY (association_id, participation_id, phase, source),
      FOREIGN KEY (association_id, participation_id) REFERENCES participations (association_id, id) ON DELETE CASCADE
    );

    CREATE TABLE participation_target_groups (
      association_id uuid NOT NULL,
      participation_id uuid NOT NULL,
      target_group_id uuid NOT NULL,
      PRIMARY KEY (association_id, participation_id, target_group_id),
      FOREIGN KEY (association_id, participation_id) REFERENCES participations (association_id, id) ON DELETE CASCADE,
      FOREIGN KEY (association_id, target_group_id) REFERENCES target_groups (association_id, id)
    );

    CREATE TABLE participation_history (
      association_id uuid NOT NULL,
      participation_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      changed_by uuid REFERENCES users(id) ON DELETE SET NULL,
      changed_at timestamptz NOT NULL DEFAULT now(),
      field text NOT NULL,
      old_value jsonb,
      new_value jsonb,
      PRIMARY KEY (association_id, id),
      FOREIGN KEY (association_id, participation_id) REFERENCES participations (association_id, id) ON DELETE CASCADE
    );

    -- People without consent or with protected identity: counts only, no personal data at all.
    CREATE TABLE anonymous_participations (
      association_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      intervention_id uuid NOT NULL,
      year int NOT NULL CHECK (year BETWEEN 2004 AND 2200),
      exit_year int CHECK (exit_year >= year),
      sex text NOT NULL CHECK (sex IN ('kvinna', 'man')),
      count int NOT NULL CHECK (count > 0),
      source text NOT NULL CHECK (source IN ('registered', 'import', 'withdrawn')),
      import_batch_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (association_id, id),
      FOREIGN KEY (association_id, intervention_id) REFERENCES interventions (association_id, id),
      FOREIGN KEY (association_id, import_batch_id) REFERENCES import_batches (association_id, id)
    );
    CREATE INDEX anonymous_participations_intervention ON anonymous_participations (association_id, intervention_id, year);

    CREATE TABLE referrals (
      association_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      intervention_id uuid NOT NULL,
      referring_member_id uuid NOT NULL,
      referrer_role text NOT NULL DEFAULT '',
      referral_date date NOT NULL,
      note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
      -- Identity only with consent, encrypted like persons.pnr_enc; null = not yet identified.
      pnr_enc text,
      pnr_hash text,
      consent_date date,
      status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'accepted', 'declined', 'redirected')),
      decided_at date,
      decision_reason text NOT NULL DEFAULT '',
      redirected_to uuid,
      participation_id uuid,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (association_id, id),
      FOREIGN KEY (association_id, intervention_id) REFERENCES interventions (association_id, id),
      FOREIGN KEY (association_id, referring_member_id) REFERENCES members (association_id, id),
      FOREIGN KEY (association_id, redirected_to) REFERENCES interventions (association_id, id),
      FOREIGN KEY (association_id, participation_id) REFERENCES participations (association_id, id) ON DELETE SET NULL
    );
    CREATE INDEX referrals_queue ON referrals (association_id, intervention_id, status, referral_date);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE referrals, anonymous_participations, participation_history, participation_target_groups,
      participation_income, participations, import_batches, persons, intervention_users,
      intervention_target_groups, intervention_status_history, interventions, target_groups;
    ALTER TABLE associations DROP COLUMN return_window_days;
  `.execute(db);
}
