/**
 * Kysely table types. They mirror the migrations in ./migrations; keep both in step
 * (the migration test compares them against information_schema).
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { AssociationRole } from '../../shared/roles.js';
import type { MemberType } from '../../shared/schemas.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AssociationTable {
  id: Generated<string>;
  slug: string;
  name: string;
  org_number: string | null;
  created_at: Generated<Date>;
}

export interface MemberTable {
  association_id: string;
  id: Generated<string>;
  type: MemberType;
  name: string;
  municipality_code: string | null;
  created_at: Generated<Date>;
}

export interface ContributionYearTable {
  association_id: string;
  year: number;
  total_amount: ColumnType<string | null, number | null, number | null>;
  updated_at: Timestamp;
}

export interface ContributionShareTable {
  association_id: string;
  year: number;
  member_id: string;
  /** Share of the member's group (regions or municipalities) in hundredths of a percent: 10000 = 100 %. */
  group_share_bp: number;
}

export interface UserTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string;
  is_system_admin: Generated<boolean>;
  must_change_password: Generated<boolean>;
  created_at: Generated<Date>;
  password_changed_at: Timestamp;
}

export interface MembershipTable {
  association_id: string;
  user_id: string;
  role: AssociationRole;
  created_at: Generated<Date>;
}

export interface SessionTable {
  /** sha256 of the cookie token; the token itself is never stored. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  locked_until: Date | null;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  association_id: string | null;
  actor_user_id: string | null;
  at: Generated<Date>;
  action: string;
  entity_type: string;
  entity_id: string | null;
  details: ColumnType<unknown, string | null, string | null>;
}

export interface DB {
  associations: AssociationTable;
  members: MemberTable;
  contribution_years: ContributionYearTable;
  contribution_shares: ContributionShareTable;
  users: UserTable;
  memberships: MembershipTable;
  sessions: SessionTable;
  login_throttle: LoginThrottleTable;
  audit_log: AuditLogTable;
}

export type Association = Selectable<AssociationTable>;
export type Member = Selectable<MemberTable>;
export type User = Selectable<UserTable>;
export type NewAuditEntry = Insertable<AuditLogTable>;
