/**
 * Export of the participations a caller may see, as CSV or XLSX in the import's own column
 * format, so an export imported into an association with the same insatser, municipalities,
 * target groups and members reproduces the same register. Streamed page by page; the full
 * personnummer is included (it is what makes the round trip possible), so the export is audited
 * as a person-level read: one audit entry per export, written before the first row is sent, with
 * the number of rows and the insatser they come from.
 *
 * Order: insats name, then entry date, then id. Two ways to read, with the same rows in the same
 * order (export.test.ts compares the bytes):
 *
 * - `cursor` (PostgreSQL): one statement in a read-only repeatable-read transaction, so the file is
 *   one consistent snapshot, fetched through a cursor a page at a time. The server joins the
 *   persons, income lines and target groups set-based (hash joins over sequential scans, in
 *   parallel) and sorts once. Reading a large register row by row in export order instead costs
 *   random page reads for every row (the rows lie in the order they were registered): a
 *   million-row export spent about 60 s in the database that way, and about 10 s this way
 *   (docs/performance.md). It holds one pooled connection for the export's duration.
 * - `pages` (the embedded database, whose single connection must not be held while a file is
 *   downloaded): the insatser are walked in name order and each one's participations are paged by
 *   ranges of (entry_date, id), which the index `participations_intervention_entry
 *   (association_id, intervention_id, entry_date, id)` serves: every page is a short index range
 *   scan, and no query holds a cursor or a transaction open. The next page is read while the
 *   current one is formatted.
 *
 * Rows are written in chunks as the reader takes them (backpressure), so memory does not grow with
 * the export.
 */
import type { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { DatabaseKind } from '../../db/index.js';
import type { Scope } from '../../auth/access.js';
import type { PnrCipher } from '../../crypto/pnr.js';
import { recordAudit } from '../../audit/audit.js';
import { formatPersonnummer } from '../../../shared/personnummer.js';
import {
  EDUCATION_LEVELS,
  EXIT_REASONS,
  OCCUPATIONS,
  type IncomeSource,
} from '../../../shared/participants.js';
import { allowedInterventionIds, requireInterventionForPeople } from '../interventions/access.js';
import { HEADERS, formatIncome, type ColumnKey } from './columns.js';
import { csvStream } from './csv-writer.js';
import { xlsxStream } from './xlsx-writer.js';
import { requirePermission } from './service.js';

export type ExportFormat = 'csv' | 'xlsx';
/** How participations are read (see the top of this file). */
export type ExportRead = 'cursor' | 'pages';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Rows per page (one query for the rows, one each for their income lines and target groups). */
export const DEFAULT_PAGE_SIZE = 2000;

/** The position of each column in a row, which is HEADERS order. */
const COL = Object.fromEntries(HEADERS.map((h, i) => [h, i])) as Record<ColumnKey, number>;
const emptyRow = (): string[] => new Array<string>(HEADERS.length).fill('');

type Conn = Kysely<DB>;

interface Insats {
  id: string;
  name: string;
}

/**
 * One page of an insats' participations, after the keyset `after` (exclusive), with each row's
 * income lines and target groups. Those come from correlated subqueries, so each is an index probe
 * per row of the page (a list of 2,000 ids made the planner scan all target groups per page).
 * `income`: `phase source extent` lines joined by `|`, entry first, each phase's largest extent
 * first, then by source; `groups`: target group names by name, joined by `|` (as exported).
 */
function participationRange(
  db: Conn,
  associationId: string,
  interventionId: string,
  after: Key | null,
  limit: number,
) {
  let q = db
    .selectFrom('participations as p')
    .innerJoin('persons as pe', (j) =>
      j.onRef('pe.association_id', '=', 'p.association_id').onRef('pe.id', '=', 'p.person_id'),
    )
    .select([
      'p.id',
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
      'pe.pnr_enc',
      'pe.sex',
      sql<string | null>`(
        SELECT string_agg(pi.phase || ' ' || pi.source || ' ' || pi.extent_pct, '|'
                          ORDER BY pi.phase, pi.extent_pct DESC, pi.source)
        FROM participation_income pi
        WHERE pi.association_id = p.association_id AND pi.participation_id = p.id)`.as('income'),
      sql<string | null>`(
        SELECT string_agg(tg.name, '|' ORDER BY tg.name)
        FROM participation_target_groups ptg
        JOIN target_groups tg ON tg.association_id = ptg.association_id AND tg.id = ptg.target_group_id
        WHERE ptg.association_id = p.association_id AND ptg.participation_id = p.id)`.as('groups'),
    ])
    .where('p.association_id', '=', associationId)
    .where('p.intervention_id', '=', interventionId);
  if (after) q = q.where(sql<boolean>`(p.entry_date, p.id) > (${after.entry_date}::date, ${after.id}::uuid)`);
  // The limit also keeps the planner on the index: without it, a range's estimated size tempts
  // it into hashing all of the association's persons for every page.
  return q.orderBy('p.entry_date').orderBy('p.id').limit(limit).execute();
}

type PageRow = Awaited<ReturnType<typeof participationRange>>[number];

/** Memory for the cursor statement's joins and sort (per process), instead of temporary files. */
const CURSOR_WORK_MEM = '64MB';

/**
 * Every participation of the given insatser, as `participationRange` reads them, in export order
 * (the insatser's order in `insatser`, then entry date and id), fetched `pageSize` rows at a time
 * through a cursor in one read-only snapshot. The generator's return (the reader went away)
 * closes the transaction.
 */
async function* participationCursor(
  db: Conn,
  associationId: string,
  insatser: Insats[],
  pageSize: number,
): AsyncGenerator<{ insats: number; rows: PageRow[] }> {
  const ids = insatser.map((i) => i.id);
  const trx = await db
    .startTransaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute();
  let done = false;
  try {
    await sql`SELECT set_config('work_mem', ${CURSOR_WORK_MEM}, true)`.execute(trx);
    await sql`
      DECLARE export_rows NO SCROLL CURSOR FOR
      SELECT o.ord::int AS ord, p.id, p.entry_date, p.exit_date, p.municipality_code, p.support_months,
        p.education_level, p.referring_member_id, p.consent_date, p.consent_ref, p.exit_reason,
        p.occupation_after, pe.pnr_enc, pe.sex, inc.income, g.groups
      FROM participations p
      JOIN unnest(${ids}::uuid[]) WITH ORDINALITY AS o(id, ord) ON o.id = p.intervention_id
      JOIN persons pe ON pe.association_id = p.association_id AND pe.id = p.person_id
      LEFT JOIN (
        SELECT pi.participation_id,
          string_agg(pi.phase || ' ' || pi.source || ' ' || pi.extent_pct, '|'
                     ORDER BY pi.phase, pi.extent_pct DESC, pi.source) AS income
        FROM participation_income pi
        WHERE pi.association_id = ${associationId}::uuid
        GROUP BY pi.participation_id
      ) inc ON inc.participation_id = p.id
      LEFT JOIN (
        SELECT ptg.participation_id, string_agg(tg.name, '|' ORDER BY tg.name) AS groups
        FROM participation_target_groups ptg
        JOIN target_groups tg ON tg.association_id = ptg.association_id AND tg.id = ptg.target_group_id
        WHERE ptg.association_id = ${associationId}::uuid
        GROUP BY ptg.participation_id
      ) g ON g.participation_id = p.id
      WHERE p.association_id = ${associationId}::uuid
      ORDER BY o.ord, p.entry_date, p.id`.execute(trx);
    const fetch = sql<PageRow & { ord: number }>`FETCH ${sql.raw(String(pageSize))} FROM export_rows`;
    for (;;) {
      const { rows } = await fetch.execute(trx);
      // A page may span two insatser: split it where the insats changes.
      let start = 0;
      for (let i = 1; i <= rows.length; i++)
        if (i === rows.length || rows[i]!.ord !== rows[start]!.ord) {
          yield { insats: rows[start]!.ord - 1, rows: rows.slice(start, i) };
          start = i;
        }
      if (rows.length < pageSize) break;
    }
    await trx.commit().execute();
    done = true;
  } finally {
    if (!done) await trx.rollback().execute();
  }
}

/** A position in an insats' export order. */
interface Key {
  entry_date: string;
  id: string;
}

type IncomeLines = { source: IncomeSource; extentPct: number }[];

/**
 * `entry salary 100|exit none 50|…` (the page query's `income`) → the two export columns. There
 * are few distinct combinations of sources and extents, so each export keeps the ones it has
 * formatted (at most `limit`; past that it starts over, which only costs formatting again).
 */
function incomeFormatter(limit = 10_000): (text: string | null) => [start: string, end: string] {
  const done = new Map<string, [string, string]>();
  const none: [string, string] = ['', ''];
  return (text) => {
    if (!text) return none;
    let columns = done.get(text);
    if (columns) return columns;
    const lines = { entry: [] as IncomeLines, exit: [] as IncomeLines };
    for (const line of text.split('|')) {
      const [phase, source, extent] = line.split(' ') as ['entry' | 'exit', IncomeSource, string];
      lines[phase].push({ source, extentPct: Number(extent) });
    }
    columns = [formatIncome(lines.entry), formatIncome(lines.exit)];
    if (done.size >= limit) done.clear();
    done.set(text, columns);
    return columns;
  };
}

/**
 * The participations of the given insatser (in name order), a page of rows at a time, decrypted
 * and formatted.
 *
 * - `cursor`: the rows of all insatser from one statement (participationCursor); the next page is
 *   fetched while the current one is formatted.
 * - `pages`: each page starts after the previous page's last key; the next page's query is sent
 *   before the current page is formatted.
 */
async function* participationPages(
  deps: { db: Conn; pnr: PnrCipher },
  associationId: string,
  insatser: Insats[],
  memberNames: Map<string, string>,
  pageSize: number,
  read: ExportRead,
): AsyncGenerator<string[][]> {
  const { db, pnr } = deps;
  const income = incomeFormatter();
  /** Awaited later; this only keeps a promise that is never awaited (the reader went away) quiet. */
  const later = <T>(p: Promise<T>) => {
    p.catch(() => undefined);
    return p;
  };
  /** Decrypts and formats a page as soon as it arrives, so the database's row objects die young. */
  const format = (insats: number, rows: PageRow[]) => {
    const name = insatser[insats]!.name;
    const page: string[][] = [];
    for (const r of rows) {
      const [incomeStart, incomeEnd] = income(r.income);
      const row = emptyRow();
      row[COL.insats] = name;
      row[COL.personnummer] = formatPersonnummer(pnr.decrypt(r.pnr_enc));
      row[COL.anonym] = 'nej';
      row[COL['kön']] = r.sex;
      row[COL.startdatum] = r.entry_date;
      row[COL.slutdatum] = r.exit_date ?? '';
      row[COL.kommun] = r.municipality_code === 'other' ? 'annan' : r.municipality_code;
      row[COL['försörjning_start']] = incomeStart;
      row[COL['försörjning_slut']] = incomeEnd;
      row[COL['sysselsättning_efter']] = r.occupation_after ? OCCUPATIONS[r.occupation_after] : '';
      row[COL.avslutsanledning] = r.exit_reason ? EXIT_REASONS[r.exit_reason] : '';
      row[COL['målgrupp']] = r.groups ?? '';
      row[COL.samtycke_datum] = r.consent_date;
      row[COL.samtycke_referens] = r.consent_ref;
      row[COL['utbildningsnivå']] = r.education_level ? EDUCATION_LEVELS[r.education_level] : '';
      row[COL['månader_offentlig_försörjning']] = r.support_months === null ? '' : String(r.support_months);
      row[COL.remitterande_part] = r.referring_member_id
        ? (memberNames.get(r.referring_member_id) ?? '')
        : '';
      page.push(row);
    }
    return page;
  };
  if (read === 'cursor') {
    const pages = participationCursor(db, associationId, insatser, pageSize);
    try {
      let next = later(pages.next());
      for (;;) {
        const r = await next;
        if (r.done) return;
        next = later(pages.next());
        yield format(r.value.insats, r.value.rows);
      }
    } finally {
      await pages.return(undefined);
    }
  }

  const readPage = (k: number, after: Key | null) =>
    later(participationRange(db, associationId, insatser[k]!.id, after, pageSize));

  for (let k = 0; k < insatser.length; k++) {
    let next: Promise<PageRow[]> | null = readPage(k, null);
    while (next) {
      const rows: PageRow[] = await next;
      const last = rows[rows.length - 1];
      next = last && rows.length === pageSize ? readPage(k, last) : null;
      if (last) yield format(k, rows);
    }
  }
}

/** Anonymous counts, one row per counted person. They carry only the insats, sex and years. */
async function* anonymousPages(
  db: Conn,
  associationId: string,
  interventionIds: string[] | null,
  pageSize: number,
): AsyncGenerator<string[][]> {
  let q = db
    .selectFrom('anonymous_participations as a')
    .innerJoin('interventions as i', (j) =>
      j.onRef('i.association_id', '=', 'a.association_id').onRef('i.id', '=', 'a.intervention_id'),
    )
    .select(['i.name', 'a.year', 'a.exit_year', 'a.sex', sql<number>`sum(a.count)::int`.as('n')])
    .where('a.association_id', '=', associationId)
    .groupBy(['i.name', 'a.year', 'a.exit_year', 'a.sex'])
    .orderBy('i.name')
    .orderBy('a.year')
    .orderBy('a.exit_year')
    .orderBy('a.sex');
  if (interventionIds) q = q.where(sql<boolean>`a.intervention_id = ANY(${interventionIds}::uuid[])`);
  let page: string[][] = [];
  for (const g of await q.execute()) {
    for (let k = 0; k < g.n; k++) {
      const row = emptyRow();
      row[COL.insats] = g.name;
      row[COL.anonym] = 'ja';
      row[COL['kön']] = g.sex;
      // Only the year is kept for anonymous participants.
      row[COL.startdatum] = `${g.year}-01-01`;
      row[COL.slutdatum] = g.exit_year === null ? '' : `${g.exit_year}-01-01`;
      page.push(row);
      if (page.length >= pageSize) {
        yield page;
        page = [];
      }
    }
  }
  if (page.length) yield page;
}

/** Excel would run a CSV cell starting with =, +, - or @ as a formula; the import strips the guard. */
function csvSafe(v: string): string {
  const c = v.charCodeAt(0);
  // = + - @
  return c === 61 || c === 43 || c === 45 || c === 64 ? `'${v}` : v;
}

async function* csvSafePages(pages: AsyncIterable<string[][]>): AsyncGenerator<string[][]> {
  for await (const page of pages) {
    for (const row of page) for (let i = 0; i < row.length; i++) row[i] = csvSafe(row[i]!);
    yield page;
  }
}

export interface ExportResult {
  stream: Readable;
  fileName: string;
  contentType: string;
  participations: number;
  anonymous: number;
}

export interface ExportOptions {
  format: ExportFormat;
  /** One insats only (it must be one the caller may see). */
  interventionId?: string | undefined;
  /** Rows per page (tests use small pages to put page boundaries everywhere). */
  pageSize?: number | undefined;
  /** Default: `cursor` on PostgreSQL, `pages` on the embedded database. */
  read?: ExportRead | undefined;
}

/**
 * The participations the caller may see (a coordinator: their insatser), optionally of one
 * insats. The read is audited before the first row is sent. `deps.dbKind` chooses how pages are
 * read (participationPages).
 */
export async function exportParticipations(
  deps: { db: Kysely<DB>; pnr: PnrCipher; dbKind?: DatabaseKind | undefined },
  scope: Scope,
  opts: ExportOptions,
): Promise<ExportResult> {
  requirePermission(scope, 'participants.read');
  const { db } = deps;
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const read = opts.read ?? (deps.dbKind === 'pglite' ? 'pages' : 'cursor');
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error(`Invalid page size ${pageSize}`);
  let ids: string[] | null;
  if (opts.interventionId) {
    await requireInterventionForPeople(db, scope, opts.interventionId);
    ids = [opts.interventionId];
  } else ids = await allowedInterventionIds(db, scope);

  const inScope = (col: 'p.intervention_id' | 'a.intervention_id' | 'i.id') =>
    ids ? sql<boolean>`${sql.ref(col)} = ANY(${ids}::uuid[])` : sql<boolean>`true`;
  const [perInsats, a, members] = await Promise.all([
    // The insatser in export order, with their number of participations (none: not walked).
    db
      .selectFrom('interventions as i')
      .innerJoin(
        (eb) =>
          eb
            .selectFrom('participations as p')
            .select(['p.intervention_id', sql<number>`count(*)::int`.as('n')])
            .where('p.association_id', '=', scope.associationId)
            .where(inScope('p.intervention_id'))
            .groupBy('p.intervention_id')
            .as('c'),
        (j) => j.onRef('c.intervention_id', '=', 'i.id'),
      )
      .select(['i.id', 'i.name', 'c.n'])
      .where('i.association_id', '=', scope.associationId)
      .orderBy('i.name')
      .execute(),
    db
      .selectFrom('anonymous_participations as a')
      .select(sql<number>`coalesce(sum(a.count), 0)::int`.as('n'))
      .where('a.association_id', '=', scope.associationId)
      .where(inScope('a.intervention_id'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('members')
      .select(['id', 'name'])
      .where('association_id', '=', scope.associationId)
      .execute(),
  ]);
  const participations = perInsats.reduce((sum, i) => sum + i.n, 0);
  await recordAudit(db, {
    associationId: scope.associationId,
    actorUserId: scope.userId,
    action: 'participations.exported',
    entityType: 'association',
    entityId: scope.associationId,
    details: {
      format: opts.format,
      participations,
      anonymous: a.n,
      interventionIds: perInsats.map((i) => i.id).sort(),
      filter: opts.interventionId ?? null,
    },
  });

  const memberNames = new Map(members.map((m) => [m.id, m.name]));
  const insatser = perInsats.map((i) => ({ id: i.id, name: i.name }));
  async function* all() {
    yield* participationPages(deps, scope.associationId, insatser, memberNames, pageSize, read);
    yield* anonymousPages(db, scope.associationId, ids, pageSize);
  }
  const fileName = `deltagare-${scope.slug}-${new Date().toISOString().slice(0, 10)}.${opts.format}`;
  const stream =
    opts.format === 'csv'
      ? csvStream(HEADERS, csvSafePages(all()))
      : xlsxStream(
          { name: 'Deltagare', headers: HEADERS, widths: HEADERS.map((h) => Math.max(12, h.length + 2)) },
          all(),
        );
  return { stream, fileName, contentType: CONTENT_TYPES[opts.format], participations, anonymous: a.n };
}

/** Writes an export to any writable (the CLI's file). */
export async function pipeExport(result: ExportResult, to: NodeJS.WritableStream): Promise<void> {
  const { pipeline } = await import('node:stream/promises');
  await pipeline(result.stream, to);
}
