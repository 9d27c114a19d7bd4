/**
 * The register forms' checks with the very zod schemas the server validates with (see
 * ../../validation.ts for the pattern). It pulls in zod, so forms load it on demand through
 * `validateRegister` / `loadRegisterValidation`.
 */
import {
  anonymousCountSchema,
  entryCorrectionSchema,
  entrySchema,
  exitSchema,
  interventionCreateSchema,
  interventionUpdateSchema,
  personnummerSchema,
  referralCreateSchema,
  referralDecisionSchema,
  statusChangeSchema,
  targetGroupSchema,
} from '../../../shared/register-schemas';
import { toFieldIssues, type ZodishIssue } from '../../../shared/validation';
import type { FieldIssue } from '../../../shared/errors';

const SCHEMAS = {
  entry: entrySchema,
  entryCorrection: entryCorrectionSchema,
  exit: exitSchema,
  referral: referralCreateSchema,
  decision: referralDecisionSchema,
  interventionCreate: interventionCreateSchema,
  interventionUpdate: interventionUpdateSchema,
  status: statusChangeSchema,
  targetGroup: targetGroupSchema,
  anonymous: anonymousCountSchema,
};
export type RegisterSchema = keyof typeof SCHEMAS;

export function issuesFor(name: RegisterSchema, value: unknown): FieldIssue[] {
  const result = SCHEMAS[name].safeParse(value);
  return result.success ? [] : toFieldIssues(result.error.issues as ZodishIssue[]);
}

/** The reason code a personnummer is refused for (`pnr_format`, `pnr_date`, `pnr_luhn`), or null. */
export function personnummerIssue(value: string): string | null {
  const result = personnummerSchema.safeParse(value);
  if (result.success) return null;
  return toFieldIssues(result.error.issues as ZodishIssue[])[0]?.code ?? 'invalid';
}
