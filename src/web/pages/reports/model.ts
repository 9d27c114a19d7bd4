/**
 * Shapes of the report API's responses (mirroring the server's engine, goals and report services)
 * and the domain lists the report pages need. The lists repeat a few constants from
 * src/shared/report-schemas.ts, because that module builds zod schemas at load time and the web
 * bundle loads zod only on demand; model.test.ts keeps the copies equal to the originals.
 */
export const SEXES = ['kvinna', 'man'] as const;
export type Sex = (typeof SEXES)[number];

export const AGE_BANDS = ['16-19', '20-24', '25-29', '30-39', '40-49', '50-64', 'other'] as const;
export const DAY_BANDS = ['0-90', '91-180', '181-365', '366-730', '731+'] as const;
export { INCOME_GROUP_CODES as INCOME_GROUPS } from '../../../shared/participants';
export const DIRECTIONS = ['individual', 'structural'] as const;
export const BREAKDOWNS = ['ageBand', 'municipality', 'intervention'] as const;
export type BreakdownDimension = (typeof BREAKDOWNS)[number];

/** Figures a goal can bind to, and how their target is entered: a share in %, a count or days. */
export const GOAL_FIGURES = {
  entries: 'count',
  exits: 'count',
  ongoingAtEnd: 'count',
  uniquePersons: 'count',
  toWorkOrStudies: 'count',
  shareToWorkOrStudies: 'share',
  shareMovedToSelfSupport: 'share',
  returners: 'count',
  shareReturners: 'share',
  medianDaysInInsats: 'days',
} as const;
export type GoalFigure = keyof typeof GOAL_FIGURES;
export type FigureKind = (typeof GOAL_FIGURES)[GoalFigure];

export {
  PERIOD_TYPES as GOAL_PERIOD_TYPES,
  type PeriodType as GoalPeriodType,
} from '../../../shared/periods';
import {
  PERIOD_TYPES as GOAL_PERIOD_TYPES,
  type PeriodType as GoalPeriodType,
} from '../../../shared/periods';
export const REPORT_PERIOD_TYPES = [...GOAL_PERIOD_TYPES, 'custom'] as const;
export type ReportPeriodType = (typeof REPORT_PERIOD_TYPES)[number];

export const GOAL_STATUSES = ['met', 'near', 'not_met', 'too_few', 'no_data'] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];

export { periodsOfYear } from '../../../shared/periods';

export type CountField =
  | 'entries'
  | 'identifiedEntries'
  | 'anonymousEntries'
  | 'exits'
  | 'exitsExcludingErrors'
  | 'anonymousExits'
  | 'toWorkOrStudies'
  | 'ongoingAtEnd'
  | 'participations'
  | 'uniquePersons'
  | 'returners';
export type ShareField = 'shareToWorkOrStudies' | 'shareReturners';
export type FigureField = CountField | ShareField | 'medianDaysInInsats';

/**
 * One group's figures. Counts are integers, shares fractions 0–1, the median in days. A value
 * hidden by small-number protection is null and named in `suppressedFields`; a null that is not
 * listed there has no value at all (a share of nothing).
 */
export type Figures = Record<CountField, number | null> &
  Record<ShareField, number | null> & {
    medianDaysInInsats: number | null;
    daysDistribution: { band: string; count: number | null }[];
    suppressed: boolean;
    suppressedFields: string[];
  };

export interface GroupFigures {
  total: Figures;
  bySex: Record<Sex, Figures>;
}

export interface IncomeMatrixCell {
  entryGroup: string;
  exitGroup: string;
  count: number | null;
  share: number | null;
}

export interface ReportFilter {
  interventionIds?: string[];
  direction?: string;
  organiserMemberId?: string;
  municipalityCode?: string;
  sex?: Sex;
  ageBand?: string;
  ageFrom?: number;
  ageTo?: number;
  targetGroupId?: string;
}

export interface OutcomeReport extends GroupFigures {
  period: { from: string; to: string };
  filter: ReportFilter;
  /** Small counts are suppressed (the viewer lacks person-level rights, or the output is public). */
  protected: boolean;
  breakdown: { dimension: string; rows: ({ key: string } & GroupFigures)[] } | null;
  incomeMatrix: {
    groups: readonly string[];
    total: IncomeMatrixCell[];
    bySex: Record<Sex, IncomeMatrixCell[]>;
    movedToSelfSupport: number | null;
    publicSupportAtEntry: number | null;
    shareMovedToSelfSupport: number | null;
  };
}

export interface MonthVolumes {
  /** YYYY-MM */
  month: string;
  entries: number | null;
  exits: number | null;
  ongoingAtEnd: number | null;
  bySex: Record<Sex, { entries: number | null; exits: number | null; ongoingAtEnd: number | null }>;
}

export interface RegisterGoalDefinition {
  kind: 'register';
  figure: GoalFigure;
  filter: ReportFilter;
}
export interface SurveyGoalDefinition {
  kind: 'survey';
  questionnaire: string;
  question: string;
  scaleMin: number;
  scaleMax: number;
  /** Answers at or above this value count (7 for "7–10"). */
  atLeast: number;
}
export type GoalDefinition = RegisterGoalDefinition | SurveyGoalDefinition;

export interface GoalReference {
  label: string;
  /** Year → value; a share as a fraction. */
  values: Record<string, number>;
}

export interface GoalInput {
  name: string;
  definition: GoalDefinition;
  periodType: GoalPeriodType;
  comparator: '>=' | '<=';
  /** A share as a fraction 0–1, a count, or days. */
  target: number;
  reference: GoalReference | null;
  validFromYear: number;
  validToYear: number | null;
}

export interface Goal extends GoalInput {
  id: string;
}

export interface GoalEvaluation {
  periodKey: string;
  from: string;
  to: string;
  value: number | null;
  reference: number | null;
  /** The target in force: the goal's own, or the reference when that is stricter. */
  target: number;
  status: GoalStatus;
}

export interface DashboardGoal {
  goal: Goal;
  periods: GoalEvaluation[];
  latest: GoalEvaluation | null;
  trend: { year: number; value: number | null; status: GoalStatus; target: number }[];
}

export interface Dashboard {
  year: number;
  period: { from: string; to: string };
  protected: boolean;
  figures: OutcomeReport;
  volumes: MonthVolumes[];
  goals: DashboardGoal[];
}

export interface ReportSummary {
  id: string;
  interventionId: string | null;
  periodType: ReportPeriodType;
  from: string;
  to: string;
  title: string;
  analysis: string;
  status: 'draft' | 'final';
  finalisedAt: string | null;
}

export interface ReportDocument extends ReportSummary {
  intervention: { id: string; name: string } | null;
  figures: OutcomeReport;
}

export interface ReportCreate {
  title: string;
  periodType: ReportPeriodType;
  from: string;
  to: string;
  interventionId: string | null;
}

export interface AssociationComparison {
  period: { from: string; to: string };
  protected: true;
  associations: ({ id: string; slug: string; name: string } & GroupFigures)[];
}

/** The parts of an insats the report pages need (GET /interventions). */
export interface InterventionOption {
  id: string;
  name: string;
  direction: string;
}

export interface TargetGroupOption {
  id: string;
  name: string;
  active: boolean;
}

/** Whether a figure's value was hidden by small-number protection (rather than having no value). */
export function isSuppressed(f: Figures, field: string): boolean {
  return f.suppressedFields.includes(field);
}
