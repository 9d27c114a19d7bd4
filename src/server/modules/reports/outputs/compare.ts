/**
 * Cross-association comparison for the system administrator (permission `reports.compare`): the
 * key figures of every association on the instance side by side, always protected.
 *
 * The rows of all associations come from one grouped pass per query, grouped by association:
 * volumes, outcome and the income matrix (`comparisonRows`), and the anonymous counts. Each
 * association is then assembled and protected exactly as its own protected report for the same
 * period (including the income matrix's lines), so the comparison never publishes a cell that the
 * association's board view hides, nor hides one differently in a way that the two views together
 * would reveal.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { SessionUser } from '../../../auth/sessions.js';
import { AppError } from '../../../errors.js';
import { ErrorCode } from '../../../../shared/errors.js';
import { roleAllows, type Role } from '../../../../shared/roles.js';
import type { Period } from '../../../../shared/report-schemas.js';
import { assembleOutcomeReport, type GroupFigures } from '../engine.js';
import { anonymousFigures, comparisonRows } from '../queries.js';
import { cachedForInstance } from '../cache.js';

export interface AssociationComparison {
  period: Period;
  protected: true;
  associations: ({ id: string; slug: string; name: string } & GroupFigures)[];
}

export async function compareAssociations(
  db: Kysely<DB>,
  user: SessionUser,
  period: Period,
): Promise<AssociationComparison> {
  // Instance-wide roles live on the user; today that is only the system administrator.
  const role: Role | null = user.isSystemAdmin ? 'system_admin' : null;
  if (!role || !roleAllows(role, 'reports.compare'))
    throw new AppError(ErrorCode.FORBIDDEN, 'Your role may not do this (reports.compare)');
  // The same for every permitted caller: cached under every association's data version.
  return cachedForInstance(db, ['compare', period], () => computeComparison(db, period));
}

async function computeComparison(db: Kysely<DB>, period: Period): Promise<AssociationComparison> {
  const associations = await db
    .selectFrom('associations')
    .select(['id', 'slug', 'name'])
    .orderBy('name')
    .orderBy('slug')
    .execute();
  if (associations.length === 0) return { period, protected: true, associations: [] };
  const scope = { associationIds: associations.map((a) => a.id) };
  const [{ core, income }, anon] = await Promise.all([
    comparisonRows(db, scope, period),
    anonymousFigures(db, scope, period, {}, 'association'),
  ]);
  // One pass over the rows: bucket them per association, renamed to the dimension value 'total'.
  const bucket = <T extends { dim: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const list = m.get(r.dim) ?? [];
      list.push({ ...r, dim: 'total' });
      m.set(r.dim, list);
    }
    return m;
  };
  const coreBy = bucket(core);
  const anonBy = bucket(anon);
  const incomeBy = bucket(income);
  return {
    period,
    protected: true,
    associations: associations.map((a) => {
      const r = assembleOutcomeReport(
        { period, filter: {}, protect: true },
        {
          coreTotal: coreBy.get(a.id) ?? [],
          anonTotal: anonBy.get(a.id) ?? [],
          income: incomeBy.get(a.id) ?? [],
          coreBreak: [],
          anonBreak: [],
        },
      );
      return { id: a.id, slug: a.slug, name: a.name, total: r.total, bySex: r.bySex };
    }),
  };
}
