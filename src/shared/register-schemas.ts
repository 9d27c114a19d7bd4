/** zod schemas for insatser, participations and referrals; shared by API, CLI, import and forms. */
import { z } from 'zod';
import {
  DIRECTIONS,
  EDUCATION_CODES,
  EXIT_REASON_CODES,
  FOLLOW_UPS,
  INCOME_SOURCE_CODES,
  INTERVENTION_STATUSES,
  OCCUPATION_CODES,
  SEXES,
} from './participants.js';
import { parsePersonnummer } from './personnummer.js';

/** A calendar date `YYYY-MM-DD` that exists. */
export const dateSchema = z.string().refine(
  (v) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    if (!m) return false;
    const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
    return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
  },
  { params: { code: 'date' } },
);

export const personnummerSchema = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const r = parsePersonnummer(v);
    if (!r.ok) ctx.addIssue({ code: 'custom', params: { code: `pnr_${r.error}` } });
  })
  .transform((v) => {
    const r = parsePersonnummer(v);
    return r.ok ? r.value.digits : v;
  });

const text = (max: number) => z.string().trim().max(max);

export const interventionCreateSchema = z
  .strictObject({
    name: z.string().trim().min(2).max(200),
    description: text(5000).default(''),
    direction: z.enum(DIRECTIONS),
    followUp: z.enum(FOLLOW_UPS),
    esf: z.boolean().default(false),
    startDate: dateSchema.nullable().default(null),
    endDate: dateSchema.nullable().default(null),
    organiserMemberId: z.uuid().nullable().default(null),
    targetGroupIds: z.array(z.uuid()).max(50).default([]),
    responsibleUserIds: z.array(z.uuid()).max(50).default([]),
    plannedParticipants: z.number().int().min(0).max(100000).nullable().default(null),
    notes: text(5000).default(''),
  })
  .superRefine((v, ctx) => {
    if (v.startDate && v.endDate && v.endDate < v.startDate)
      ctx.addIssue({ code: 'custom', path: ['endDate'], params: { code: 'before_start' } });
    if (v.direction === 'structural' && v.followUp === 'person')
      ctx.addIssue({ code: 'custom', path: ['followUp'], params: { code: 'structural_person' } });
  });
export type InterventionCreate = z.infer<typeof interventionCreateSchema>;

/**
 * An update sends the whole editable insats. Direction, follow-up method and the ESF flag are
 * locked after creation: they may be sent (unchanged) but a different value is refused.
 */
export const interventionUpdateSchema = z.strictObject({
  name: z.string().trim().min(2).max(200),
  description: text(5000),
  direction: z.enum(DIRECTIONS).optional(),
  followUp: z.enum(FOLLOW_UPS).optional(),
  esf: z.boolean().optional(),
  startDate: dateSchema.nullable(),
  endDate: dateSchema.nullable(),
  organiserMemberId: z.uuid().nullable(),
  targetGroupIds: z.array(z.uuid()).max(50),
  responsibleUserIds: z.array(z.uuid()).max(50),
  plannedParticipants: z.number().int().min(0).max(100000).nullable(),
  notes: text(5000),
});
export type InterventionUpdate = z.infer<typeof interventionUpdateSchema>;

export const statusChangeSchema = z.strictObject({
  status: z.enum(INTERVENTION_STATUSES),
  date: dateSchema,
});

export const coordinatorsSchema = z.strictObject({ userIds: z.array(z.uuid()).max(100) });

export const targetGroupSchema = z.strictObject({
  name: z.string().trim().min(2).max(200),
  active: z.boolean().default(true),
});

export const incomeLineSchema = z.strictObject({
  source: z.enum(INCOME_SOURCE_CODES),
  /** Extent in % of full time (100 % = 40 h/week). */
  extentPct: z.number().int().min(0).max(100),
});

const incomeListSchema = z
  .array(incomeLineSchema)
  .max(13)
  .superRefine((lines, ctx) => {
    const seen = new Set<string>();
    lines.forEach((l, i) => {
      if (seen.has(l.source))
        ctx.addIssue({ code: 'custom', path: [i, 'source'], params: { code: 'duplicate' } });
      seen.add(l.source);
    });
  });

export const entrySchema = z.strictObject({
  interventionId: z.uuid(),
  personnummer: personnummerSchema,
  entryDate: dateSchema,
  /** Kommunkod of one of the association's municipalities, or 'other'. */
  municipalityCode: z
    .string()
    .trim()
    .regex(/^(\d{4}|other)$/),
  incomeAtEntry: incomeListSchema.min(1),
  supportMonths: z.number().int().min(0).max(1200).nullable().default(null),
  educationLevel: z.enum(EDUCATION_CODES).nullable().default(null),
  targetGroupIds: z.array(z.uuid()).max(20).default([]),
  referringMemberId: z.uuid().nullable().default(null),
  consentDate: dateSchema,
  consentRef: text(200).default(''),
  /** The accepted referral this entry comes from, if any; it is linked to the participation. */
  referralId: z.uuid().nullable().default(null),
});
export type EntryInput = z.infer<typeof entrySchema>;

export const exitSchema = z
  .strictObject({
    exitDate: dateSchema,
    exitReason: z.enum(EXIT_REASON_CODES),
    occupationAfter: z.enum(OCCUPATION_CODES).nullable().default(null),
    incomeAtExit: incomeListSchema.default([]),
  })
  .superRefine((v, ctx) => {
    if (v.exitReason !== 'registration_error') {
      if (!v.occupationAfter)
        ctx.addIssue({ code: 'custom', path: ['occupationAfter'], params: { code: 'required' } });
      if (v.incomeAtExit.length === 0)
        ctx.addIssue({ code: 'custom', path: ['incomeAtExit'], params: { code: 'required' } });
    }
  });
export type ExitInput = z.infer<typeof exitSchema>;

/** A correction of an entry: the same fields as entry, except the person and the insats. */
export const entryCorrectionSchema = entrySchema.omit({
  interventionId: true,
  personnummer: true,
  referralId: true,
});
export type EntryCorrection = z.infer<typeof entryCorrectionSchema>;

export const anonymousCountSchema = z.strictObject({
  interventionId: z.uuid(),
  year: z.number().int().min(2004).max(2200),
  sex: z.enum(SEXES),
  count: z.number().int().min(1).max(10000),
});

export const referralCreateSchema = z
  .strictObject({
    interventionId: z.uuid(),
    referringMemberId: z.uuid(),
    referrerRole: text(200).default(''),
    referralDate: dateSchema,
    note: text(500).default(''),
    /** Only with consent: then consentDate is required. */
    personnummer: personnummerSchema.nullable().default(null),
    consentDate: dateSchema.nullable().default(null),
  })
  .superRefine((v, ctx) => {
    if (v.personnummer && !v.consentDate)
      ctx.addIssue({ code: 'custom', path: ['consentDate'], params: { code: 'consent_required' } });
  });

export const referralDecisionSchema = z
  .strictObject({
    decision: z.enum(['accepted', 'waiting', 'declined', 'redirected']),
    date: dateSchema,
    reason: text(500).default(''),
    redirectToInterventionId: z.uuid().nullable().default(null),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'declined' && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], params: { code: 'required' } });
    if (v.decision === 'redirected' && !v.redirectToInterventionId)
      ctx.addIssue({ code: 'custom', path: ['redirectToInterventionId'], params: { code: 'required' } });
  });

export const participationFilterSchema = z.object({
  status: z.enum(['all', 'ongoing', 'exited']).default('all'),
  from: dateSchema.optional(),
  to: dateSchema.optional(),
  sex: z.enum(SEXES).optional(),
  targetGroupId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ParticipationFilter = z.infer<typeof participationFilterSchema>;
