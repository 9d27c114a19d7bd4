/**
 * Kysely table types. They mirror the migrations in ./migrations; keep both in step
 * (the migration test compares them against information_schema).
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { AssociationRole } from '../../shared/roles.js';
import type { MemberType } from '../../shared/schemas.js';
import type {
  Direction,
  EducationLevel,
  ExitReason,
  FollowUp,
  IncomeGroup,
  IncomeSource,
  InterventionStatus,
  Occupation,
  ReferralStatus,
} from '../../shared/participants.js';
import type { Sex } from '../../shared/personnummer.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AssociationTable {
  id: Generated<string>;
  slug: string;
  name: string;
  org_number: string | null;
  /** Days after an exit within which a new entry counts as a return (återvändare). */
  return_window_days: Generated<number>;
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

/** `date` columns are 'YYYY-MM-DD' strings on both backends (see db/index.ts). */
type DateString = string;

export interface TargetGroupTable {
  association_id: string;
  id: Generated<string>;
  name: string;
  active: Generated<boolean>;
}

export interface InterventionTable {
  association_id: string;
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  direction: Direction;
  follow_up: FollowUp;
  esf: Generated<boolean>;
  start_date: DateString | null;
  end_date: DateString | null;
  organiser_member_id: string | null;
  status: Generated<InterventionStatus>;
  status_date: Generated<DateString>;
  planned_participants: number | null;
  notes: Generated<string>;
  created_at: Generated<Date>;
}

export interface InterventionStatusHistoryTable {
  association_id: string;
  intervention_id: string;
  id: Generated<string>;
  status: InterventionStatus;
  status_date: DateString;
  changed_by: string | null;
  changed_at: Generated<Date>;
}

export interface InterventionTargetGroupTable {
  association_id: string;
  intervention_id: string;
  target_group_id: string;
}

export interface InterventionUserTable {
  association_id: string;
  intervention_id: string;
  user_id: string;
  kind: 'coordinator' | 'responsible';
}

export interface PersonTable {
  association_id: string;
  id: Generated<string>;
  /** HMAC of the personnummer, for lookup and de-duplication. */
  pnr_hash: string;
  /** AES-256-GCM ciphertext of the personnummer. */
  pnr_enc: string;
  sex: Sex;
  birth_year: number;
  created_at: Generated<Date>;
}

export interface ImportBatchTable {
  association_id: string;
  id: Generated<string>;
  user_id: string | null;
  file_name: string;
  file_hash: string;
  imported: Generated<number>;
  anonymous: Generated<number>;
  updated: Generated<number>;
  skipped: Generated<number>;
  created_at: Generated<Date>;
  undone_at: Date | null;
  undone_by: string | null;
  file_size: Generated<number>;
  format: Generated<'csv' | 'xlsx'>;
}

export interface ParticipationTable {
  association_id: string;
  id: Generated<string>;
  intervention_id: string;
  person_id: string;
  entry_date: DateString;
  exit_date: DateString | null;
  /** Four-digit kommunkod of residence, or 'other'. */
  municipality_code: string;
  support_months: number | null;
  education_level: EducationLevel | null;
  referring_member_id: string | null;
  consent_date: DateString;
  consent_ref: Generated<string>;
  exit_reason: ExitReason | null;
  occupation_after: Occupation | null;
  is_returner: Generated<boolean>;
  import_batch_id: string | null;
  exit_import_batch_id: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** The person's sex, copied (migration 0010; the foreign key to the person includes it). */
  sex: Sex;
  /** Summary of the income lines (migration 0007, participants/income-summary.ts). */
  entry_income_group: Generated<IncomeGroup>;
  exit_income_group: Generated<IncomeGroup>;
  public_support_at_entry: Generated<boolean>;
  self_supporting_at_exit: Generated<boolean>;
}

export interface ParticipationIncomeTable {
  association_id: string;
  participation_id: string;
  phase: 'entry' | 'exit';
  source: IncomeSource;
  extent_pct: number;
}

export interface ParticipationTargetGroupTable {
  association_id: string;
  participation_id: string;
  target_group_id: string;
}

export interface ParticipationHistoryTable {
  association_id: string;
  participation_id: string;
  id: Generated<string>;
  changed_by: string | null;
  changed_at: Generated<Date>;
  field: string;
  old_value: ColumnType<unknown, string | null, string | null>;
  new_value: ColumnType<unknown, string | null, string | null>;
}

export interface AnonymousParticipationTable {
  association_id: string;
  id: Generated<string>;
  intervention_id: string;
  year: number;
  exit_year: number | null;
  sex: Sex;
  count: number;
  source: 'registered' | 'import' | 'withdrawn';
  import_batch_id: string | null;
  created_at: Generated<Date>;
}

export interface ReferralTable {
  association_id: string;
  id: Generated<string>;
  intervention_id: string;
  referring_member_id: string;
  referrer_role: Generated<string>;
  referral_date: DateString;
  note: Generated<string>;
  pnr_enc: string | null;
  pnr_hash: string | null;
  consent_date: DateString | null;
  status: Generated<ReferralStatus>;
  decided_at: DateString | null;
  decision_reason: Generated<string>;
  redirected_to: string | null;
  participation_id: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface GoalTable {
  association_id: string;
  id: Generated<string>;
  name: string;
  definition: ColumnType<unknown, string, string>;
  period_type: 'year' | 'tertial' | 'half_year' | 'quarter';
  comparator: '>=' | '<=';
  /** numeric: pg returns it as a string. */
  target: ColumnType<string, number, number>;
  reference: ColumnType<unknown, string | null, string | null>;
  valid_from_year: number;
  valid_to_year: number | null;
  created_at: Generated<Date>;
}

export interface ReportTable {
  association_id: string;
  id: Generated<string>;
  intervention_id: string | null;
  period_type: 'year' | 'tertial' | 'half_year' | 'quarter' | 'custom';
  period_from: DateString;
  period_to: DateString;
  title: string;
  analysis: Generated<string>;
  status: Generated<'draft' | 'final'>;
  frozen: ColumnType<unknown, string | null, string | null>;
  finalised_at: Date | null;
  finalised_by: string | null;
  updated_at: Generated<Date>;
}

/** Per-association version of the data reports read (migration 0008, reports/cache.ts). */
export interface ReportDataVersionTable {
  association_id: string;
  /** bigint, as a string. */
  version: string;
}

/** Associations the running transaction changed; emptied at its commit (migration 0008). */
export interface ReportDataChangeTable {
  txid: Generated<string>;
  association_id: string;
}

export interface DB {
  goals: GoalTable;
  reports: ReportTable;
  report_data_versions: ReportDataVersionTable;
  report_data_changes: ReportDataChangeTable;
  target_groups: TargetGroupTable;
  interventions: InterventionTable;
  intervention_status_history: InterventionStatusHistoryTable;
  intervention_target_groups: InterventionTargetGroupTable;
  intervention_users: InterventionUserTable;
  persons: PersonTable;
  import_batches: ImportBatchTable;
  participations: ParticipationTable;
  participation_income: ParticipationIncomeTable;
  participation_target_groups: ParticipationTargetGroupTable;
  participation_history: ParticipationHistoryTable;
  anonymous_participations: AnonymousParticipationTable;
  referrals: ReferralTable;
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
