/**
 * SQL of the import: preloading what the file names, and set-based writes. Every write goes
 * through `unnest` of column arrays, so a chunk of thousands of rows is one statement with a
 * handful of parameters instead of one round trip per row. Every function filters on the
 * caller's association.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import type { IncomeSource } from '../../../shared/participants.js';
import {
  entryIncomeSummary,
  exitIncomeSummary,
  NO_EXIT_INCOME,
  type IncomeLine,
} from '../participants/income-summary.js';

export type Conn = Kysely<DB> | Transaction<DB>;

/** Rows per statement: large enough to amortise the round trip, small enough to bound memory. */
export const CHUNK = 5000;

export function chunked<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Serialises imports of one association, so two uploads of the same file cannot both pass the hash check. */
export async function lockAssociationImports(tx: Transaction<DB>, associationId: string) {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`samverka.import:${associationId}`}))`.execute(tx);
}

export function findActiveBatchByHash(db: Conn, associationId: string, fileHash: string) {
  return db
    .selectFrom('import_batches as b')
    .leftJoin('users as u', 'u.id', 'b.user_id')
    .select(['b.id', 'b.created_at', 'b.file_name', 'u.name as user_name'])
    .where('b.association_id', '=', associationId)
    .where('b.file_hash', '=', fileHash)
    .where('b.undone_at', 'is', null)
    .orderBy('b.created_at', 'desc')
    .executeTakeFirst();
}

/** Persons of the association with these lookup hashes → id. */
export async function findPersonsByHash(
  db: Conn,
  associationId: string,
  hashes: string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunked(hashes)) {
    const rows = await db
      .selectFrom('persons')
      .select(['id', 'pnr_hash'])
      .where('association_id', '=', associationId)
      .where(sql<boolean>`pnr_hash = ANY(${part}::text[])`)
      .execute();
    for (const r of rows) out.set(r.pnr_hash, r.id);
  }
  return out;
}

/** Every participation of these persons, in any insats (the returner rule looks across insatser). */
export async function findParticipationsOfPersons(db: Conn, associationId: string, personIds: string[]) {
  const out: {
    id: string;
    person_id: string;
    intervention_id: string;
    entry_date: string;
    exit_date: string | null;
    exit_reason: string | null;
  }[] = [];
  for (const part of chunked(personIds)) {
    const rows = await db
      .selectFrom('participations')
      .select(['id', 'person_id', 'intervention_id', 'entry_date', 'exit_date', 'exit_reason'])
      .where('association_id', '=', associationId)
      .where(sql<boolean>`person_id = ANY(${part}::uuid[])`)
      .execute();
    out.push(...rows);
  }
  return out;
}

export async function insertBatch(
  tx: Conn,
  v: {
    associationId: string;
    userId: string | null;
    fileName: string;
    fileHash: string;
    fileSize: number;
    format: 'csv' | 'xlsx';
  },
) {
  return tx
    .insertInto('import_batches')
    .values({
      association_id: v.associationId,
      user_id: v.userId,
      file_name: v.fileName,
      file_hash: v.fileHash,
      file_size: v.fileSize,
      format: v.format,
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
}

export async function finishBatch(
  tx: Conn,
  associationId: string,
  id: string,
  c: { imported: number; anonymous: number; updated: number; skipped: number },
) {
  await tx
    .updateTable('import_batches')
    .set({ imported: c.imported, anonymous: c.anonymous, updated: c.updated, skipped: c.skipped })
    .where('association_id', '=', associationId)
    .where('id', '=', id)
    .execute();
}

export interface NewPerson {
  id: string;
  hash: string;
  enc: string;
  sex: 'kvinna' | 'man';
  birthYear: number;
}

/**
 * Inserts new persons. A person registered concurrently (by the form) since the preload keeps its
 * row; the returned map gives the id to use for every hash.
 */
export async function insertPersons(
  tx: Conn,
  associationId: string,
  persons: NewPerson[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const part of chunked(persons)) {
    const { rows } = await sql<{ pnr_hash: string }>`
      INSERT INTO persons (association_id, id, pnr_hash, pnr_enc, sex, birth_year)
      SELECT ${associationId}::uuid, v.* FROM unnest(
        ${part.map((p) => p.id)}::uuid[], ${part.map((p) => p.hash)}::text[], ${part.map((p) => p.enc)}::text[],
        ${part.map((p) => p.sex)}::text[], ${part.map((p) => p.birthYear)}::int[]
      ) AS v
      ON CONFLICT (association_id, pnr_hash) DO NOTHING
      RETURNING pnr_hash`.execute(tx);
    const inserted = new Set(rows.map((r) => r.pnr_hash));
    for (const p of part) if (inserted.has(p.hash)) ids.set(p.hash, p.id);
    const raced = part.filter((p) => !inserted.has(p.hash)).map((p) => p.hash);
    if (raced.length) for (const [h, id] of await findPersonsByHash(tx, associationId, raced)) ids.set(h, id);
  }
  return ids;
}

/** A participation to create, as the import planned it (see `PersonRow`). */
export interface NewParticipation {
  participationId: string | null;
  interventionId: string;
  personId: string | null;
  entryDate: string;
  exitDate: string | null;
  municipalityCode: string;
  supportMonths: number | null;
  educationLevel: string | null;
  referringMemberId: string | null;
  consentDate: string;
  consentRef: string;
  exitReason: string | null;
  occupationAfter: string | null;
  returner: boolean;
  /** The person's sex (from the personnummer, as stored on the person). */
  sex: 'kvinna' | 'man';
  incomeAtEntry: readonly IncomeLine[];
  incomeAtExit: readonly IncomeLine[];
}

export async function insertParticipations(
  tx: Conn,
  associationId: string,
  batchId: string,
  createdBy: string | null,
  rows: NewParticipation[],
) {
  const col = <K extends keyof NewParticipation>(k: K) => rows.map((r) => r[k]);
  // The stored income summary (income-summary.ts), from the same lines insertIncome writes.
  const entry = rows.map((r) => entryIncomeSummary(r.incomeAtEntry));
  const exit = rows.map((r) => exitIncomeSummary(r.incomeAtExit));
  // created_at and updated_at default to now(), the transaction's start: a later change is newer.
  await sql`
    INSERT INTO participations (
      association_id, import_batch_id, created_by, id, intervention_id, person_id, entry_date, exit_date,
      municipality_code, support_months, education_level, referring_member_id, consent_date, consent_ref,
      exit_reason, occupation_after, is_returner, sex,
      entry_income_group, public_support_at_entry, exit_income_group, self_supporting_at_exit)
    SELECT ${associationId}::uuid, ${batchId}::uuid, ${createdBy}::uuid, v.* FROM unnest(
      ${col('participationId')}::uuid[], ${col('interventionId')}::uuid[], ${col('personId')}::uuid[], ${col('entryDate')}::date[],
      ${col('exitDate')}::date[], ${col('municipalityCode')}::text[], ${col('supportMonths')}::int[],
      ${col('educationLevel')}::text[], ${col('referringMemberId')}::uuid[], ${col('consentDate')}::date[],
      ${col('consentRef')}::text[], ${col('exitReason')}::text[], ${col('occupationAfter')}::text[],
      ${col('returner')}::boolean[], ${col('sex')}::text[],
      ${entry.map((e) => e.entry_income_group)}::text[], ${entry.map((e) => e.public_support_at_entry)}::boolean[],
      ${exit.map((e) => e.exit_income_group)}::text[], ${exit.map((e) => e.self_supporting_at_exit)}::boolean[]
    ) AS v`.execute(tx);
}

/** Income lines as columns (one entry per line): built without an object per line. */
export class IncomeColumns {
  readonly participationIds: string[] = [];
  readonly phases: ('entry' | 'exit')[] = [];
  readonly sources: IncomeSource[] = [];
  readonly extents: number[] = [];

  add(
    participationId: string,
    phase: 'entry' | 'exit',
    lines: readonly { source: IncomeSource; extentPct: number }[],
  ) {
    for (const l of lines) {
      this.participationIds.push(participationId);
      this.phases.push(phase);
      this.sources.push(l.source);
      this.extents.push(l.extentPct);
    }
  }
}

export async function insertIncome(tx: Conn, associationId: string, c: IncomeColumns) {
  if (c.participationIds.length === 0) return;
  await sql`
    INSERT INTO participation_income (association_id, participation_id, phase, source, extent_pct)
    SELECT ${associationId}::uuid, v.* FROM unnest(
      ${c.participationIds}::uuid[], ${c.phases}::text[], ${c.sources}::text[], ${c.extents}::int[]
    ) AS v`.execute(tx);
}

export async function insertTargetGroupLinks(
  tx: Conn,
  associationId: string,
  links: { participationIds: string[]; targetGroupIds: string[] },
) {
  if (links.participationIds.length === 0) return;
  await sql`
    INSERT INTO participation_target_groups (association_id, participation_id, target_group_id)
    SELECT ${associationId}::uuid, v.* FROM unnest(${links.participationIds}::uuid[], ${links.targetGroupIds}::uuid[]) AS v`.execute(
    tx,
  );
}

export interface ExitUpdate {
  participationId: string | null;
  exitDate: string | null;
  exitReason: string | null;
  occupationAfter: string | null;
  incomeAtExit: readonly IncomeLine[];
}

/**
 * Adds exits to ongoing participations, with the stored summary of their exit income (the caller
 * inserts the lines); returns how many were still ongoing (and so updated).
 */
export async function applyExits(
  tx: Conn,
  associationId: string,
  batchId: string,
  rows: ExitUpdate[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const exit = rows.map((x) => exitIncomeSummary(x.incomeAtExit));
  const r = await sql`
    UPDATE participations p SET
      exit_date = v.exit_date, exit_reason = v.exit_reason, occupation_after = v.occupation_after,
      exit_income_group = v.exit_income_group, self_supporting_at_exit = v.self_supporting_at_exit,
      exit_import_batch_id = ${batchId}::uuid, updated_at = now()
    FROM unnest(
      ${rows.map((x) => x.participationId)}::uuid[], ${rows.map((x) => x.exitDate)}::date[],
      ${rows.map((x) => x.exitReason)}::text[], ${rows.map((x) => x.occupationAfter)}::text[],
      ${exit.map((e) => e.exit_income_group)}::text[], ${exit.map((e) => e.self_supporting_at_exit)}::boolean[]
    ) AS v(id, exit_date, exit_reason, occupation_after, exit_income_group, self_supporting_at_exit)
    WHERE p.association_id = ${associationId}::uuid AND p.id = v.id AND p.exit_date IS NULL`.execute(tx);
  await tx
    .deleteFrom('participation_income')
    .where('association_id', '=', associationId)
    .where('phase', '=', 'exit')
    .where(sql<boolean>`participation_id = ANY(${rows.map((x) => x.participationId)}::uuid[])`)
    .execute();
  return Number(r.numAffectedRows ?? 0);
}

export async function insertAnonymous(
  tx: Conn,
  associationId: string,
  batchId: string,
  rows: {
    interventionId: string;
    year: number;
    exitYear: number | null;
    sex: 'kvinna' | 'man';
    count: number;
  }[],
) {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO anonymous_participations (association_id, import_batch_id, source, intervention_id, year, exit_year, sex, count)
    SELECT ${associationId}::uuid, ${batchId}::uuid, 'import', v.* FROM unnest(
      ${rows.map((r) => r.interventionId)}::uuid[], ${rows.map((r) => r.year)}::int[],
      ${rows.map((r) => r.exitYear)}::int[], ${rows.map((r) => r.sex)}::text[], ${rows.map((r) => r.count)}::int[]
    ) AS v`.execute(tx);
}

// ---------------------------------------------------------------- review and undo

export function listBatches(db: Conn, associationId: string, userId: string | null) {
  let q = db
    .selectFrom('import_batches as b')
    .leftJoin('users as u', 'u.id', 'b.user_id')
    .leftJoin('users as ud', 'ud.id', 'b.undone_by')
    .select([
      'b.id',
      'b.file_name',
      'b.file_hash',
      'b.file_size',
      'b.format',
      'b.imported',
      'b.anonymous',
      'b.updated',
      'b.skipped',
      'b.created_at',
      'b.undone_at',
      'b.user_id',
      'u.name as user_name',
      'ud.name as undone_by_name',
    ])
    .where('b.association_id', '=', associationId)
    .orderBy('b.created_at', 'desc')
    .orderBy('b.id');
  if (userId !== null) q = q.where('b.user_id', '=', userId);
  return q;
}

/** Per insats: what the batch created, exited and counted anonymously. */
export async function batchBreakdown(db: Conn, associationId: string, batchId: string) {
  const { rows } = await sql<{
    intervention_id: string;
    name: string;
    imported: number;
    updated: number;
    anonymous: number;
  }>`
    SELECT i.id AS intervention_id, i.name,
      coalesce(c.n, 0)::int AS imported, coalesce(u.n, 0)::int AS updated, coalesce(a.n, 0)::int AS anonymous
    FROM interventions i
    LEFT JOIN (SELECT intervention_id, count(*) AS n FROM participations
               WHERE association_id = ${associationId}::uuid AND import_batch_id = ${batchId}::uuid GROUP BY 1) c
      ON c.intervention_id = i.id
    LEFT JOIN (SELECT intervention_id, count(*) AS n FROM participations
               WHERE association_id = ${associationId}::uuid AND exit_import_batch_id = ${batchId}::uuid GROUP BY 1) u
      ON u.intervention_id = i.id
    LEFT JOIN (SELECT intervention_id, sum(count) AS n FROM anonymous_participations
               WHERE association_id = ${associationId}::uuid AND import_batch_id = ${batchId}::uuid GROUP BY 1) a
      ON a.intervention_id = i.id
    WHERE i.association_id = ${associationId}::uuid AND (c.n IS NOT NULL OR u.n IS NOT NULL OR a.n IS NOT NULL)
    ORDER BY lower(i.name)`.execute(db);
  return rows;
}

/**
 * What has been registered on top of a batch since it was imported: a later change (exit,
 * correction, another batch) of a participation it created or exited, or a later participation of
 * a person it created. Any of these blocks the undo.
 */
export async function changesSinceBatch(db: Conn, associationId: string, batchId: string) {
  // Compared in SQL: created_at has microseconds, a JavaScript Date only milliseconds.
  const { rows } = await sql<{ changed: number; later: number }>`
    WITH batch AS (
      SELECT created_at FROM import_batches WHERE association_id = ${associationId}::uuid AND id = ${batchId}::uuid
    ), touched AS (
      SELECT id, person_id, updated_at FROM participations
      WHERE association_id = ${associationId}::uuid
        AND (import_batch_id = ${batchId}::uuid OR exit_import_batch_id = ${batchId}::uuid)
    )
    SELECT
      (SELECT count(*) FROM touched t WHERE t.updated_at > (SELECT created_at FROM batch)
         OR EXISTS (SELECT 1 FROM participation_history h
                    WHERE h.association_id = ${associationId}::uuid AND h.participation_id = t.id))::int AS changed,
      (SELECT count(*) FROM participations p
         WHERE p.association_id = ${associationId}::uuid
           AND p.person_id IN (SELECT person_id FROM participations
                               WHERE association_id = ${associationId}::uuid AND import_batch_id = ${batchId}::uuid)
           AND p.import_batch_id IS DISTINCT FROM ${batchId}::uuid
           AND p.created_at > (SELECT created_at FROM batch))::int AS later`.execute(db);
  return rows[0]!;
}

/** The insatser a batch touched (for the coordinator's scope check). */
export async function batchInterventions(
  db: Conn,
  associationId: string,
  batchId: string,
): Promise<string[]> {
  const { rows } = await sql<{ intervention_id: string }>`
    SELECT intervention_id FROM participations
      WHERE association_id = ${associationId}::uuid AND (import_batch_id = ${batchId}::uuid OR exit_import_batch_id = ${batchId}::uuid)
    UNION
    SELECT intervention_id FROM anonymous_participations
      WHERE association_id = ${associationId}::uuid AND import_batch_id = ${batchId}::uuid`.execute(db);
  return rows.map((r) => r.intervention_id);
}

/** Reverts a batch: removes what it created, reopens what it exited. Returns what was reverted. */
export async function revertBatch(tx: Conn, associationId: string, batchId: string) {
  const created = await tx
    .deleteFrom('participations')
    .where('association_id', '=', associationId)
    .where('import_batch_id', '=', batchId)
    .returning('person_id')
    .execute();
  const reopened = await tx
    .updateTable('participations')
    .set({
      exit_date: null,
      exit_reason: null,
      occupation_after: null,
      exit_import_batch_id: null,
      // Its exit income lines go below.
      ...NO_EXIT_INCOME,
      updated_at: sql`now()`,
    })
    .where('association_id', '=', associationId)
    .where('exit_import_batch_id', '=', batchId)
    .returning('id')
    .execute();
  if (reopened.length)
    await tx
      .deleteFrom('participation_income')
      .where('association_id', '=', associationId)
      .where('phase', '=', 'exit')
      .where(sql<boolean>`participation_id = ANY(${reopened.map((r) => r.id)}::uuid[])`)
      .execute();
  const anonymous = await tx
    .deleteFrom('anonymous_participations')
    .where('association_id', '=', associationId)
    .where('import_batch_id', '=', batchId)
    .returning('count')
    .execute();
  const personIds = [...new Set(created.map((r) => r.person_id))];
  let persons = 0;
  for (const part of chunked(personIds)) {
    const r = await sql`
      DELETE FROM persons pe WHERE pe.association_id = ${associationId}::uuid AND pe.id = ANY(${part}::uuid[])
        AND NOT EXISTS (SELECT 1 FROM participations p WHERE p.association_id = pe.association_id AND p.person_id = pe.id)`.execute(
      tx,
    );
    persons += Number(r.numAffectedRows ?? 0);
  }
  return {
    participations: created.length,
    exits: reopened.length,
    anonymous: anonymous.reduce((s, r) => s + r.count, 0),
    persons,
  };
}

// ---------------------------------------------------------------- references, checked set-based

/**
 * Row-level foreign-key checks are about half of a large import's database time (on PGlite each
 * inserted row runs its own lookup and row lock inside WebAssembly; docs/performance.md). When the
 * database role may set `session_replication_role` (the embedded database always; on a server, a
 * superuser or a role granted `SET ON PARAMETER session_replication_role`), the import turns the
 * row-level checks off for the rest of its own transaction (`SET LOCAL`, undone at commit or
 * rollback) and checks the same references set-based before it commits (`ImportReferences`,
 * `verifyImportReferences`). The check takes the same `FOR KEY SHARE` lock on each parent that a
 * row-level check takes, so a parent deleted meanwhile makes the import fail and store nothing,
 * and one deleted later must wait for the import and then finds it. CHECK and unique constraints
 * are not triggers and stay in force. Returns false (row-level checks stay on) otherwise.
 */
export async function deferReferenceChecks(tx: Conn): Promise<boolean> {
  const { rows } = await sql<{ allowed: boolean }>`
    SELECT has_parameter_privilege('session_replication_role', 'SET') AS allowed`.execute(tx);
  if (!rows[0]?.allowed) return false;
  await sql`SET LOCAL session_replication_role = replica`.execute(tx);
  return true;
}

export class BrokenReference extends Error {}

/**
 * What an import's rows refer to, collected as they are written. Parents the import writes itself
 * (participations for their income lines and target-group links) are checked here, as rows are
 * added; parents that exist before the import (insatser, persons, members, target groups, the
 * user) are checked in the database by `verifyImportReferences`, once per distinct value.
 */
export class ImportReferences {
  /** Participations this import inserted or updated: they exist in this transaction. */
  readonly participations = new Set<string>();
  /** Persons this import inserted, with the sex they were stored with. */
  readonly createdPersons = new Map<string, 'kvinna' | 'man'>();
  readonly interventions = new Set<string>();
  /** Persons the participations refer to, with the sex the participations carry (part of the key). */
  readonly persons = new Map<string, 'kvinna' | 'man'>();
  readonly members = new Set<string>();
  readonly targetGroups = new Set<string>();

  personsCreated(persons: readonly { id: string; sex: 'kvinna' | 'man' }[]) {
    for (const p of persons) this.createdPersons.set(p.id, p.sex);
  }

  /** Inserted participations (with their parents). */
  inserted(rows: readonly NewParticipation[]) {
    for (const r of rows) {
      this.participations.add(r.participationId!);
      this.interventions.add(r.interventionId);
      const sex = this.persons.get(r.personId!);
      if (sex !== undefined && sex !== r.sex)
        throw new BrokenReference(`Participations of person ${r.personId} carry different sexes`);
      this.persons.set(r.personId!, r.sex);
      if (r.referringMemberId !== null) this.members.add(r.referringMemberId);
    }
  }

  /** Stored participations an UPDATE found (it reported one row per id). */
  updated(ids: readonly string[]) {
    for (const id of ids) this.participations.add(id);
  }

  /** Income lines and target-group links: their participation must be one written above. */
  children(participationIds: readonly string[], targetGroupIds: readonly string[] = []) {
    for (const id of participationIds)
      if (!this.participations.has(id))
        throw new BrokenReference(`An imported line refers to participation ${id}, which was not written`);
    for (const id of targetGroupIds) this.targetGroups.add(id);
  }
}

/**
 * Checks and locks the parents that existed before the import, once per distinct value, then
 * turns row-level checks back on.
 */
export async function verifyImportReferences(
  tx: Conn,
  associationId: string,
  userId: string | null,
  refs: ImportReferences,
) {
  const aid = associationId;
  // Persons the import created came back from their INSERT; the others must exist, with the sex.
  const existing: string[] = [];
  const existingSex: string[] = [];
  for (const [id, sex] of refs.persons) {
    const created = refs.createdPersons.get(id);
    if (created === undefined) {
      existing.push(id);
      existingSex.push(sex);
    } else if (created !== sex) throw new BrokenReference(`Person ${id} was stored with another sex`);
  }
  const parents: [string, string[], ReturnType<typeof sql>][] = [
    [
      'insatser',
      [...refs.interventions],
      sql`SELECT 1 FROM interventions WHERE association_id = ${aid}::uuid AND id = ANY(${[...refs.interventions]}::uuid[]) FOR KEY SHARE`,
    ],
    [
      'persons',
      existing,
      sql`SELECT 1 FROM persons WHERE association_id = ${aid}::uuid AND (id, sex) IN (SELECT * FROM unnest(${existing}::uuid[], ${existingSex}::text[])) FOR KEY SHARE`,
    ],
    [
      'members',
      [...refs.members],
      sql`SELECT 1 FROM members WHERE association_id = ${aid}::uuid AND id = ANY(${[...refs.members]}::uuid[]) FOR KEY SHARE`,
    ],
    [
      'target groups',
      [...refs.targetGroups],
      sql`SELECT 1 FROM target_groups WHERE association_id = ${aid}::uuid AND id = ANY(${[...refs.targetGroups]}::uuid[]) FOR KEY SHARE`,
    ],
    [
      'users',
      userId === null ? [] : [userId],
      sql`SELECT 1 FROM users WHERE id = ${userId}::uuid FOR KEY SHARE`,
    ],
  ];
  for (const [what, ids, locked] of parents) {
    if (ids.length === 0) continue;
    const n = (await locked.execute(tx)).rows.length;
    if (n !== ids.length)
      throw new BrokenReference(`The import refers to ${ids.length - n} ${what} that do not exist`);
  }
  await sql`SET LOCAL session_replication_role = origin`.execute(tx);
}
