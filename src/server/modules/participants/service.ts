/**
 * The participant register: entry, exit, corrections with history, person-level reads (audited),
 * anonymous counts and the erasure of a person (consent withdrawn / protected identity).
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Scope } from '../../auth/access.js';
import type { PnrCipher } from '../../crypto/pnr.js';
import { AppError, isUniqueViolation } from '../../errors.js';
import { recordAudit } from '../../audit/audit.js';
import { roleAllows } from '../../../shared/roles.js';
import { parsePersonnummer, maskPersonnummer, formatPersonnummer } from '../../../shared/personnummer.js';
import { todaySweden } from '../../../shared/dates.js';
import type {
  EntryCorrection,
  EntryInput,
  ExitInput,
  ParticipationFilter,
} from '../../../shared/register-schemas.js';
import { allowedInterventionIds, requireInterventionForPeople } from '../interventions/access.js';
import * as repo from './repo.js';
import { entryIncomeSummary, exitIncomeSummary, NO_EXIT_INCOME } from './income-summary.js';
import type { Conn, ParticipationRow } from './repo.js';

export interface RegisterDeps {
  db: Kysely<DB>;
  pnr: PnrCipher;
}

/** Reference data an entry is checked against; loaded once per request (or once per import). */
export interface EntryContext {
  municipalityCodes: Set<string>;
  targetGroupIds: Set<string>;
  memberIds: Set<string>;
  returnWindowDays: number;
}

/** The association's members, target groups and return window, in one round trip. */
export async function loadEntryContext(db: Conn, associationId: string): Promise<EntryContext> {
  const { rows } = await sql<{
    return_window_days: number;
    member_ids: string[];
    municipality_codes: string[];
    target_group_ids: string[];
  }>`
    SELECT a.return_window_days,
      ARRAY(SELECT m.id::text FROM members m WHERE m.association_id = a.id) AS member_ids,
      ARRAY(SELECT trim(m.municipality_code) FROM members m
            WHERE m.association_id = a.id AND m.municipality_code IS NOT NULL) AS municipality_codes,
      ARRAY(SELECT g.id::text FROM target_groups g WHERE g.association_id = a.id) AS target_group_ids
    FROM associations a WHERE a.id = ${associationId}::uuid`.execute(db);
  const ctx = rows[0];
  if (!ctx) throw AppError.notFound('Association');
  return {
    municipalityCodes: new Set(ctx.municipality_codes.filter(Boolean)),
    targetGroupIds: new Set(ctx.target_group_ids),
    memberIds: new Set(ctx.member_ids),
    returnWindowDays: ctx.return_window_days,
  };
}

/** Field checks that need the association's reference data; shared by the form, the API and the import. */
export function checkEntryFields(
  ctx: EntryContext,
  v: Omit<EntryCorrection, 'incomeAtEntry'>,
  today = todaySweden(),
) {
  if (v.municipalityCode !== 'other' && !ctx.municipalityCodes.has(v.municipalityCode))
    throw AppError.field('municipalityCode', 'unknown_municipality', 'Not a municipality of the association');
  v.targetGroupIds.forEach((id, i) => {
    if (!ctx.targetGroupIds.has(id))
      throw AppError.field(`targetGroupIds.${i}`, 'unknown_target_group', 'Unknown target group');
  });
  if (v.referringMemberId && !ctx.memberIds.has(v.referringMemberId))
    throw AppError.field('referringMemberId', 'unknown_member', 'Unknown member');
  if (v.entryDate > today) throw AppError.field('entryDate', 'future', 'The entry date is in the future');
  if (v.consentDate > today)
    throw AppError.field('consentDate', 'future', 'The consent date is in the future');
}

function checkExitFields(entryDate: string, v: ExitInput, today = todaySweden()) {
  if (v.exitDate < entryDate)
    throw AppError.field('exitDate', 'before_entry', 'The exit date is before the entry date');
  if (v.exitDate > today) throw AppError.field('exitDate', 'future', 'The exit date is in the future');
}

export interface EntryOptions {
  importBatchId?: string | null;
  /** Also register an exit in the same step (import of finished participations). */
  exit?: ExitInput | null;
  ctx?: EntryContext;
  /** Run inside the caller's transaction (import, seeding); the caller commits and audits the whole operation. */
  tx?: Conn;
}

/**
 * Registers a participant's entry into an insats. The personnummer is stored only encrypted and as a
 * keyed hash. A person cannot have two overlapping participations in the same insats; an entry
 * within the association's return window after an earlier exit marks a returner.
 */
export async function registerEntry(
  deps: RegisterDeps,
  scope: Scope,
  input: EntryInput,
  opts: EntryOptions = {},
) {
  const run = async (tx: Conn) => {
    const intervention = await requireInterventionForPeople(tx, scope, input.interventionId);
    if (intervention.direction !== 'individual' || intervention.follow_up !== 'person')
      throw AppError.field(
        'interventionId',
        'not_person_level',
        'The insats is not followed up at person level',
      );
    const parsed = parsePersonnummer(input.personnummer);
    if (!parsed.ok) throw AppError.field('personnummer', `pnr_${parsed.error}`, 'Invalid personnummer');
    const ctx = opts.ctx ?? (await loadEntryContext(tx, scope.associationId));
    checkEntryFields(ctx, input);
    if (opts.exit) checkExitFields(input.entryDate, opts.exit);

    const person = await repo.findOrCreatePerson(tx, scope.associationId, {
      pnrHash: deps.pnr.lookupHash(scope.associationId, parsed.value.digits),
      pnrEnc: deps.pnr.encrypt(parsed.value.digits),
      sex: parsed.value.sex,
      birthYear: parsed.value.birthYear,
    });
    const personId = person.id;
    // A person this transaction just created is seen by no one else until it commits, and has no
    // participation yet: no lock to take, no overlap, not a returner.
    let returner = false;
    if (!person.created) {
      await repo.lockPerson(tx, scope.associationId, personId);
      const overlap = await repo.findOverlapping(
        tx,
        scope.associationId,
        personId,
        input.interventionId,
        input.entryDate,
        opts.exit?.exitDate ?? null,
      );
      if (overlap)
        throw AppError.conflict(
          'entryDate',
          'overlap',
          `Overlaps the participation that started ${overlap.entry_date}`,
        );
      returner = await repo.isReturn(
        tx,
        scope.associationId,
        personId,
        input.entryDate,
        ctx.returnWindowDays,
      );
    }
    const exit = opts.exit ?? null;
    const row = await tx
      .insertInto('participations')
      .values({
        association_id: scope.associationId,
        intervention_id: input.interventionId,
        person_id: personId,
        sex: parsed.value.sex,
        entry_date: input.entryDate,
        exit_date: exit?.exitDate ?? null,
        municipality_code: input.municipalityCode,
        support_months: input.supportMonths,
        education_level: input.educationLevel,
        referring_member_id: input.referringMemberId,
        consent_date: input.consentDate,
        consent_ref: input.consentRef,
        exit_reason: exit?.exitReason ?? null,
        occupation_after: exit?.occupationAfter ?? null,
        is_returner: returner,
        import_batch_id: opts.importBatchId ?? null,
        created_by: scope.userId,
        // The stored income summary, from the same lines as inserted below (income-summary.ts).
        ...entryIncomeSummary(input.incomeAtEntry),
        ...(exit ? exitIncomeSummary(exit.incomeAtExit) : NO_EXIT_INCOME),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (input.referralId) {
      const linked = await tx
        .updateTable('referrals')
        .set({ participation_id: row.id })
        .where('association_id', '=', scope.associationId)
        .where('id', '=', input.referralId)
        .where('intervention_id', '=', input.interventionId)
        .where('status', '=', 'accepted')
        .where('participation_id', 'is', null)
        .executeTakeFirst();
      if (Number(linked.numUpdatedRows) !== 1)
        throw AppError.field(
          'referralId',
          'referral_not_accepted',
          'The referral is not an accepted referral to this insats',
        );
    }
    // A new participation has no lines yet: insert them, with no delete and no summary update.
    await repo.insertIncomeLines(tx, scope.associationId, row.id, [
      ...input.incomeAtEntry.map((l) => ({ phase: 'entry' as const, ...l })),
      ...(exit ? exit.incomeAtExit.map((l) => ({ phase: 'exit' as const, ...l })) : []),
    ]);
    await repo.insertTargetGroups(tx, scope.associationId, row.id, input.targetGroupIds);
    if (!opts.tx) {
      await recordAudit(tx, {
        associationId: scope.associationId,
        actorUserId: scope.userId,
        action: 'participation.created',
        entityType: 'participation',
        entityId: row.id,
        details: { interventionId: input.interventionId, entryDate: input.entryDate, returner },
      });
    }
    return { id: row.id, personId, returner };
  };
  try {
    if (opts.tx) return await run(opts.tx);
    const created = await deps.db.transaction().execute(run);
    return created;
  } catch (err) {
    if (isUniqueViolation(err, 'participations_unique_entry'))
      throw AppError.conflict('entryDate', 'overlap', 'The person already entered this insats on this date');
    throw err;
  }
}

async function loadOwnParticipation(db: Conn, scope: Scope, id: string) {
  const row = await repo
    .selectParticipations(db, scope.associationId)
    .where('p.id', '=', id)
    .executeTakeFirst();
  if (!row) throw AppError.notFound('Participation');
  const allowed = await allowedInterventionIds(db, scope);
  if (allowed && !allowed.includes(row.intervention_id)) throw AppError.notFound('Participation');
  return row;
}

/** For a write: locks the person, then reads the participation again as committed by any earlier writer. */
async function loadOwnParticipationForWrite(tx: Conn, scope: Scope, id: string) {
  const first = await loadOwnParticipation(tx, scope, id);
  await repo.lockPerson(tx, scope.associationId, first.person_id);
  return loadOwnParticipation(tx, scope, id);
}

/** Registers the exit of an ongoing participation. */
export async function registerExit(
  deps: RegisterDeps,
  scope: Scope,
  participationId: string,
  input: ExitInput,
  opts: { importBatchId?: string; tx?: Conn } = {},
) {
  const run = async (tx: Conn) => {
    const p = await loadOwnParticipationForWrite(tx, scope, participationId);
    if (p.exit_date) throw AppError.conflict('exitDate', 'already_exited', `Already exited ${p.exit_date}`);
    checkExitFields(p.entry_date, input);
    // An exit closes the open period; it must not overlap a later participation in the same insats.
    const overlap = await repo.findOverlapping(
      tx,
      scope.associationId,
      p.person_id,
      p.intervention_id,
      p.entry_date,
      input.exitDate,
      p.id,
    );
    if (overlap)
      throw AppError.conflict(
        'exitDate',
        'overlap',
        `Overlaps the participation that started ${overlap.entry_date}`,
      );
    await tx
      .updateTable('participations')
      .set({
        exit_date: input.exitDate,
        exit_reason: input.exitReason,
        occupation_after: input.occupationAfter,
        exit_import_batch_id: opts.importBatchId ?? null,
        updated_at: new Date(),
      })
      .where('association_id', '=', scope.associationId)
      .where('id', '=', participationId)
      .execute();
    await repo.replaceIncome(tx, scope.associationId, participationId, 'exit', input.incomeAtExit);
    if (!opts.tx)
      await recordAudit(tx, {
        associationId: scope.associationId,
        actorUserId: scope.userId,
        action: 'participation.exited',
        entityType: 'participation',
        entityId: participationId,
        details: { exitDate: input.exitDate, exitReason: input.exitReason },
      });
  };
  if (opts.tx) await run(opts.tx);
  else await deps.db.transaction().execute(run);
}

function incomeOf(
  income: { participation_id: string; phase: string; source: string; extent_pct: number }[],
  id: string,
  phase: string,
) {
  return income
    .filter((i) => i.participation_id === id && i.phase === phase)
    .map((i) => ({ source: i.source, extentPct: i.extent_pct }));
}

/** Corrects the entry data of a participation; each changed field is kept in the history. */
export async function correctEntry(
  deps: RegisterDeps,
  scope: Scope,
  participationId: string,
  input: EntryCorrection,
) {
  await deps.db.transaction().execute(async (tx) => {
    const p = await loadOwnParticipationForWrite(tx, scope, participationId);
    const ctx = await loadEntryContext(tx, scope.associationId);
    checkEntryFields(ctx, input);
    if (p.exit_date && input.entryDate > p.exit_date)
      throw AppError.field('entryDate', 'after_exit', 'The entry date is after the exit date');
    const overlap = await repo.findOverlapping(
      tx,
      scope.associationId,
      p.person_id,
      p.intervention_id,
      input.entryDate,
      p.exit_date,
      p.id,
    );
    if (overlap)
      throw AppError.conflict(
        'entryDate',
        'overlap',
        `Overlaps the participation that started ${overlap.entry_date}`,
      );
    const { income, groups } = await repo.loadIncomeAndGroups(tx, scope.associationId, [p.id]);
    const before = {
      entryDate: p.entry_date,
      municipalityCode: p.municipality_code,
      incomeAtEntry: incomeOf(income, p.id, 'entry'),
      supportMonths: p.support_months,
      educationLevel: p.education_level,
      targetGroupIds: groups.map((g) => g.id).sort(),
      referringMemberId: p.referring_member_id,
      consentDate: p.consent_date,
      consentRef: p.consent_ref,
    };
    const after = {
      ...input,
      targetGroupIds: [...new Set(input.targetGroupIds)].sort(),
      incomeAtEntry: [...input.incomeAtEntry].sort(
        (a, b) => b.extentPct - a.extentPct || a.source.localeCompare(b.source),
      ),
    };
    const changes = (Object.keys(before) as (keyof typeof before)[])
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
      .map((k) => ({ field: k, oldValue: before[k], newValue: after[k] }));
    if (changes.length === 0) return;
    const returner = await repo.isReturn(
      tx,
      scope.associationId,
      p.person_id,
      input.entryDate,
      ctx.returnWindowDays,
      p.id,
    );
    await tx
      .updateTable('participations')
      .set({
        entry_date: input.entryDate,
        municipality_code: input.municipalityCode,
        support_months: input.supportMonths,
        education_level: input.educationLevel,
        referring_member_id: input.referringMemberId,
        consent_date: input.consentDate,
        consent_ref: input.consentRef,
        is_returner: returner,
        updated_at: new Date(),
      })
      .where('association_id', '=', scope.associationId)
      .where('id', '=', p.id)
      .execute();
    await repo.replaceIncome(tx, scope.associationId, p.id, 'entry', input.incomeAtEntry);
    await repo.replaceTargetGroups(tx, scope.associationId, p.id, input.targetGroupIds);
    await repo.addHistory(tx, scope.associationId, p.id, scope.userId, changes);
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'participation.entry_corrected',
      entityType: 'participation',
      entityId: p.id,
      details: { fields: changes.map((c) => c.field) },
    });
  });
}

/** Corrects the exit data of an exited participation; each changed field is kept in the history. */
export async function correctExit(
  deps: RegisterDeps,
  scope: Scope,
  participationId: string,
  input: ExitInput,
) {
  await deps.db.transaction().execute(async (tx) => {
    const p = await loadOwnParticipationForWrite(tx, scope, participationId);
    if (!p.exit_date) throw AppError.conflict('exitDate', 'not_exited', 'The participation has no exit yet');
    checkExitFields(p.entry_date, input);
    const { income } = await repo.loadIncomeAndGroups(tx, scope.associationId, [p.id]);
    const before = {
      exitDate: p.exit_date,
      exitReason: p.exit_reason,
      occupationAfter: p.occupation_after,
      incomeAtExit: incomeOf(income, p.id, 'exit'),
    };
    const after = {
      ...input,
      incomeAtExit: [...input.incomeAtExit].sort(
        (a, b) => b.extentPct - a.extentPct || a.source.localeCompare(b.source),
      ),
    };
    const changes = (Object.keys(before) as (keyof typeof before)[])
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
      .map((k) => ({ field: k, oldValue: before[k], newValue: after[k] }));
    if (changes.length === 0) return;
    await tx
      .updateTable('participations')
      .set({
        exit_date: input.exitDate,
        exit_reason: input.exitReason,
        occupation_after: input.occupationAfter,
        updated_at: new Date(),
      })
      .where('association_id', '=', scope.associationId)
      .where('id', '=', p.id)
      .execute();
    await repo.replaceIncome(tx, scope.associationId, p.id, 'exit', input.incomeAtExit);
    await repo.addHistory(tx, scope.associationId, p.id, scope.userId, changes);
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'participation.exit_corrected',
      entityType: 'participation',
      entityId: p.id,
      details: { fields: changes.map((c) => c.field) },
    });
  });
}

function toParticipationDto(
  r: ParticipationRow,
  rel: Awaited<ReturnType<typeof repo.loadIncomeAndGroups>>,
  pnr: PnrCipher,
  full: boolean,
) {
  const digits = pnr.decrypt(r.pnr_enc);
  return {
    id: r.id,
    intervention: { id: r.intervention_id, name: r.intervention_name },
    person: {
      id: r.person_id,
      personnummer: full ? formatPersonnummer(digits) : maskPersonnummer(digits),
      masked: !full,
      sex: r.sex,
      birthYear: r.birth_year,
    },
    entryDate: r.entry_date,
    exitDate: r.exit_date,
    municipalityCode: r.municipality_code,
    supportMonths: r.support_months,
    educationLevel: r.education_level,
    referringMemberId: r.referring_member_id,
    consentDate: r.consent_date,
    consentRef: r.consent_ref,
    exitReason: r.exit_reason,
    occupationAfter: r.occupation_after,
    isReturner: r.is_returner,
    incomeAtEntry: incomeOf(rel.income, r.id, 'entry'),
    incomeAtExit: incomeOf(rel.income, r.id, 'exit'),
    targetGroups: rel.groups
      .filter((g) => g.participation_id === r.id)
      .map((g) => ({ id: g.id, name: g.name })),
  };
}
export type ParticipationDto = ReturnType<typeof toParticipationDto>;

/** Person-level list for one insats. Numbers are masked; the ids shown are audit-logged. */
export async function listParticipations(
  deps: RegisterDeps,
  scope: Scope,
  interventionId: string,
  f: ParticipationFilter,
) {
  await requireInterventionForPeople(deps.db, scope, interventionId);
  let q = repo
    .selectParticipations(deps.db, scope.associationId)
    .where('p.intervention_id', '=', interventionId);
  if (f.status === 'ongoing') q = q.where('p.exit_date', 'is', null);
  if (f.status === 'exited') q = q.where('p.exit_date', 'is not', null);
  // Period: participations active at some point in [from, to].
  if (f.to) q = q.where('p.entry_date', '<=', f.to);
  if (f.from) {
    const from = f.from;
    q = q.where((eb) => eb.or([eb('p.exit_date', 'is', null), eb('p.exit_date', '>=', from)]));
  }
  if (f.sex) q = q.where('pe.sex', '=', f.sex);
  if (f.targetGroupId) {
    const tg = f.targetGroupId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('participation_target_groups as ptg')
          .select('ptg.participation_id')
          .whereRef('ptg.association_id', '=', 'p.association_id')
          .whereRef('ptg.participation_id', '=', 'p.id')
          .where('ptg.target_group_id', '=', tg),
      ),
    );
  }
  const total = await q
    .clearSelect()
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  const rows = await q
    .orderBy('p.entry_date', 'desc')
    .orderBy('p.id')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
  const rel = await repo.loadIncomeAndGroups(
    deps.db,
    scope.associationId,
    rows.map((r) => r.id),
  );
  await recordAudit(deps.db, {
    associationId: scope.associationId,
    actorUserId: scope.userId,
    action: 'participations.listed',
    entityType: 'intervention',
    entityId: interventionId,
    details: { participationIds: rows.map((r) => r.id), filter: f },
  });
  return { total: total.n, items: rows.map((r) => toParticipationDto(r, rel, deps.pnr, false)) };
}

/** One participation with its history. `identify` shows the full personnummer where the role allows; audited either way. */
/**
 * A participation with its income, target groups and history, audited as a view. `justCreated`:
 * the answer to its registration, masked, which shows what was just registered: it has no
 * history yet, and the registration is audited already (`participation.created`, same entity).
 */
export async function getParticipation(
  deps: RegisterDeps,
  scope: Scope,
  id: string,
  identify: boolean,
  opts: { justCreated?: boolean } = {},
) {
  const row = await loadOwnParticipation(deps.db, scope, id);
  const full = identify && roleAllows(scope.role, 'participants.identify');
  const rel = await repo.loadIncomeAndGroups(deps.db, scope.associationId, [id]);
  const history = opts.justCreated
    ? []
    : await deps.db
        .selectFrom('participation_history as h')
        .leftJoin('users as u', 'u.id', 'h.changed_by')
        .select(['h.id', 'h.field', 'h.old_value', 'h.new_value', 'h.changed_at', 'u.name as changed_by'])
        .where('h.association_id', '=', scope.associationId)
        .where('h.participation_id', '=', id)
        .orderBy('h.id', 'desc')
        .execute();
  if (!opts.justCreated || full)
    await recordAudit(deps.db, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: full ? 'participation.identified' : 'participation.viewed',
      entityType: 'participation',
      entityId: id,
    });
  return {
    ...toParticipationDto(row, rel, deps.pnr, full),
    history: history.map((h) => ({
      id: String(h.id),
      field: h.field,
      oldValue: h.old_value,
      newValue: h.new_value,
      changedAt: h.changed_at.toISOString(),
      changedBy: h.changed_by,
    })),
  };
}

/**
 * Consent withdrawn or protected identity: every participation of the person becomes an anonymous
 * count (insats, entry year, exit year, sex), and the person, their number, hash, history and any
 * referral identity are erased. Volumes by year and sex are unchanged; outcomes are gone.
 */
export async function anonymisePerson(
  deps: RegisterDeps,
  scope: Scope,
  participationId: string,
  reason: 'consent_withdrawn' | 'protected_identity',
) {
  return deps.db.transaction().execute(async (tx) => {
    const p = await loadOwnParticipationForWrite(tx, scope, participationId);
    const all = await tx
      .selectFrom('participations as p')
      .innerJoin('persons as pe', (j) =>
        j.onRef('pe.association_id', '=', 'p.association_id').onRef('pe.id', '=', 'p.person_id'),
      )
      .select([
        'p.id',
        'p.intervention_id',
        'p.entry_date',
        'p.exit_date',
        'p.exit_reason',
        'pe.sex',
        'pe.pnr_hash',
      ])
      .where('p.association_id', '=', scope.associationId)
      .where('p.person_id', '=', p.person_id)
      .execute();
    const counted = all.filter((x) => x.exit_reason !== 'registration_error');
    if (counted.length)
      await tx
        .insertInto('anonymous_participations')
        .values(
          counted.map((x) => ({
            association_id: scope.associationId,
            intervention_id: x.intervention_id,
            year: Number(x.entry_date.slice(0, 4)),
            exit_year: x.exit_date ? Number(x.exit_date.slice(0, 4)) : null,
            sex: x.sex,
            count: 1,
            source: 'withdrawn' as const,
            import_batch_id: null,
          })),
        )
        .execute();
    const hash = all[0]?.pnr_hash;
    if (hash)
      await tx
        .updateTable('referrals')
        .set({ pnr_enc: null, pnr_hash: null, consent_date: null })
        .where('association_id', '=', scope.associationId)
        .where('pnr_hash', '=', hash)
        .execute();
    // Unlink referrals first: the foreign key (association_id, participation_id) ON DELETE SET NULL
    // would null association_id too, which is NOT NULL, and the erasure would fail.
    if (all.length)
      await tx
        .updateTable('referrals')
        .set({ participation_id: null })
        .where('association_id', '=', scope.associationId)
        .where(
          'participation_id',
          'in',
          all.map((x) => x.id),
        )
        .execute();
    // Cascades to participations, their income, target groups and history.
    await tx
      .deleteFrom('persons')
      .where('association_id', '=', scope.associationId)
      .where('id', '=', p.person_id)
      .execute();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'person.anonymised',
      entityType: 'participation',
      entityId: participationId,
      details: { reason, participations: all.length, anonymousRows: counted.length },
    });
    return { anonymised: counted.length, removed: all.length };
  });
}

/** Registers people without consent (or with protected identity) as a count: insats, year, sex. */
export async function addAnonymousCount(
  db: Kysely<DB>,
  scope: Scope,
  input: { interventionId: string; year: number; sex: 'kvinna' | 'man'; count: number },
) {
  const intervention = await requireInterventionForPeople(db, scope, input.interventionId);
  if (intervention.direction !== 'individual')
    throw AppError.field('interventionId', 'not_individual', 'Only individual insatser have participants');
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('anonymous_participations')
      .values({
        association_id: scope.associationId,
        intervention_id: input.interventionId,
        year: input.year,
        exit_year: null,
        sex: input.sex,
        count: input.count,
        source: 'registered',
        import_batch_id: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'anonymous.registered',
      entityType: 'intervention',
      entityId: input.interventionId,
      details: { year: input.year, sex: input.sex, count: input.count },
    });
    return { id: row.id };
  });
}

/** Anonymous counts per year and sex for one insats (aggregate, no person data). */
export async function listAnonymousCounts(db: Kysely<DB>, scope: Scope, interventionId: string) {
  await requireInterventionForPeople(db, scope, interventionId);
  return db
    .selectFrom('anonymous_participations')
    .select(['year', 'sex', sql<number>`sum(count)::int`.as('count')])
    .where('association_id', '=', scope.associationId)
    .where('intervention_id', '=', interventionId)
    .groupBy(['year', 'sex'])
    .orderBy('year', 'desc')
    .orderBy('sex')
    .execute();
}
