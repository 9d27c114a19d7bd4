/**
 * Goals and their evaluation. A goal binds a figure and a filter to a period type, a comparator and
 * a target, optionally against a reference (e.g. the national average). Each period gets a traffic
 * light: met, near, not met, too few data (base under 5 or suppressed), or no data (survey goals
 * until the survey capability exists).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Scope } from '../../auth/access.js';
import { AppError } from '../../errors.js';
import { recordAudit } from '../../audit/audit.js';
import {
  GOAL_FIGURES,
  goalDefinitionSchema,
  periodsOfYear,
  type GoalDefinition,
  type GoalInput,
  type GoalStatus,
  type PeriodType,
} from '../../../shared/report-schemas.js';
import type { PeriodReportPlan, PlannedReports } from './engine.js';
import { MIN_PUBLISHED_COUNT } from './suppression.js';

/** Refuses goals whose definition does not fit their figure. */
export function checkGoalFits(input: GoalInput) {
  const d = input.definition;
  if (d.kind === 'register') {
    const type = GOAL_FIGURES[d.figure];
    if (type === 'share' && input.target > 1)
      throw AppError.field(
        'target',
        'share_range',
        'A share target is a fraction between 0 and 1 (0.4 = 40 %)',
      );
    if (type === 'count' && !Number.isInteger(input.target))
      throw AppError.field('target', 'integer', 'A count target is a whole number');
    if (input.reference && type !== 'share')
      throw AppError.field('reference', 'share_only', 'A reference value applies to share goals');
    for (const [year, v] of Object.entries(input.reference?.values ?? {}))
      if (v > 1)
        throw AppError.field(
          `reference.values.${year}`,
          'share_range',
          'A reference share is between 0 and 1',
        );
  } else {
    if (d.scaleMin >= d.scaleMax)
      throw AppError.field('definition.scaleMax', 'scale', 'The scale maximum must exceed its minimum');
    if (d.atLeast < d.scaleMin || d.atLeast > d.scaleMax)
      throw AppError.field('definition.atLeast', 'scale', 'The threshold must lie on the scale');
    if (input.target > 1)
      throw AppError.field('target', 'share_range', 'A survey target is a share between 0 and 1');
  }
  if (input.validToYear !== null && input.validToYear < input.validFromYear)
    throw AppError.field('validToYear', 'before_start', 'The last year is before the first');
}

type GoalRow = Awaited<ReturnType<typeof listGoalRows>>[number];

function listGoalRows(db: Kysely<DB>, associationId: string) {
  return db
    .selectFrom('goals')
    .selectAll()
    .where('association_id', '=', associationId)
    .orderBy('created_at')
    .execute();
}

function toGoalDto(r: GoalRow) {
  return {
    id: r.id,
    name: r.name,
    definition: r.definition as GoalDefinition,
    periodType: r.period_type,
    comparator: r.comparator,
    target: Number(r.target),
    reference: r.reference as GoalInput['reference'],
    validFromYear: r.valid_from_year,
    validToYear: r.valid_to_year,
  };
}
export type GoalDto = ReturnType<typeof toGoalDto>;

export async function listGoals(db: Kysely<DB>, scope: Scope) {
  return (await listGoalRows(db, scope.associationId)).map(toGoalDto);
}

export async function saveGoal(db: Kysely<DB>, scope: Scope, id: string | null, input: GoalInput) {
  checkGoalFits(input);
  return db.transaction().execute(async (tx) => {
    const values = {
      name: input.name,
      definition: JSON.stringify(input.definition),
      period_type: input.periodType,
      comparator: input.comparator,
      target: input.target,
      reference: input.reference ? JSON.stringify(input.reference) : null,
      valid_from_year: input.validFromYear,
      valid_to_year: input.validToYear,
    };
    const row = id
      ? await tx
          .updateTable('goals')
          .set(values)
          .where('association_id', '=', scope.associationId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst()
      : await tx
          .insertInto('goals')
          .values({ association_id: scope.associationId, ...values })
          .returningAll()
          .executeTakeFirstOrThrow();
    if (!row) throw AppError.notFound('Goal');
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: id ? 'goal.updated' : 'goal.created',
      entityType: 'goal',
      entityId: row.id,
      details: { name: input.name },
    });
    return toGoalDto(row);
  });
}

export async function deleteGoal(db: Kysely<DB>, scope: Scope, id: string) {
  await db.transaction().execute(async (tx) => {
    const r = await tx
      .deleteFrom('goals')
      .where('association_id', '=', scope.associationId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1) throw AppError.notFound('Goal');
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'goal.deleted',
      entityType: 'goal',
      entityId: id,
    });
  });
}

export interface GoalEvaluation {
  periodKey: string;
  from: string;
  to: string;
  value: number | null;
  reference: number | null;
  /** The target in force: the goal's own, or the reference value when the reference is higher (≥) / lower (≤). */
  target: number;
  status: GoalStatus;
}

/** Whether value meets the goal; "near" is within 5 percentage points for shares, 10 % otherwise. */
export function judge(value: number, target: number, comparator: '>=' | '<=', isShare: boolean): GoalStatus {
  const ok = comparator === '>=' ? value >= target : value <= target;
  if (ok) return 'met';
  const margin = isShare ? 0.05 : Math.abs(target) * 0.1;
  const gap = comparator === '>=' ? target - value : value - target;
  return gap <= margin ? 'near' : 'not_met';
}

/** The periods of a goal's type in a year that have begun by today. */
function goalPeriods(goal: GoalDto, year: number, today: string) {
  return periodsOfYear(goal.periodType as PeriodType, year).filter((p) => p.from <= today);
}

/** Asks the plan for the reports a goal's evaluation in a year reads (none for survey goals). */
export function planGoal(plan: PeriodReportPlan, goal: GoalDto, year: number, today: string): void {
  const d = goal.definition;
  if (d.kind !== 'register') return;
  for (const p of goalPeriods(goal, year, today)) plan.add({ from: p.from, to: p.to }, d.filter, d.figure);
}

/**
 * Evaluates one goal for every period of its type in a year, from the reports `planGoal` asked for.
 * The value is read from the period's report, so a protected viewer gets exactly the protected
 * report's value (null when its count or base is suppressed, which makes the status too_few).
 */
export function judgeGoal(
  goal: GoalDto,
  year: number,
  today: string,
  reportOf: PlannedReports,
): GoalEvaluation[] {
  const out: GoalEvaluation[] = [];
  const d = goal.definition;
  for (const p of goalPeriods(goal, year, today)) {
    const refValue = goal.reference?.values[String(year)] ?? null;
    const target =
      refValue === null
        ? goal.target
        : goal.comparator === '>='
          ? Math.max(goal.target, refValue)
          : Math.min(goal.target, refValue);
    if (d.kind === 'survey') {
      out.push({
        periodKey: p.key,
        from: p.from,
        to: p.to,
        value: null,
        reference: refValue,
        target,
        status: 'no_data',
      });
      continue;
    }
    const report = reportOf({ from: p.from, to: p.to }, d.filter, d.figure);
    const f = report.total;
    let value: number | null;
    let base: number | null;
    if (d.figure === 'shareMovedToSelfSupport') {
      value = report.incomeMatrix.shareMovedToSelfSupport;
      base = report.incomeMatrix.publicSupportAtEntry;
    } else {
      value = f[d.figure];
      // Shares and the median need a base of at least 5 to say anything.
      base =
        d.figure === 'shareReturners'
          ? f.identifiedEntries
          : d.figure === 'shareToWorkOrStudies' || d.figure === 'medianDaysInInsats'
            ? f.exitsExcludingErrors
            : MIN_PUBLISHED_COUNT;
    }
    const status: GoalStatus =
      value === null || base === null || base < MIN_PUBLISHED_COUNT
        ? 'too_few'
        : judge(value, target, goal.comparator, GOAL_FIGURES[d.figure] === 'share');
    out.push({ periodKey: p.key, from: p.from, to: p.to, value, reference: refValue, target, status });
  }
  return out;
}

/** A goal on the dashboard: its periods in the year, the latest of them, and its yearly trend. */
export interface GoalResult {
  goal: GoalDto;
  periods: GoalEvaluation[];
  latest: GoalEvaluation | null;
  trend: { year: number; value: number | null; status: GoalStatus; target: number }[];
}

const inForce = (goal: GoalDto, year: number) =>
  year >= goal.validFromYear && (goal.validToYear === null || year <= goal.validToYear);
/** The trend's years: the two before and the year itself, from the goal's first year. */
const trendYears = (goal: GoalDto, year: number) =>
  [year - 2, year - 1, year].filter((y) => y >= goal.validFromYear);
const asYearGoal = (goal: GoalDto): GoalDto => ({ ...goal, periodType: 'year' });

/** Asks the plan for every report the dashboard's goals read: their periods and trend years. */
export function planDashboardGoals(
  plan: PeriodReportPlan,
  goals: GoalDto[],
  year: number,
  today: string,
): void {
  for (const goal of goals) {
    if (!inForce(goal, year)) continue;
    planGoal(plan, goal, year, today);
    for (const y of trendYears(goal, year)) planGoal(plan, asYearGoal(goal), y, today);
  }
}

/** The dashboard's goals in force in the year, judged from the reports `planDashboardGoals` asked for. */
export function dashboardGoals(
  goals: GoalDto[],
  year: number,
  today: string,
  reportOf: PlannedReports,
): GoalResult[] {
  return goals
    .filter((goal) => inForce(goal, year))
    .map((goal) => {
      const periods = judgeGoal(goal, year, today, reportOf);
      const trend = trendYears(goal, year).flatMap((y) => {
        const ev = judgeGoal(asYearGoal(goal), y, today, reportOf)[0];
        return ev ? [{ year: y, value: ev.value, status: ev.status, target: ev.target }] : [];
      });
      return { goal, periods, latest: periods[periods.length - 1] ?? null, trend };
    });
}

export { goalDefinitionSchema };
