/**
 * Turns API errors into translated text. The server's error codes are stable; its English messages
 * are never shown. A field issue is translated from its reason code, with a more specific text
 * when the field has one (e.g. `name` + `too_small` → "Namnet är för kort").
 */
import type { TFunction } from 'i18next';
import type { FieldIssue } from '../shared/errors';
import { ApiError } from './api';
import type { SchemaName } from './validation';

/** The field a dotted path ends in, ignoring list indexes: `municipalities.1.percent` → `percent`. */
export function fieldOf(path: string): string {
  const parts = path.split('.').filter((p) => p !== '' && !/^\d+$/.test(p));
  return parts[parts.length - 1] ?? '';
}

/**
 * `area` names a catalogue area (e.g. `register`) whose own `fieldErrorsByField` and `fieldErrors`
 * are tried before the core ones at the same level, so an area adds its reason codes without
 * touching the core catalogue.
 */
export function fieldErrorMessage(
  t: TFunction,
  issue: Pick<FieldIssue, 'path' | 'code'>,
  area?: string,
): string {
  const field = fieldOf(issue.path);
  const levels = [
    ...(field ? [`fieldErrorsByField.${field}.${issue.code}`] : []),
    `fieldErrors.${issue.code}`,
  ];
  const keys = levels.flatMap((k) => (area ? [`${area}.${k}`, k] : [k]));
  return t([...keys, 'fieldErrors.invalid']);
}

/** Waiting time as words: 45 → "45 sekunder", 600 → "10 minuter". */
export function waitTime(t: TFunction, seconds: number): string {
  if (seconds < 60) return t('time.seconds', { count: seconds });
  return t('time.minutes', { count: Math.ceil(seconds / 60) });
}

/** A message for an error that is not about one field. */
export function errorMessage(t: TFunction, err: unknown): string {
  if (!(err instanceof ApiError)) return t('errors.INTERNAL');
  if (err.code === 'TOO_MANY_ATTEMPTS' || err.code === 'RATE_LIMITED') {
    if (err.retryAfterSeconds)
      return t(`errors.${err.code}_wait`, { time: waitTime(t, err.retryAfterSeconds) });
  }
  return t([`errors.${err.code}`, 'errors.INTERNAL']);
}

/** Field issues of an error response, or none. */
export function issuesOf(err: unknown): FieldIssue[] {
  return err instanceof ApiError ? err.issues : [];
}

/** Why an action without a form failed (remove, …): the first field issue's reason, or the error's message. */
export function actionFailure(t: TFunction, err: unknown, area?: string): string {
  const issue = issuesOf(err)[0];
  return issue ? fieldErrorMessage(t, issue, area) : errorMessage(t, err);
}

/**
 * Validates a request body with the shared schema before it is sent. Loads zod on first use.
 * Returns the field issues, empty when the body is valid.
 */
export async function validate(name: SchemaName, value: unknown): Promise<FieldIssue[]> {
  const { issuesFor } = await import('./validation');
  return issuesFor(name, value);
}
