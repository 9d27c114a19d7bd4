import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- A goal binds a figure and a filter to a period type, a comparator and a target.
    CREATE TABLE goals (
      association_id uuid NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 2 AND 300),
      -- {kind:'register', figure, filter} or {kind:'survey', ...}; validated by the service.
      definition jsonb NOT NULL,
      period_type text NOT NULL CHECK (period_type IN ('year', 'tertial', 'half_year', 'quarter')),
      comparator text NOT NULL CHECK (comparator IN ('>=', '<=')),
      target numeric NOT NULL,
      -- Optional reference such as the national average: {label, values: {"2015": 0.34}}.
      reference jsonb,
      valid_from_year int NOT NULL CHECK (valid_from_year BETWEEN 2004 AND 2200),
      valid_to_year int CHECK (valid_to_year >= valid_from_year),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (association_id, id)
    );

    -- A report for the board or the members: its period, its analysis text, and once final, its frozen figures.
    CREATE TABLE reports (
      association_id uuid NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      intervention_id uuid,
      period_type text NOT NULL CHECK (period_type IN ('year', 'tertial', 'half_year', 'quarter', 'custom')),
      period_from date NOT NULL,
      period_to date NOT NULL CHECK (period_to >= period_from),
      title text NOT NULL,
      analysis text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'final')),
      frozen jsonb,
      finalised_at timestamptz,
      finalised_by uuid REFERENCES users(id) ON DELETE SET NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (association_id, id),
      FOREIGN KEY (association_id, intervention_id) REFERENCES interventions (association_id, id),
      CHECK ((status = 'final') = (frozen IS NOT NULL))
    );
    CREATE UNIQUE INDEX reports_period ON reports (association_id, coalesce(intervention_id, '00000000-0000-0000-0000-000000000000'::uuid), period_from, period_to);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE reports, goals;`.execute(db);
}
