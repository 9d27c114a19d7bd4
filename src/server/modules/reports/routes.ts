/** Routes: outcome reports, dashboard, goals and report documents. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../context.js';
import { currentUser } from '../../context.js';
import { requireAccess } from '../../auth/access.js';
import { dateSchema } from '../../../shared/register-schemas.js';
import {
  AGE_BANDS,
  BREAKDOWNS,
  goalInputSchema,
  periodSchema,
  reportFilterSchema,
} from '../../../shared/report-schemas.js';
import { DIRECTIONS, SEXES } from '../../../shared/participants.js';
import { AppError } from '../../errors.js';
import { ErrorCode } from '../../../shared/errors.js';
import { toFieldIssues, type ZodishIssue } from '../../../shared/validation.js';
import * as reports from './service.js';
import * as goals from './goals.js';

const slug = z.object({ slug: z.string().min(1).max(64) });
const withId = slug.extend({ id: z.uuid() });
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Query string of a report: period, filters (insatser comma-separated), breakdown, public. */
export const reportQuerySchema = z.object({
  from: dateSchema,
  to: dateSchema,
  interventions: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').filter(Boolean) : undefined))
    .pipe(z.array(z.uuid()).max(100).optional()),
  direction: z.enum(DIRECTIONS).optional(),
  organiserMemberId: z.uuid().optional(),
  municipalityCode: z
    .string()
    .regex(/^(\d{4}|other)$/)
    .optional(),
  sex: z.enum(SEXES).optional(),
  ageBand: z.enum(AGE_BANDS).optional(),
  ageFrom: z.coerce.number().int().min(0).max(120).optional(),
  ageTo: z.coerce.number().int().min(0).max(120).optional(),
  targetGroupId: z.uuid().optional(),
  breakdown: z.enum(BREAKDOWNS).optional(),
  public: bool.optional(),
});
export type ReportQuery = z.infer<typeof reportQuerySchema>;

/** Splits a parsed report query into period, filter and options, with the same field errors as the body schemas. */
export function parseReportQuery(q: ReportQuery) {
  const period = periodSchema.safeParse({ from: q.from, to: q.to });
  if (!period.success)
    throw AppError.field(
      'to',
      'before_start',
      'The period ends before it starts (or is longer than 20 years)',
    );
  const filter = reportFilterSchema.safeParse({
    ...(q.interventions ? { interventionIds: q.interventions } : {}),
    ...(q.direction ? { direction: q.direction } : {}),
    ...(q.organiserMemberId ? { organiserMemberId: q.organiserMemberId } : {}),
    ...(q.municipalityCode ? { municipalityCode: q.municipalityCode } : {}),
    ...(q.sex ? { sex: q.sex } : {}),
    ...(q.ageBand ? { ageBand: q.ageBand } : {}),
    ...(q.ageFrom !== undefined ? { ageFrom: q.ageFrom } : {}),
    ...(q.ageTo !== undefined ? { ageTo: q.ageTo } : {}),
    ...(q.targetGroupId ? { targetGroupId: q.targetGroupId } : {}),
  });
  // The fields were checked one by one above; what remains is the filter's own rules (an age
  // range that ends before it starts), answered with the same field issues as a body.
  if (!filter.success)
    throw new AppError(
      ErrorCode.VALIDATION,
      'Invalid filter',
      toFieldIssues(filter.error.issues as ZodishIssue[]),
    );
  return {
    period: period.data,
    filter: filter.data,
    breakdown: q.breakdown === 'sex' ? undefined : q.breakdown,
    public: q.public,
  };
}

const reportCreateSchema = z
  .strictObject({
    title: z.string().trim().min(2).max(300),
    periodType: z.enum(['year', 'tertial', 'half_year', 'quarter', 'custom']),
    from: dateSchema,
    to: dateSchema,
    interventionId: z.uuid().nullable().default(null),
  })
  .refine((v) => v.from <= v.to, { path: ['to'], params: { code: 'before_start' } });

export const reportRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = ctx;
    const access = (
      request: Parameters<typeof currentUser>[0],
      s: string,
      p: Parameters<typeof requireAccess>[3],
    ) => requireAccess(db, currentUser(request), s, p);

    app.get(
      '/associations/:slug/reports/outcomes',
      { schema: { tags: ['reports'], params: slug, querystring: reportQuerySchema } },
      async (req) =>
        reports.getOutcomeReport(
          db,
          await access(req, req.params.slug, 'reports.read'),
          parseReportQuery(req.query),
        ),
    );
    app.get(
      '/associations/:slug/dashboard',
      {
        schema: {
          tags: ['reports'],
          params: slug,
          querystring: z.object({
            year: z.coerce.number().int().min(2004).max(2200).optional(),
            public: bool.optional(),
          }),
        },
      },
      async (req) =>
        reports.getDashboard(
          db,
          await access(req, req.params.slug, 'reports.read'),
          req.query.year ?? new Date().getFullYear(),
          {
            public: req.query.public,
          },
        ),
    );

    app.get('/associations/:slug/goals', { schema: { tags: ['goals'], params: slug } }, async (req) =>
      goals.listGoals(db, await access(req, req.params.slug, 'reports.read')),
    );
    app.post(
      '/associations/:slug/goals',
      { schema: { tags: ['goals'], params: slug, body: goalInputSchema } },
      async (req, reply) =>
        reply
          .status(201)
          .send(
            await goals.saveGoal(db, await access(req, req.params.slug, 'reports.manage'), null, req.body),
          ),
    );
    app.put(
      '/associations/:slug/goals/:id',
      { schema: { tags: ['goals'], params: withId, body: goalInputSchema } },
      async (req) =>
        goals.saveGoal(db, await access(req, req.params.slug, 'reports.manage'), req.params.id, req.body),
    );
    app.delete(
      '/associations/:slug/goals/:id',
      { schema: { tags: ['goals'], params: withId } },
      async (req, reply) => {
        await goals.deleteGoal(db, await access(req, req.params.slug, 'reports.manage'), req.params.id);
        return reply.status(204).send();
      },
    );

    app.get('/associations/:slug/reports', { schema: { tags: ['reports'], params: slug } }, async (req) =>
      reports.listReports(db, await access(req, req.params.slug, 'reports.read')),
    );
    app.post(
      '/associations/:slug/reports',
      { schema: { tags: ['reports'], params: slug, body: reportCreateSchema } },
      async (req, reply) =>
        reply
          .status(201)
          .send(
            await reports.createReport(db, await access(req, req.params.slug, 'reports.manage'), req.body),
          ),
    );
    app.get(
      '/associations/:slug/reports/:id',
      { schema: { tags: ['reports'], params: withId, querystring: z.object({ public: bool.optional() }) } },
      async (req) =>
        reports.getReport(db, await access(req, req.params.slug, 'reports.read'), req.params.id, {
          public: req.query.public,
        }),
    );
    app.put(
      '/associations/:slug/reports/:id',
      {
        schema: {
          tags: ['reports'],
          params: withId,
          body: z.strictObject({
            title: z.string().trim().min(2).max(300),
            analysis: z.string().max(50_000),
          }),
        },
      },
      async (req) =>
        reports.updateReportText(
          db,
          await access(req, req.params.slug, 'reports.manage'),
          req.params.id,
          req.body,
        ),
    );
    app.post(
      '/associations/:slug/reports/:id/finalise',
      { schema: { tags: ['reports'], params: withId } },
      async (req) =>
        reports.finaliseReport(db, await access(req, req.params.slug, 'reports.manage'), req.params.id),
    );
  };
