/**
 * zod schemas shared by the server (request validation, OpenAPI) and the web app (forms).
 * Refinements carry a stable `code` in `params` so the client can show a translated message.
 */
import { z } from 'zod';
import { ASSOCIATION_ROLES } from './roles.js';
import { isValidOrgNumber, normaliseOrgNumber } from './identifiers.js';

export const MEMBER_TYPES = ['fk', 'af', 'region', 'municipality'] as const;
export type MemberType = (typeof MEMBER_TYPES)[number];

/** What a slug looks like; also used to refuse impossible slugs in URLs before any lookup. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

export const slugSchema = z.string().trim().regex(SLUG_PATTERN);

/** PostgreSQL text cannot hold U+0000: refused in the schema, so the field is named (code `invalid_character`). */
const noNul = [(v: string) => !v.includes('\u0000'), { params: { code: 'invalid_character' } }] as const;

/** Free text of `min`–`max` characters after trimming. */
export function textSchema(min: number, max: number) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine(...noNul);
}

export const orgNumberSchema = z
  .string()
  .trim()
  .refine((v) => normaliseOrgNumber(v) !== null, { params: { code: 'format' }, abort: true })
  .refine((v) => isValidOrgNumber(v), { params: { code: 'luhn' } })
  .transform((v) => normaliseOrgNumber(v) as string);

export const associationUpdateSchema = z.strictObject({
  name: textSchema(2, 200),
  orgNumber: orgNumberSchema.nullable(),
});
export type AssociationUpdate = z.infer<typeof associationUpdateSchema>;

export const associationCreateSchema = z.strictObject({
  slug: slugSchema,
  name: textSchema(2, 200),
  orgNumber: orgNumberSchema.nullable().optional(),
});
export type AssociationCreate = z.infer<typeof associationCreateSchema>;

export const memberInputSchema = z
  .strictObject({
    type: z.enum(MEMBER_TYPES),
    name: textSchema(2, 200),
    /** Four-digit SCB municipality code (kommunkod); required for municipalities, absent otherwise. */
    municipalityCode: z.string().trim().nullable().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'municipality') {
      if (!v.municipalityCode || !/^\d{4}$/.test(v.municipalityCode)) {
        ctx.addIssue({ code: 'custom', path: ['municipalityCode'], params: { code: 'municipality_code' } });
      }
    } else if (v.municipalityCode) {
      ctx.addIssue({ code: 'custom', path: ['municipalityCode'], params: { code: 'not_allowed' } });
    }
  });
export type MemberInput = z.infer<typeof memberInputSchema>;

/** A percentage with at most two decimals, 0–100. */
const percentSchema = z
  .number()
  .min(0)
  .max(100)
  .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, { params: { code: 'decimals' } });

const shareLineSchema = z.strictObject({ memberId: z.uuid(), percent: percentSchema });

function sumsToHundred(lines: { percent: number }[]): boolean {
  return lines.reduce((s, l) => s + Math.round(l.percent * 100), 0) === 10000;
}

/**
 * The split for one year. FK pays 50 % (covering AF), the regions 25 % and the municipalities 25 %.
 * `regions` and `municipalities` give each member's percentage of its group's quarter; each group sums to 100.
 */
export const contributionInputSchema = z
  .strictObject({
    /** Total member contributions for the year in SEK, if decided. */
    totalAmount: z.number().int().min(0).max(10_000_000_000).nullable(),
    regions: z.array(shareLineSchema).min(1).max(10),
    municipalities: z.array(shareLineSchema).min(1).max(60),
  })
  .superRefine((v, ctx) => {
    for (const group of ['regions', 'municipalities'] as const) {
      if (!sumsToHundred(v[group])) ctx.addIssue({ code: 'custom', path: [group], params: { code: 'sum' } });
      const seen = new Set<string>();
      v[group].forEach((l, i) => {
        if (seen.has(l.memberId))
          ctx.addIssue({ code: 'custom', path: [group, i, 'memberId'], params: { code: 'duplicate' } });
        seen.add(l.memberId);
      });
    }
  });
export type ContributionInput = z.infer<typeof contributionInputSchema>;

const COMMON_PASSWORDS = new Set([
  'password1234',
  'lösenord1234',
  'losenord1234',
  '123456789012',
  'qwertyuiopas',
  'sommar2024!!',
  'sommar2025!!',
  'sommar2026!!',
  'samverka1234',
  'welcome12345',
]);

/** Minimum 12 characters, not a known common password, not one repeated character. */
export function passwordWeakness(pw: string): string | null {
  if (pw.length < 12) return 'too_short';
  if (pw.length > 200) return 'too_long';
  if (COMMON_PASSWORDS.has(pw.toLowerCase()) || /^(.)\1+$/.test(pw)) return 'too_weak';
  if (new Set(pw).size < 5) return 'too_weak';
  return null;
}

export const passwordSchema = z.string().superRefine((pw, ctx) => {
  const weakness = passwordWeakness(pw);
  if (weakness) ctx.addIssue({ code: 'custom', params: { code: weakness } });
});

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email());

export const userCreateSchema = z.strictObject({
  email: emailSchema,
  name: textSchema(1, 200),
  role: z.enum(ASSOCIATION_ROLES),
  /** Optional; when absent a one-time password is generated and returned once. */
  password: passwordSchema.optional(),
});
export type UserCreate = z.infer<typeof userCreateSchema>;

export const userUpdateSchema = z.strictObject({
  name: textSchema(1, 200),
  role: z.enum(ASSOCIATION_ROLES),
});
export type UserUpdate = z.infer<typeof userUpdateSchema>;

export const loginSchema = z.strictObject({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .min(1)
    .max(320)
    .refine(...noNul),
  password: z.string().min(1).max(200),
});

export const passwordChangeSchema = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: passwordSchema,
});
