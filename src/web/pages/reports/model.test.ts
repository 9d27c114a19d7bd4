/**
 * The web app's copies of the report constants (model.ts, kept free of zod) must equal the shared
 * originals the server uses, or the forms would offer what the server refuses.
 */
import { describe, expect, it } from 'vitest';
import * as shared from '../../../shared/report-schemas';
import { DIRECTIONS as SHARED_DIRECTIONS, SEXES as SHARED_SEXES } from '../../../shared/participants';
import * as web from './model';

describe('report model copies', () => {
  it('match the shared lists', () => {
    expect(web.AGE_BANDS).toEqual(shared.AGE_BANDS);
    expect(web.GOAL_FIGURES).toEqual(shared.GOAL_FIGURES);
    expect(web.GOAL_PERIOD_TYPES).toEqual(shared.PERIOD_TYPES);
    expect(web.GOAL_STATUSES).toEqual(shared.GOAL_STATUSES);
    expect(['sex', ...web.BREAKDOWNS]).toEqual(shared.BREAKDOWNS);
    expect(web.DIRECTIONS).toEqual(SHARED_DIRECTIONS);
    expect(web.SEXES).toEqual(SHARED_SEXES);
  });

  it('cut a year into the same periods as the server', () => {
    for (const type of shared.PERIOD_TYPES)
      for (const year of [2024, 2025])
        expect(web.periodsOfYear(type, year)).toEqual(shared.periodsOfYear(type, year));
  });
});
