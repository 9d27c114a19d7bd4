/**
 * Client-side checks with the very zod schemas the server validates with, mapped to field issues
 * by the server's own mapping, so a problem found here reads exactly as the server would report it.
 * This module pulls in zod, so forms load it on demand (see `validate` in forms.ts): the first
 * page paint does not wait for it.
 */
import {
  associationUpdateSchema,
  contributionInputSchema,
  loginSchema,
  memberInputSchema,
  passwordChangeSchema,
  userCreateSchema,
  userUpdateSchema,
} from '../shared/schemas';
import { toFieldIssues, type ZodishIssue } from '../shared/validation';
import type { FieldIssue } from '../shared/errors';

const SCHEMAS = {
  login: loginSchema,
  passwordChange: passwordChangeSchema,
  association: associationUpdateSchema,
  member: memberInputSchema,
  contribution: contributionInputSchema,
  userCreate: userCreateSchema,
  userUpdate: userUpdateSchema,
};
export type SchemaName = keyof typeof SCHEMAS;

export function issuesFor(name: SchemaName, value: unknown): FieldIssue[] {
  const result = SCHEMAS[name].safeParse(value);
  return result.success ? [] : toFieldIssues(result.error.issues as ZodishIssue[]);
}
