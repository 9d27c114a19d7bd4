/** Report periods, filters and figure names shared by the API, the CLI, goals and the web app. */
import { z } from 'zod';
import { DIRECTIONS, SEXES } from './participants.js';
import { dateSchema } from './register-schemas.js';

export const AGE_BANDS = ['16-19', '20-24', '25-29', '30-39', '40-49', '50-64', 'other'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const BREAKDOWNS = ['sex', 'ageBand', 'municipality', 'intervention'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

export const reportFilterSchema = z
  .strictObject({
    interventionIds: z.array(z.uuid()).max(100).optional(),
    direction: z.enum(DIRECTIONS).optional(),
    organiserMemberId: z.uuid().optional(),
    municipalityCode: z
      .string()
      .regex(/^(\d{4}|other)$/)
      .optional(),
    sex: z.enum(SEXES).optional(),
    ageBand: z.enum(AGE_BANDS).optional(),
    /** Age at entry (the entry year minus the birth year), from and to inclusive: "16–64 år". */
    ageFrom: z.number().int().min(0).max(120).optional(),
    ageTo: z.number().int().min(0).max(120).optional(),
    targetGroupId: z.uuid().optional(),
  })
  .refine((f) => f.ageFrom === undefined || f.ageTo === undefined || f.ageFrom <= f.ageTo, {
    path: ['ageTo'],
    params: { code: 'before_start' },
  });
export type ReportFilter = z.infer<typeof reportFilterSchema>;

export const periodSchema = z
  .strictObject({ from: dateSchema, to: dateSchema })
  .refine((p) => p.from <= p.to, { path: ['to'], params: { code: 'before_start' } })
  .refine((p) => Date.parse(p.to) - Date.parse(p.from) <= 20 * 366 * 86_400_000, {
    path: ['to'],
    params: { code: 'too_long' },
  });
export type Period = z.infer<typeof periodSchema>;

/** Figures a goal can bind to. Count figures compare counts; share figures compare fractions 0–1. */
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

export { PERIOD_TYPES, periodsOfYear, type PeriodType } from './periods.js';
import { PERIOD_TYPES } from './periods.js';

/** A goal measured on the register (participant data). */
const registerGoalDefinition = z.strictObject({
  kind: z.literal('register'),
  figure: z.enum(Object.keys(GOAL_FIGURES) as [GoalFigure, ...GoalFigure[]]),
  filter: reportFilterSchema.default({}),
});

/**
 * A goal measured on a survey: "80 % answer 7–10". Evaluated once the survey capability stores
 * answers; until then its status is `no_data`.
 */
const surveyGoalDefinition = z.strictObject({
  kind: z.literal('survey'),
  questionnaire: z.string().trim().min(1).max(200),
  question: z.string().trim().min(1).max(500),
  scaleMin: z.number().int().min(0).max(10),
  scaleMax: z.number().int().min(1).max(10),
  /** Answers at or above this value count as "yes" (e.g. 7 for "7–10"). */
  atLeast: z.number().int().min(0).max(10),
});

export const goalDefinitionSchema = z.discriminatedUnion('kind', [
  registerGoalDefinition,
  surveyGoalDefinition,
]);
export type GoalDefinition = z.infer<typeof goalDefinitionSchema>;

export const goalInputSchema = z.strictObject({
  name: z.string().trim().min(2).max(300),
  definition: goalDefinitionSchema,
  periodType: z.enum(PERIOD_TYPES),
  comparator: z.enum(['>=', '<=']),
  /** A share as a fraction 0–1 (0.4 = 40 %), a count, or days. */
  target: z.number().min(0).max(1_000_000),
  reference: z
    .strictObject({
      label: z.string().trim().min(1).max(200),
      values: z.record(z.string().regex(/^\d{4}$/), z.number().min(0)),
    })
    .nullable()
    .default(null),
  validFromYear: z.number().int().min(2004).max(2200),
  validToYear: z.number().int().min(2004).max(2200).nullable().default(null),
});
export type GoalInput = z.infer<typeof goalInputSchema>;

export const GOAL_STATUSES = ['met', 'near', 'not_met', 'too_few', 'no_data'] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];
