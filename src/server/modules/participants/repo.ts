/** SQL of the participant register. Every function filters on the caller's association. */
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../db/types.js';
import type { IncomeSource } from '../../../shared/participants.js';
import { phaseIncomeSummary } from './income-summary.js';

export type Conn = Kysely<DB> | Transaction<DB>;

export async function findOrCreatePerson(
  db: Conn,
  associationId: string,
  v: { pnrHash: string; pnrEnc: string; sex: 'kvinna' | 'man'; birthYear: number },
): Promise<{ id: string; created: boolean }> {
  const inserted = await db
    .insertInto('persons')
    .values({
      association_id: associationId,
      pnr_hash: v.pnrHash,
      pnr_enc: v.pnrEnc,
      sex: v.sex,
      birth_year: v.birthYear,
    })
    .onConflict((oc) => oc.columns(['association_id', 'pnr_hash']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db
    .selectFrom('persons')
    .select('id')
    .where('association_id', '=', associationId)
    .where('pnr_hash', '=', v.pnrHash)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

/**
 * Locks the person's row until the transaction ends. Every write to a person's participations takes
 * it first, so concurrent entries and exits are checked one after the other (no overlap slips in).
 */
export async function lockPerson(db: Conn, associationId: string, personId: string): Promise<void> {
  await db
    .selectFrom('persons')
    .select('id')
    .where('association_id', '=', associationId)
    .where('id', '=', personId)
    .forUpdate()
    .execute();
}

export function findPersonByHash(db: Conn, associationId: string, pnrHash: string) {
  return db
    .selectFrom('persons')
    .select(['id', 'sex', 'birth_year'])
    .where('association_id', '=', associationId)
    .where('pnr_hash', '=', pnrHash)
    .executeTakeFirst();
}

/** Participations of the person in the insats whose period overlaps [from, to] (to null = open). Registration errors never block. */
export function findOverlapping(
  db: Conn,
  associationId: string,
  personId: string,
  interventionId: string,
  from: string,
  to: string | null,
  excludeId?: string,
) {
  let q = db
    .selectFrom('participations')
    .select(['id', 'entry_date', 'exit_date'])
    .where('association_id', '=', associationId)
    .where('person_id', '=', personId)
    .where('intervention_id', '=', interventionId)
    .where((eb) => eb.or([eb('exit_reason', 'is', null), eb('exit_reason', '!=', 'registration_error')]))
    .where((eb) => eb.or([eb('exit_date', 'is', null), eb('exit_date', '>=', from)]));
  if (to) q = q.where('entry_date', '<=', to);
  if (excludeId) q = q.where('id', '!=', excludeId);
  return q.executeTakeFirst();
}

/** Whether an earlier real exit of this person (any insats) lies within `windowDays` before `entryDate`. */
export async function isReturn(
  db: Conn,
  associationId: string,
  personId: string,
  entryDate: string,
  windowDays: number,
  excludeId?: string,
): Promise<boolean> {
  let q = db
    .selectFrom('participations')
    .select('id')
    .where('association_id', '=', associationId)
    .where('person_id', '=', personId)
    .where('exit_date', 'is not', null)
    .where('exit_reason', '!=', 'registration_error')
    .where('exit_date', '<=', entryDate)
    .where(sql<boolean>`${sql.val(entryDate)}::date - exit_date <= ${sql.val(windowDays)}::int`);
  if (excludeId) q = q.where('id', '!=', excludeId);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Replaces the income lines of one phase, and in the same statement the participation's stored
 * summary of that phase (income-summary.ts), so the two cannot disagree.
 */
export async function replaceIncome(
  db: Conn,
  associationId: string,
  participationId: string,
  phase: 'entry' | 'exit',
  lines: readonly { source: IncomeSource; extentPct: number }[],
) {
  await db
    .deleteFrom('participation_income')
    .where('association_id', '=', associationId)
    .where('participation_id', '=', participationId)
    .where('phase', '=', phase)
    .execute();
  const summary = db
    .updateTable('participations')
    .set(phaseIncomeSummary(phase, lines))
    .where('association_id', '=', associationId)
    .where('id', '=', participationId);
  if (lines.length === 0) {
    await summary.execute();
    return;
  }
  await db
    .with('summary', () => summary)
    .insertInto('participation_income')
    .values(
      lines.map((l) => ({
        association_id: associationId,
        participation_id: participationId,
        phase,
        source: l.source,
        extent_pct: l.extentPct,
      })),
    )
    .execute();
}

/** The income lines of a participation that has none yet (its summary is set by the caller). */
export async function insertIncomeLines(
  db: Conn,
  associationId: string,
  participationId: string,
  lines: readonly { phase: 'entry' | 'exit'; source: IncomeSource; extentPct: number }[],
) {
  if (lines.length === 0) return;
  await db
    .insertInto('participation_income')
    .values(
      lines.map((l) => ({
        association_id: associationId,
        participation_id: participationId,
        phase: l.phase,
        source: l.source,
        extent_pct: l.extentPct,
      })),
    )
    .execute();
}

/** The target groups of a participation that has none yet. */
export async function insertTargetGroups(
  db: Conn,
  associationId: string,
  participationId: string,
  ids: string[],
) {
  if (ids.length)
    await db
      .insertInto('participation_target_groups')
      .values(
        [...new Set(ids)].map((g) => ({
          association_id: associationId,
          participation_id: participationId,
          target_group_id: g,
        })),
      )
      .execute();
}

export async function replaceTargetGroups(
  db: Conn,
  associationId: string,
  participationId: string,
  ids: string[],
) {
  await db
    .deleteFrom('participation_target_groups')
    .where('association_id', '=', associationId)
    .where('participation_id', '=', participationId)
    .execute();
  await insertTargetGroups(db, associationId, participationId, ids);
}

export function selectParticipations(db: Conn, associationId: string) {
  return db
    .selectFrom('participations as p')
    .innerJoin('persons as pe', (j) =>
      j.onRef('pe.association_id', '=', 'p.association_id').onRef('pe.id', '=', 'p.person_id'),
    )
    .innerJoin('interventions as i', (j) =>
      j.onRef('i.association_id', '=', 'p.association_id').onRef('i.id', '=', 'p.intervention_id'),
    )
    .select([
      'p.id',
      'p.intervention_id',
      'i.name as intervention_name',
      'p.person_id',
      'pe.pnr_enc',
      'pe.sex',
      'pe.birth_year',
      'p.entry_date',
      'p.exit_date',
      'p.municipality_code',
      'p.support_months',
      'p.education_level',
      'p.referring_member_id',
      'p.consent_date',
      'p.consent_ref',
      'p.exit_reason',
      'p.occupation_after',
      'p.is_returner',
      'p.import_batch_id',
    ])
    .where('p.association_id', '=', associationId);
}

export type ParticipationRow = Awaited<
  ReturnType<ReturnType<typeof selectParticipations>['executeTakeFirstOrThrow']>
>;

export async function loadIncomeAndGroups(db: Conn, associationId: string, ids: string[]) {
  if (ids.length === 0) return { income: [], groups: [] };
  const income = await db
    .selectFrom('participation_income')
    .select(['participation_id', 'phase', 'source', 'extent_pct'])
    .where('association_id', '=', associationId)
    .where('participation_id', 'in', ids)
    .orderBy('extent_pct', 'desc')
    .orderBy('source')
    .execute();
  const groups = await db
    .selectFrom('participation_target_groups as ptg')
    .innerJoin('target_groups as tg', (j) =>
      j.onRef('tg.association_id', '=', 'ptg.association_id').onRef('tg.id', '=', 'ptg.target_group_id'),
    )
    .select(['ptg.participation_id', 'tg.id', 'tg.name'])
    .where('ptg.association_id', '=', associationId)
    .where('ptg.participation_id', 'in', ids)
    .orderBy('tg.name')
    .execute();
  return { income, groups };
}

export async function addHistory(
  db: Conn,
  associationId: string,
  participationId: string,
  changedBy: string | null,
  changes: { field: string; oldValue: unknown; newValue: unknown }[],
) {
  if (changes.length === 0) return;
  await db
    .insertInto('participation_history')
    .values(
      changes.map((c) => ({
        association_id: associationId,
        participation_id: participationId,
        changed_by: changedBy,
        field: c.field,
        old_value: JSON.stringify(c.oldValue ?? null),
        new_value: JSON.stringify(c.newValue ?? null),
      })),
    )
    .execute();
}
