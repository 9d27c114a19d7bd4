/**
 * Participant import: a spreadsheet in, validated completely first, then stored all or nothing in
 * one transaction as an import batch that can be reviewed and undone. Also the review and undo.
 *
 * The import shares the register's rules (zod schemas, `checkEntryFields`, the overlap and returner
 * rules) but writes set-based: it validates every row in memory against preloaded reference data,
 * persons and participations, then inserts chunk by chunk. One row at a time through
 * `registerEntry` costs about ten round trips per row, which is minutes for 100 000 rows.
 */
import { createHash } from 'node:crypto';
import { orderedIds } from '../../db/ordered-ids.js';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Scope } from '../../auth/access.js';
import type { PnrCipher } from '../../crypto/pnr.js';
import { AppError } from '../../errors.js';
import { recordAudit } from '../../audit/audit.js';
import { ErrorCode } from '../../../shared/errors.js';
import { INTERVENTION_SCOPED_ROLES, roleAllows, type Permission } from '../../../shared/roles.js';
import { todaySweden } from '../../../shared/dates.js';
import { allowedInterventionIds } from '../interventions/access.js';
import { loadEntryContext } from '../participants/service.js';
import { normaliseValue } from './columns.js';
import { readSheet } from './parse.js';
import {
  isIgnorableRow,
  mapHeader,
  planAgainstRegister,
  RowCache,
  sortErrors,
  validateRow,
  type AnonymousRow,
  type ColumnMap,
  type ImportReference,
  type PersonRow,
  type RowError,
  type StoredParticipation,
} from './validate.js';
import * as repo from './repo.js';

export interface ImportDeps {
  db: Kysely<DB>;
  pnr: PnrCipher;
}

export interface ImportProgress {
  phase: 'read' | 'check' | 'write' | 'done';
  /** Rows handled so far in this phase. */
  done: number;
  total?: number;
}

export interface ImportOptions {
  fileName: string;
  /** Validate and count, store nothing. */
  dryRun?: boolean;
  /** Import even a file identical to an earlier (not undone) batch. */
  force?: boolean;
  onProgress?: (p: ImportProgress) => void;
  /** Keep the database's row-level reference checks even where set-based ones are allowed (tests). */
  rowLevelReferenceChecks?: boolean;
}

export interface ImportCounts {
  imported: number;
  anonymous: number;
  updated: number;
  skipped: number;
}

export type ImportOutcome =
  | ({ ok: true; batchId: string | null; dryRun: boolean } & ImportCounts)
  | { ok: false; errors: RowError[]; errorCount: number };

/** At most this many row errors are returned (all are counted). */
export const MAX_REPORTED_ERRORS = 1000;

export function requirePermission(scope: Scope, permission: Permission) {
  if (!roleAllows(scope.role, permission))
    throw new AppError(ErrorCode.FORBIDDEN, `Your role may not do this (${permission})`);
}

const dateTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** `2026-11-28 kl. 10:15`, Swedish time. */
export function swedishDateTime(d: Date): string {
  const parts = Object.fromEntries(dateTime.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} kl. ${parts.hour}:${parts.minute}`;
}

/** Insatser, municipalities, target groups and members, keyed the way the file names them. */
export async function loadReference(db: Kysely<DB>, scope: Scope): Promise<ImportReference> {
  const [interventions, members, groups, allowed, entryContext] = await Promise.all([
    db
      .selectFrom('interventions')
      .select(['id', 'name', 'direction', 'follow_up'])
      .where('association_id', '=', scope.associationId)
      .execute(),
    db
      .selectFrom('members')
      .select(['id', 'name', 'type', 'municipality_code'])
      .where('association_id', '=', scope.associationId)
      .execute(),
    db
      .selectFrom('target_groups')
      .select(['id', 'name'])
      .where('association_id', '=', scope.associationId)
      .execute(),
    allowedInterventionIds(db, scope),
    loadEntryContext(db, scope.associationId),
  ]);
  const municipalities = new Map<string, string>();
  for (const m of members) {
    if (m.type !== 'municipality' || !m.municipality_code) continue;
    const code = m.municipality_code.trim();
    const name = normaliseValue(m.name);
    municipalities.set(code, code);
    municipalities.set(name, code);
    // "Eskilstuna kommun", "Kommun Eskilstuna", "Göteborgs stad" → also "eskilstuna", "göteborgs".
    const bare = name.replace(/^kommun\s+/, '').replace(/\s+(kommun|stad)$/, '');
    if (bare && !municipalities.has(bare)) municipalities.set(bare, code);
  }
  return {
    interventions: new Map(
      interventions.map((i) => [
        normaliseValue(i.name),
        {
          id: i.id,
          name: i.name,
          direction: i.direction,
          followUp: i.follow_up,
          allowed: allowed === null || allowed.includes(i.id),
        },
      ]),
    ),
    municipalities,
    targetGroups: new Map(groups.map((g) => [normaliseValue(g.name), g.id])),
    members: new Map(members.map((m) => [normaliseValue(m.name), m.id])),
    entryContext,
    today: todaySweden(),
  };
}

function alreadyImported(b: { created_at: Date; user_name: string | null; file_name: string }): AppError {
  const who = b.user_name ? ` av ${b.user_name}` : '';
  return AppError.conflict(
    'file',
    'already_imported',
    `Filen är redan importerad ${swedishDateTime(b.created_at)}${who} (${b.file_name}). ` +
      'Ångra den importen först, eller importera igen med "tvinga" om det är avsiktligt.',
  );
}

/** Rejected rows abort the transaction; the outcome carries them back. */
class RowsRejected extends Error {
  constructor(
    readonly errors: RowError[],
    readonly errorCount: number,
  ) {
    super('rows rejected');
  }
}

interface ReadResult {
  format: 'csv' | 'xlsx';
  persons: PersonRow[];
  anonymous: AnonymousRow[];
  errors: RowError[];
  errorCount: number;
}

/** Reads and checks every row on its own. Header errors stop the reading: the rows cannot be interpreted. */
async function readRows(
  deps: ImportDeps,
  scope: Scope,
  ref: ImportReference,
  bytes: Buffer,
  opts: ImportOptions,
): Promise<ReadResult> {
  const sheet = readSheet(bytes);
  const out: ReadResult = { format: sheet.format, persons: [], anonymous: [], errors: [], errorCount: 0 };
  const fail = (errs: RowError[]) => {
    out.errorCount += errs.length;
    for (const e of errs) if (out.errors.length < MAX_REPORTED_ERRORS) out.errors.push(e);
  };
  let columns: ColumnMap | null = null;
  const cache = new RowCache();
  let n = 0;
  for await (const r of sheet.rows) {
    if (isIgnorableRow(r.cells)) continue;
    if (!columns) {
      const h = mapHeader(r);
      if (h.errors.length) {
        fail(h.errors);
        return out;
      }
      columns = h.columns;
      continue;
    }
    const v = validateRow(ref, columns, r, cache);
    if (!v.ok) fail(v.errors);
    else if (v.value.kind === 'anonymous') out.anonymous.push(v.value);
    else {
      v.value.hash = deps.pnr.lookupHash(scope.associationId, v.value.digits);
      out.persons.push(v.value);
    }
    if (++n % 5000 === 0) opts.onProgress?.({ phase: 'read', done: n });
  }
  if (!columns) throw AppError.field('file', 'no_header', 'Filen saknar rubrikrad');
  if (n === 0) throw AppError.field('file', 'no_rows', 'Filen har inga rader att importera');
  opts.onProgress?.({ phase: 'read', done: n, total: n });
  return out;
}

/**
 * Imports participants from a CSV or XLSX file. Every row is validated first; if any row is
 * invalid nothing is stored and the errors are returned. Otherwise everything is stored in one
 * transaction as one batch, audited once.
 */
export async function importParticipations(
  deps: ImportDeps,
  scope: Scope,
  bytes: Buffer,
  opts: ImportOptions,
): Promise<ImportOutcome> {
  requirePermission(scope, 'participants.write');
  const { db } = deps;
  const fileHash = createHash('sha256').update(bytes).digest('hex');
  // A quick answer before any work; checked again under the lock below.
  if (!opts.force) {
    const earlier = await repo.findActiveBatchByHash(db, scope.associationId, fileHash);
    if (earlier) throw alreadyImported(earlier);
  }
  const ref = await loadReference(db, scope);
  const read = await readRows(deps, scope, ref, bytes, opts);
  if (read.persons.length === 0 && read.anonymous.length === 0 && read.errorCount > 0)
    return { ok: false, errors: sortErrors(read.errors), errorCount: read.errorCount };

  try {
    return await db.transaction().execute(async (tx) => {
      await repo.lockAssociationImports(tx, scope.associationId);
      if (!opts.force) {
        const earlier = await repo.findActiveBatchByHash(tx, scope.associationId, fileHash);
        if (earlier) throw alreadyImported(earlier);
      }
      opts.onProgress?.({ phase: 'check', done: 0, total: read.persons.length });

      // The register as it stands for the people in the file.
      const hashes = [...new Set(read.persons.map((p) => p.hash))];
      const personIds = await repo.findPersonsByHash(tx, scope.associationId, hashes);
      const hashOf = new Map([...personIds].map(([h, id]) => [id, h]));
      const stored: StoredParticipation[] = (
        await repo.findParticipationsOfPersons(tx, scope.associationId, [...personIds.values()])
      ).map((p) => ({
        id: p.id,
        personHash: hashOf.get(p.person_id)!,
        interventionId: p.intervention_id,
        entryDate: p.entry_date,
        exitDate: p.exit_date,
        exitReason: p.exit_reason,
      }));
      for (const p of read.persons) p.personId = personIds.get(p.hash) ?? null;
      const plan = planAgainstRegister(read.persons, stored, ref.entryContext.returnWindowDays);
      const errorCount = read.errorCount + plan.errors.length;
      if (errorCount > 0) {
        const errors = [
          ...read.errors,
          ...plan.errors.slice(0, Math.max(0, MAX_REPORTED_ERRORS - read.errors.length)),
        ];
        throw new RowsRejected(sortErrors(errors), errorCount);
      }
      opts.onProgress?.({ phase: 'check', done: read.persons.length, total: read.persons.length });

      let imported = 0;
      let updated = 0;
      for (const p of read.persons) {
        if (p.action === 'create') imported++;
        else if (p.action === 'update') updated++;
      }
      const counts: ImportCounts = {
        imported,
        anonymous: read.anonymous.length,
        updated,
        skipped: read.persons.length - imported - updated,
      };
      if (opts.dryRun) return { ok: true as const, batchId: null, dryRun: true, ...counts };

      const batch = await repo.insertBatch(tx, {
        associationId: scope.associationId,
        userId: scope.userId,
        fileName: opts.fileName,
        fileHash,
        fileSize: bytes.length,
        format: read.format,
      });
      await writeBatch(deps, scope, tx, batch.id, plan.ordered, read.anonymous, counts, opts);
      await repo.finishBatch(tx, scope.associationId, batch.id, counts);
      const interventionIds = [
        ...new Set([
          ...read.persons.map((p) => p.interventionId),
          ...read.anonymous.map((a) => a.interventionId),
        ]),
      ];
      await recordAudit(tx, {
        associationId: scope.associationId,
        actorUserId: scope.userId,
        action: 'participants.imported',
        entityType: 'import_batch',
        entityId: batch.id,
        details: {
          fileName: opts.fileName,
          format: read.format,
          fileSize: bytes.length,
          force: !!opts.force,
          ...counts,
          interventionIds,
        },
      });
      opts.onProgress?.({ phase: 'done', done: counts.imported + counts.updated + counts.anonymous });
      return { ok: true as const, batchId: batch.id, dryRun: false, ...counts };
    });
  } catch (err) {
    if (err instanceof RowsRejected) return { ok: false, errors: err.errors, errorCount: err.errorCount };
    throw err;
  }
}

/**
 * Writes a planned import: new persons, new participations with their income and target groups,
 * exits added to stored participations, anonymous counts. `ordered` has each person's rows
 * together, so a new person is created once.
 */
async function writeBatch(
  deps: ImportDeps,
  scope: Scope,
  tx: repo.Conn,
  batchId: string,
  ordered: PersonRow[],
  anonymous: AnonymousRow[],
  counts: ImportCounts,
  opts: ImportOptions,
) {
  const aid = scope.associationId;
  const total = counts.imported + counts.updated;
  let done = 0;
  // Time-ordered ids: each index keyed by them grows at its right edge (ordered-ids.ts).
  const newId = orderedIds();
  // References are checked set-based before commit instead of row by row, where allowed (repo.ts).
  const written =
    !opts.rowLevelReferenceChecks && (await repo.deferReferenceChecks(tx))
      ? new repo.ImportReferences()
      : null;

  // New persons: the number only encrypted, and its keyed hash. Persons whose rows are all
  // skipped or updates exist already.
  let persons: { person: repo.NewPerson; rows: PersonRow[] }[] = [];
  const flushPersons = async () => {
    if (!persons.length) return;
    const ids = await repo.insertPersons(
      tx,
      aid,
      persons.map((p) => p.person),
    );
    for (const p of persons) for (const r of p.rows) r.personId = ids.get(p.person.hash)!;
    written?.personsCreated(persons.map((p) => ({ id: ids.get(p.person.hash)!, sex: p.person.sex })));
    persons = [];
  };
  for (let i = 0; i < ordered.length;) {
    const first = ordered[i]!;
    let j = i + 1;
    let creates = first.action === 'create';
    for (; j < ordered.length && ordered[j]!.hash === first.hash; j++)
      creates ||= ordered[j]!.action === 'create';
    if (first.personId === null && creates) {
      persons.push({
        person: {
          id: newId(),
          hash: first.hash,
          enc: deps.pnr.encrypt(first.digits),
          sex: first.sex,
          birthYear: first.birthYear,
        },
        rows: ordered.slice(i, j),
      });
      if (persons.length >= repo.CHUNK) await flushPersons();
    }
    i = j;
  }
  await flushPersons();

  const creates = ordered.filter((r) => r.action === 'create');
  for (const part of repo.chunked(creates)) {
    const income = new repo.IncomeColumns();
    const links = { participationIds: [] as string[], targetGroupIds: [] as string[] };
    for (const r of part) {
      const id = (r.participationId = newId());
      income.add(id, 'entry', r.incomeAtEntry);
      income.add(id, 'exit', r.incomeAtExit);
      for (const g of r.targetGroupIds) {
        links.participationIds.push(id);
        links.targetGroupIds.push(g);
      }
    }
    await repo.insertParticipations(tx, aid, batchId, scope.userId, part);
    await repo.insertIncome(tx, aid, income);
    await repo.insertTargetGroupLinks(tx, aid, links);
    written?.inserted(part);
    written?.children(income.participationIds, links.targetGroupIds);
    written?.children(links.participationIds);
    done += part.length;
    opts.onProgress?.({ phase: 'write', done, total });
  }

  const updates = ordered.filter((r) => r.action === 'update');
  for (const part of repo.chunked(updates)) {
    const income = new repo.IncomeColumns();
    for (const r of part) income.add(r.participationId!, 'exit', r.incomeAtExit);
    const n = await repo.applyExits(tx, aid, batchId, part);
    // Exited by someone else since the check: refuse rather than overwrite.
    if (n !== part.length)
      throw AppError.conflict(
        'file',
        'changed_during_import',
        'Registreringar ändrades medan filen importerades. Försök igen.',
      );
    await repo.insertIncome(tx, aid, income);
    written?.updated(part.map((r) => r.participationId!));
    written?.children(income.participationIds);
    done += part.length;
    opts.onProgress?.({ phase: 'write', done, total });
  }
  if (written) await repo.verifyImportReferences(tx, aid, scope.userId, written);

  // Anonymous participants: one count row per insats, year, exit year and sex.
  const anonymousCounts = new Map<
    string,
    { interventionId: string; year: number; exitYear: number | null; sex: 'kvinna' | 'man'; count: number }
  >();
  for (const a of anonymous) {
    const key = `${a.interventionId}|${a.year}|${a.exitYear}|${a.sex}`;
    const c = anonymousCounts.get(key);
    if (c) c.count++;
    else
      anonymousCounts.set(key, {
        interventionId: a.interventionId,
        year: a.year,
        exitYear: a.exitYear,
        sex: a.sex,
        count: 1,
      });
  }
  await repo.insertAnonymous(tx, aid, batchId, [...anonymousCounts.values()]);
}

// ---------------------------------------------------------------- review and undo

/** Coordinators see and undo only their own batches; others see every batch of the association. */
function ownBatchesOnly(scope: Scope): string | null {
  return INTERVENTION_SCOPED_ROLES.includes(scope.role)
    ? (scope.userId ?? '00000000-0000-0000-0000-000000000000')
    : null;
}

function toBatchDto(b: Awaited<ReturnType<ReturnType<typeof repo.listBatches>['execute']>>[number]) {
  return {
    id: b.id,
    fileName: b.file_name,
    fileHash: b.file_hash,
    fileSize: b.file_size,
    format: b.format,
    imported: b.imported,
    anonymous: b.anonymous,
    updated: b.updated,
    skipped: b.skipped,
    createdAt: b.created_at.toISOString(),
    createdBy: b.user_id ? { id: b.user_id, name: b.user_name } : null,
    undoneAt: b.undone_at ? b.undone_at.toISOString() : null,
    undoneBy: b.undone_by_name,
  };
}

export async function listImportBatches(db: Kysely<DB>, scope: Scope) {
  requirePermission(scope, 'participants.write');
  const rows = await repo.listBatches(db, scope.associationId, ownBatchesOnly(scope)).limit(500).execute();
  return rows.map(toBatchDto);
}

async function loadBatch(db: repo.Conn, scope: Scope, id: string) {
  const b = await repo
    .listBatches(db, scope.associationId, ownBatchesOnly(scope))
    .where('b.id', '=', id)
    .executeTakeFirst();
  if (!b) throw AppError.notFound('Import');
  return b;
}

/** Why a batch cannot be undone, or null if it can. */
async function undoBlocker(
  db: repo.Conn,
  scope: Scope,
  b: { id: string; undone_at: Date | null },
): Promise<string | null> {
  if (b.undone_at) return 'Importen är redan ångrad';
  const c = await repo.changesSinceBatch(db, scope.associationId, b.id);
  if (c.changed || c.later) {
    const parts = [];
    if (c.changed) parts.push(`${c.changed} av dess registreringar har ändrats eller avslutats`);
    if (c.later) parts.push(`${c.later} nya registreringar har gjorts för personer i den`);
    return `Importen kan inte ångras: ${parts.join(' och ')} efter importen`;
  }
  return null;
}

/** One batch: who, when, what per insats, and whether it can still be undone. No person data. */
export async function getImportBatch(db: Kysely<DB>, scope: Scope, id: string) {
  requirePermission(scope, 'participants.write');
  const b = await loadBatch(db, scope, id);
  const [interventions, blocker] = await Promise.all([
    repo.batchBreakdown(db, scope.associationId, id),
    undoBlocker(db, scope, b),
  ]);
  return {
    ...toBatchDto(b),
    interventions: interventions.map((i) => ({
      id: i.intervention_id,
      name: i.name,
      imported: i.imported,
      updated: i.updated,
      anonymous: i.anonymous,
    })),
    undoable: blocker === null,
    undoBlockedReason: blocker,
  };
}

/**
 * Undoes a batch as a whole: deletes the participations it created (and persons left without
 * any), reopens the participations it exited and deletes its anonymous counts. Refused once
 * anything has been registered on top of it.
 */
export async function undoImportBatch(db: Kysely<DB>, scope: Scope, id: string) {
  requirePermission(scope, 'participants.write');
  return db.transaction().execute(async (tx) => {
    await repo.lockAssociationImports(tx, scope.associationId);
    const b = await loadBatch(tx, scope, id);
    const allowed = await allowedInterventionIds(tx, scope);
    if (allowed) {
      const touched = await repo.batchInterventions(tx, scope.associationId, id);
      if (touched.some((i) => !allowed.includes(i))) throw AppError.notFound('Import');
    }
    const blocker = await undoBlocker(tx, scope, b);
    if (blocker)
      throw AppError.conflict('id', b.undone_at ? 'already_undone' : 'changed_since_import', blocker);
    const reverted = await repo.revertBatch(tx, scope.associationId, id);
    const done = await tx
      .updateTable('import_batches')
      .set({ undone_at: new Date(), undone_by: scope.userId })
      .where('association_id', '=', scope.associationId)
      .where('id', '=', id)
      .returning('undone_at')
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'participants.import_undone',
      entityType: 'import_batch',
      entityId: id,
      details: { fileName: b.file_name, ...reverted },
    });
    return { id, undoneAt: done.undone_at!.toISOString(), reverted };
  });
}
