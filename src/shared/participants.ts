/**
 * Reference values for the participant register (domain.md §4). Codes are English and stable;
 * Swedish labels are the import vocabulary and the UI text (also in the i18n catalogues).
 */
export const INCOME_SOURCES = {
  none: 'ingen offentlig försörjning',
  salary: 'lön',
  unemployment_insurance: 'a-kassa',
  activity_support: 'aktivitetsstöd/utvecklingsersättning',
  sickness_benefit: 'sjukpenning',
  rehabilitation_benefit: 'rehabiliteringspenning',
  sickness_compensation: 'sjukersättning',
  activity_compensation: 'aktivitetsersättning',
  social_assistance: 'försörjningsstöd',
  establishment_benefit: 'etableringsersättning',
  student_aid: 'studiemedel',
  other: 'annan',
  unknown: 'okänd',
} as const;
export type IncomeSource = keyof typeof INCOME_SOURCES;
export const INCOME_SOURCE_CODES = Object.keys(INCOME_SOURCES) as [IncomeSource, ...IncomeSource[]];

/** The national three-group rollup of public support (finsam.se), plus none and unknown. */
export const INCOME_GROUP_CODES = [
  'ohalsa',
  'arbetsmarknadsstod',
  'ekonomiskt_bistand',
  'ingen',
  'okand',
] as const;
export type IncomeGroup = (typeof INCOME_GROUP_CODES)[number];

/** The national three-group rollup of public support (finsam.se), plus none. */
export const INCOME_GROUP: Record<IncomeSource, IncomeGroup> = {
  none: 'ingen',
  salary: 'ingen',
  student_aid: 'ingen',
  other: 'ingen',
  unknown: 'okand',
  unemployment_insurance: 'arbetsmarknadsstod',
  activity_support: 'arbetsmarknadsstod',
  establishment_benefit: 'arbetsmarknadsstod',
  sickness_benefit: 'ohalsa',
  rehabilitation_benefit: 'ohalsa',
  sickness_compensation: 'ohalsa',
  activity_compensation: 'ohalsa',
  social_assistance: 'ekonomiskt_bistand',
};

export const EXIT_REASONS = {
  work: 'arbete',
  studies: 'studier',
  job_seeking: 'arbetssökande',
  other_actor: 'annan insats/aktör',
  health: 'ohälsa',
  moved: 'flytt',
  own_request: 'avbrott på egen begäran',
  completed: 'avslutad enligt plan',
  other: 'övrigt',
  /** Removes the participation from every statistic. */
  registration_error: 'felregistrering',
} as const;
export type ExitReason = keyof typeof EXIT_REASONS;
export const EXIT_REASON_CODES = Object.keys(EXIT_REASONS) as [ExitReason, ...ExitReason[]];

export const OCCUPATIONS = {
  work: 'arbete',
  studies: 'studier',
  job_seeking: 'arbetssökande',
  other: 'övrigt',
} as const;
export type Occupation = keyof typeof OCCUPATIONS;
export const OCCUPATION_CODES = Object.keys(OCCUPATIONS) as [Occupation, ...Occupation[]];

export const EDUCATION_LEVELS = {
  primary: 'förgymnasial',
  secondary: 'gymnasial',
  post_secondary_short: 'eftergymnasial < 3 år',
  post_secondary_long: 'eftergymnasial ≥ 3 år',
  unknown: 'okänd',
} as const;
export type EducationLevel = keyof typeof EDUCATION_LEVELS;
export const EDUCATION_CODES = Object.keys(EDUCATION_LEVELS) as [EducationLevel, ...EducationLevel[]];

export const SEXES = ['kvinna', 'man'] as const;

export const DIRECTIONS = ['individual', 'structural'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export const FOLLOW_UPS = ['person', 'count'] as const;
export type FollowUp = (typeof FOLLOW_UPS)[number];

/** Lifecycle of an insats (seeds 000/002/004). */
export const INTERVENTION_STATUSES = [
  'proposal',
  'preparation',
  'decided',
  'running',
  'ended',
  'implemented',
] as const;
export type InterventionStatus = (typeof INTERVENTION_STATUSES)[number];

/** Allowed next statuses. `ended` and `implemented` are final. */
export const STATUS_TRANSITIONS: Record<InterventionStatus, InterventionStatus[]> = {
  proposal: ['preparation', 'decided'],
  preparation: ['proposal', 'decided'],
  decided: ['running', 'ended'],
  running: ['ended', 'implemented'],
  ended: [],
  implemented: [],
};

export const REFERRAL_STATUSES = ['waiting', 'accepted', 'declined', 'redirected'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** Municipality of residence outside the association's own municipalities. */
export const OTHER_MUNICIPALITY = 'other';

/** Default window (days) after an exit in which a new entry counts as a return. */
export const DEFAULT_RETURN_WINDOW_DAYS = 365;
