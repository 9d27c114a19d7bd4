/**
 * Reports for the board and the members: live figures, the dashboard, report documents with an
 * analysis text, and finalising (freezing) a report. Decides per viewer whether small counts are
 * suppressed.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Scope } from '../../auth/access.js';
import { AppError, isUniqueViolation } from '../../errors.js';
import { recordAudit } from '../../audit/audit.js';
import { roleAllows } from '../../../shared/roles.js';
import { todaySweden } from '../../../shared/dates.js';
import type { Breakdown, Period, ReportFilter } from '../../../shared/report-schemas.js';
import { allowedInterventionIds } from '../interventions/access.js';
import {
  computeOutcomeReport,
  PeriodReportPlan,
  type OutcomeReport,
  type OutcomeReportRequest,
} from './engine.js';
import { dashboardGoals, listGoals, planDashboardGoals } from './goals.js';
import type { QueryScope } from './queries.js';
import { cachedForAssociation } from './cache.js';

export interface ViewOptions {
  /** Force small-number protection, e.g. for a report going outside the office. */
  public?: boolean | undefined;
}

/**
 * The query scope and whether to protect small counts. Figures are unprotected only for a viewer
 * with person-level rights over every insats in the report (the office, or a coordinator looking
 * at their own insatser); the board, the auditor and public outputs always get protected figures.
 */
export async function reportAccess(
  db: Kysely<DB>,
  scope: Scope,
  filter: ReportFilter,
  opts: ViewOptions = {},
) {
  const qscope: QueryScope = { associationIds: [scope.associationId] };
  if (filter.interventionIds?.length) {
    const found = await db
      .selectFrom('interventions')
      .select('id')
      .where('association_id', '=', scope.associationId)
      .where('id', 'in', filter.interventionIds)
      .execute();
    const ok = new Set(found.map((f) => f.id));
    const bad = filter.interventionIds.findIndex((id) => !ok.has(id));
    if (bad >= 0) throw AppError.field(`interventionIds.${bad}`, 'unknown_intervention', 'Unknown insats');
  }
  let protect = opts.public === true || !roleAllows(scope.role, 'participants.read');
  if (!protect) {
    const allowed = await allowedInterventionIds(db, scope);
    if (allowed !== null) {
      const requested = filter.interventionIds ?? [];
      protect = requested.length === 0 || requested.some((id) => !allowed.includes(id));
    }
  }
  return { qscope, protect };
}

export async function getOutcomeReport(
  db: Kysely<DB>,
  scope: Scope,
  req: {
    period: Period;
    filter: ReportFilter;
    breakdown?: Exclude<Breakdown, 'sex'> | undefined;
  } & ViewOptions,
) {
  const { qscope, protect } = await reportAccess(db, scope, req.filter, req);
  const request = { period: req.period, filter: req.filter, breakdown: req.breakdown, protect };
  return cachedOutcomeReport(db, scope.associationId, qscope, request);
}

/** An association's live outcome report, from the report cache while its data is unchanged. */
function cachedOutcomeReport(
  db: Kysely<DB>,
  associationId: string,
  qscope: QueryScope,
  req: OutcomeReportRequest,
): Promise<OutcomeReport> {
  // The whole report depends on the association's data, the period, the filter, the breakdown
  // and protection; qscope is just the association (reportAccess never narrows it).
  const parts = ['outcomes', qscope, req.period, req.filter, req.breakdown ?? null, req.protect];
  return cachedForAssociation(db, associationId, parts, () => computeOutcomeReport(db, qscope, req));
}

/** The year's key figures, its goals with traffic lights and trend, and volumes month by month. */
export async function getDashboard(db: Kysely<DB>, scope: Scope, year: number, opts: ViewOptions = {}) {
  const today = todaySweden();
  const { qscope, protect } = await reportAccess(db, scope, {}, opts);
  // From the report cache while the association's data is unchanged (cache.ts). The year so far
  // ends today, and goal periods count only up to today: today is part of the key.
  return cachedForAssociation(db, scope.associationId, ['dashboard', qscope, year, today, protect], () =>
    computeDashboard(db, scope, qscope, year, today, protect),
  );
}

/**
 * The key figures, the monthly volumes, every goal period and every trend year come from one
 * multi-period statement per distinct goal filter (`PeriodReportPlan`), run at once: one statement
 * when no goal has a filter of its own.
 */
async function computeDashboard(
  db: Kysely<DB>,
  scope: Scope,
  qscope: QueryScope,
  year: number,
  today: string,
  protect: boolean,
) {
  const goals = await listGoals(db, scope);
  const yearEnd = `${year}-12-31`;
  const period = {
    from: `${year}-01-01`,
    to: yearEnd < today ? yearEnd : today < `${year}-01-01` ? `${year}-01-01` : today,
  };
  const plan = new PeriodReportPlan();
  plan.add(period, {}, 'all');
  plan.addMonthlyVolumes(period, {});
  planDashboardGoals(plan, goals, year, today);
  const computed = await plan.run(db, qscope, protect);
  return {
    year,
    period,
    protected: protect,
    figures: computed.report(period, {}, 'all'),
    volumes: computed.monthlyVolumes({}),
    goals: dashboardGoals(goals, year, today, computed.report),
  };
}

// ---- report documents ----

type ReportRow = NonNullable<Awaited<ReturnType<typeof findReport>>>;

function findReport(db: Kysely<DB>, associationId: string, id: string) {
  return db
    .selectFrom('reports')
    .selectAll()
    .where('association_id', '=', associationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

interface Frozen {
  full: OutcomeReport;
  protected: OutcomeReport;
  frozenAt: string;
}

function toReportDto(r: ReportRow) {
  return {
    id: r.id,
    interventionId: r.intervention_id,
    periodType: r.period_type,
    from: r.period_from,
    to: r.period_to,
    title: r.title,
    analysis: r.analysis,
    status: r.status,
    finalisedAt: r.finalised_at?.toISOString() ?? null,
  };
}

export async function listReports(db: Kysely<DB>, scope: Scope) {
  const rows = await db
    .selectFrom('reports')
    .selectAll()
    .where('association_id', '=', scope.associationId)
    .orderBy('period_to', 'desc')
    .orderBy('title')
    .execute();
  return rows.map(toReportDto);
}

export async function createReport(
  db: Kysely<DB>,
  scope: Scope,
  input: {
    title: string;
    periodType: ReportRow['period_type'];
    from: string;
    to: string;
    interventionId: string | null;
  },
) {
  if (input.interventionId) await reportAccess(db, scope, { interventionIds: [input.interventionId] });
  try {
    return await db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('reports')
        .values({
          association_id: scope.associationId,
          intervention_id: input.interventionId,
          period_type: input.periodType,
          period_from: input.from,
          period_to: input.to,
          title: input.title,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(tx, {
        associationId: scope.associationId,
        actorUserId: scope.userId,
        action: 'report.created',
        entityType: 'report',
        entityId: row.id,
        details: { title: input.title, from: input.from, to: input.to },
      });
      return toReportDto(row);
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw AppError.conflict('from', 'duplicate', 'A report for this period exists');
    throw err;
  }
}

/** A report with its figures: frozen ones when final, live ones otherwise; protected per viewer. */
export async function getReport(db: Kysely<DB>, scope: Scope, id: string, opts: ViewOptions = {}) {
  const row = await findReport(db, scope.associationId, id);
  if (!row) throw AppError.notFound('Report');
  const filter: ReportFilter = row.intervention_id ? { interventionIds: [row.intervention_id] } : {};
  const { qscope, protect } = await reportAccess(db, scope, filter, opts);
  let figures: OutcomeReport;
  if (row.status === 'final') {
    const frozen = row.frozen as Frozen;
    figures = protect ? frozen.protected : frozen.full;
  } else {
    figures = await cachedOutcomeReport(db, scope.associationId, qscope, {
      period: { from: row.period_from, to: row.period_to },
      filter,
      breakdown: 'ageBand',
      protect,
    });
  }
  const intervention = row.intervention_id
    ? await db
        .selectFrom('interventions')
        .select(['id', 'name'])
        .where('association_id', '=', scope.associationId)
        .where('id', '=', row.intervention_id)
        .executeTakeFirst()
    : null;
  return { ...toReportDto(row), intervention: intervention ?? null, figures };
}

export async function updateReportText(
  db: Kysely<DB>,
  scope: Scope,
  id: string,
  input: { title: string; analysis: string },
) {
  await db.transaction().execute(async (tx) => {
    const row = await findReport(tx, scope.associationId, id);
    if (!row) throw AppError.notFound('Report');
    if (row.status === 'final')
      throw AppError.conflict('status', 'final', 'A final report cannot be changed');
    await tx
      .updateTable('reports')
      .set({ title: input.title, analysis: input.analysis, updated_at: new Date() })
      .where('association_id', '=', scope.associationId)
      .where('id', '=', id)
      .execute();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'report.text_updated',
      entityType: 'report',
      entityId: id,
    });
  });
  return getReport(db, scope, id);
}

/** Freezes the figures as they are now (both the full and the protected view); live data stays editable. */
export async function finaliseReport(db: Kysely<DB>, scope: Scope, id: string) {
  await db.transaction().execute(async (tx) => {
    const row = await findReport(tx, scope.associationId, id);
    if (!row) throw AppError.notFound('Report');
    if (row.status === 'final') throw AppError.conflict('status', 'final', 'The report is already final');
    const filter: ReportFilter = row.intervention_id ? { interventionIds: [row.intervention_id] } : {};
    const qscope: QueryScope = { associationIds: [scope.associationId] };
    const period = { from: row.period_from, to: row.period_to };
    const frozen: Frozen = {
      full: await computeOutcomeReport(tx, qscope, { period, filter, breakdown: 'ageBand', protect: false }),
      protected: await computeOutcomeReport(tx, qscope, {
        period,
        filter,
        breakdown: 'ageBand',
        protect: true,
      }),
      frozenAt: new Date().toISOString(),
    };
    await tx
      .updateTable('reports')
      .set({
        status: 'final',
        frozen: JSON.stringify(frozen),
        finalised_at: new Date(),
        finalised_by: scope.userId,
        updated_at: new Date(),
      })
      .where('association_id', '=', scope.associationId)
      .where('id', '=', id)
      .execute();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'report.finalised',
      entityType: 'report',
      entityId: id,
    });
  });
  return getReport(db, scope, id);
}
