import { sql, type Kysely } from 'kysely';

// Migrations are frozen once released: they take Kysely<any> so later schema types never break them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE associations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
      org_number char(10) CHECK (org_number ~ '^[0-9]{10}$'),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE members (
      association_id uuid NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      type text NOT NULL CHECK (type IN ('fk', 'af', 'region', 'municipality')),
      name text NOT NULL,
      municipality_code char(4),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (association_id, id),
      CHECK ((type = 'municipality') = (municipality_code IS NOT NULL))
    );
    CREATE UNIQUE INDEX members_one_fk_af ON members (association_id, type) WHERE type IN ('fk', 'af');
    CREATE UNIQUE INDEX members_municipality_code ON members (association_id, municipality_code);
    CREATE UNIQUE INDEX members_name ON members (association_id, lower(name));

    CREATE TABLE contribution_years (
      association_id uuid NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
      year int NOT NULL CHECK (year BETWEEN 2004 AND 2200),
      total_amount bigint CHECK (total_amount >= 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (association_id, year)
    );

    CREATE TABLE contribution_shares (
      association_id uuid NOT NULL,
      year int NOT NULL,
      member_id uuid NOT NULL,
      group_share_bp int NOT NULL CHECK (group_share_bp BETWEEN 0 AND 10000),
      PRIMARY KEY (association_id, year, member_id),
      FOREIGN KEY (association_id, year) REFERENCES contribution_years (association_id, year) ON DELETE CASCADE,
      FOREIGN KEY (association_id, member_id) REFERENCES members (association_id, id) ON DELETE CASCADE
    );

    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      name text NOT NULL,
      password_hash text NOT NULL,
      is_system_admin boolean NOT NULL DEFAULT false,
      must_change_password boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      password_changed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX users_email ON users (lower(email));

    CREATE TABLE memberships (
      association_id uuid NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('association_admin', 'coordinator', 'board', 'auditor')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (association_id, user_id)
    );
    CREATE INDEX memberships_user ON memberships (user_id);

    CREATE TABLE sessions (
      id text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf_token text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX sessions_user ON sessions (user_id);

    CREATE TABLE login_throttle (
      key text PRIMARY KEY,
      failures int NOT NULL DEFAULT 0,
      locked_until timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      association_id uuid REFERENCES associations(id) ON DELETE CASCADE,
      actor_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      at timestamptz NOT NULL DEFAULT now(),
      action text NOT NULL,
      entity_type text NOT NULL,
      entity_id text,
      details jsonb
    );
    CREATE INDEX audit_log_association_at ON audit_log (association_id, at DESC, id DESC);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE audit_log, login_throttle, sessions, memberships, users,
      contribution_shares, contribution_years, members, associations;
  `.execute(db);
}
