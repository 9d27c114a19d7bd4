/**
 * Shapes of the register API's responses (insatser, participations, referrals, imports). They
 * mirror the server's mappers: interventions/service.ts `toDto`, participants/service.ts
 * `toParticipationDto`, referrals/service.ts `listReferrals`, imports/service.ts `toBatchDto`.
 */
import type {
  Direction,
  EducationLevel,
  ExitReason,
  FollowUp,
  IncomeSource,
  InterventionStatus,
  Occupation,
  ReferralStatus,
} from '../../../shared/participants';

export type Sex = 'kvinna' | 'man';

export interface Ref {
  id: string;
  name: string;
}

export interface Intervention {
  id: string;
  name: string;
  description: string;
  direction: Direction;
  followUp: FollowUp;
  esf: boolean;
  startDate: string | null;
  endDate: string | null;
  organiser: { id: string; name: string | null } | null;
  status: InterventionStatus;
  statusDate: string;
  plannedParticipants: number | null;
  notes: string;
  targetGroups: Ref[];
  responsible: Ref[];
  coordinators: Ref[];
  /** In the list only: null when the role sees every insats, else whether the caller coordinates it. */
  mine?: boolean | null;
}

export interface InterventionDetail extends Intervention {
  statusHistory: { status: InterventionStatus; date: string; changedAt: string; changedBy: string | null }[];
}

export interface TargetGroup {
  id: string;
  name: string;
  active: boolean;
}

export interface IncomeLine {
  source: IncomeSource;
  extentPct: number;
}

export interface Participation {
  id: string;
  intervention: Ref;
  person: {
    id: string;
    /** Masked `YYYYMMDD-XXXX` unless identified. */
    personnummer: string;
    masked: boolean;
    sex: Sex;
    birthYear: number;
  };
  entryDate: string;
  exitDate: string | null;
  municipalityCode: string;
  supportMonths: number | null;
  educationLevel: EducationLevel | null;
  referringMemberId: string | null;
  consentDate: string;
  consentRef: string;
  exitReason: ExitReason | null;
  occupationAfter: Occupation | null;
  isReturner: boolean;
  incomeAtEntry: IncomeLine[];
  incomeAtExit: IncomeLine[];
  targetGroups: Ref[];
}

export interface HistoryEntry {
  id: string;
  field: string;
  oldValue: unknown;
  newValue: unknown;
  changedAt: string;
  changedBy: string | null;
}

export interface ParticipationDetail extends Participation {
  history: HistoryEntry[];
}

export interface ParticipationPage {
  total: number;
  items: Participation[];
}

export interface AnonymousCount {
  year: number;
  sex: Sex;
  count: number;
}

export interface Referral {
  id: string;
  intervention: Ref;
  referringMember: Ref;
  referrerRole: string;
  referralDate: string;
  note: string;
  /** Masked, or null when the referral carries no identity. */
  personnummer: string | null;
  consentDate: string | null;
  status: ReferralStatus;
  decidedAt: string | null;
  decisionReason: string;
  redirectedTo: string | null;
  participationId: string | null;
  queuePosition: number | null;
  daysWaited: number | null;
}

/** What accepting a referral hands to the entry form. */
export interface EntryPrefill {
  referralId: string;
  interventionId: string;
  referringMemberId: string;
  personnummer: string | null;
  consentDate: string | null;
  entryDate: string;
}

export interface DecisionResult {
  status: ReferralStatus;
  newReferralId: string | null;
  prefill: EntryPrefill | null;
}

export interface ImportCounts {
  imported: number;
  anonymous: number;
  updated: number;
  skipped: number;
}

export interface ImportResult extends ImportCounts {
  batchId: string | null;
  dryRun: boolean;
}

export interface RowError {
  row: number;
  column: string;
  /** The reason (src/shared/import-errors.ts): shown from the catalogue in the user's language. */
  code?: string;
  params?: Record<string, string | number>;
  /** The reason in Swedish, as the server wrote it. */
  message: string;
}

export interface ImportBatch extends ImportCounts {
  id: string;
  fileName: string;
  fileHash: string;
  fileSize: number;
  format: 'csv' | 'xlsx';
  createdAt: string;
  createdBy: { id: string; name: string } | null;
  undoneAt: string | null;
  undoneBy: string | null;
}
