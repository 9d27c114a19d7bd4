/**
 * Export of the participations a caller may see, as CSV or XLSX in the import's own column
 * format, so an export imported into an association with the same insatser, municipalities,
 * target groups and members reproduces the same register. Streamed page by page; the full
 * personnummer is included (it is what makes the round trip possible), so the export is audited
 * as a person-level read.
 */
import { PassThrough, Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import { stringify } from 'csv-stringify';
import type { DB } from '../../db/types.js';
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
import * as participantsRepo from '../participants/repo.js';
import { HEADERS, formatIncome, type ColumnKey } from './columns.js';
import { requirePermission } from './service.js';

export type ExportFormat = 'csv' | 'xlsx';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const PAGE = 2000;

type ExportRow = Record<ColumnKey, string>;
const emptyRow = (): ExportRow => Object.fromEntries(HEADERS.map((h) => [h, ''])) as ExportRow;

/** Pages of participations, in insats name, entry date and id order (keyset, no long transaction). */
async function* participationRows(
  db: Kysely<DB>,
  pnr: PnrCipher,
  associationId: string,
  interventionIds: string[] | null,
  memberNames: Map<string, string>,
): AsyncGenerator<ExportRow> {
  let after: { name: string; entryDate: string; id: string } | null = null;
  for (;;) {
    let q = participantsRepo.selectParticipations(db, associationId);
    if (interventionIds)
      q = q.where(
        'p.intervention_id',
        'in',
        interventionIds.length ? interventionIds : ['00000000-0000-0000-0000-000000000000'],
      );
    if (after) {
      const a = after;
      q = q.where(
        sql<boolean>`(i.name, p.entry_date, p.id) > (${a.name}, ${a.entryDate}::date, ${a.id}::uuid)`,
      );
    }
    const rows = await q.orderBy('i.name').orderBy('p.entry_date').orderBy('p.id').limit(PAGE).execute();
    if (rows.length === 0) return;
    const rel = await participantsRepo.loadIncomeAndGroups(
      db,
      associationId,
      rows.map((r) => r.id),
    );
    const income = new Map<
      string,
      {
        entry: { source: IncomeSource; extentPct: number }[];
        exit: { source: IncomeSource; extentPct: number }[];
      }
    >();
    for (const i of rel.income) {
      let lines = income.get(i.participation_id);
      if (!lines) income.set(i.participation_id, (lines = { entry: [], exit: [] }));
      lines[i.phase as 'entry' | 'exit'].push({ source: i.source as IncomeSource, extentPct: i.extent_pct });
    }
    const groups = new Map<string, string[]>();
    for (const g of rel.groups) {
      if (!groups.has(g.participation_id)) groups.set(g.participation_id, []);
      groups.get(g.participation_id)!.push(g.name);
    }
    for (const r of rows) {
      const inc = income.get(r.id);
      const row = emptyRow();
      row.insats = r.intervention_name;
      row.personnummer = formatPersonnummer(pnr.decrypt(r.pnr_enc));
      row.anonym = 'nej';
      row['kön'] = r.sex;
      row.startdatum = r.entry_date;
      row.slutdatum = r.exit_date ?? '';
      row.kommun = r.municipality_code === 'other' ? 'annan' : r.municipality_code;
      row['försörjning_start'] = formatIncome(inc?.entry ?? []);
      row['försörjning_slut'] = formatIncome(inc?.exit ?? []);
      row['sysselsättning_efter'] = r.occupation_after ? OCCUPATIONS[r.occupation_after] : '';
      row.avslutsanledning = r.exit_reason ? EXIT_REASONS[r.exit_reason] : '';
      row['målgrupp'] = (groups.get(r.id) ?? []).join('|');
      row.samtycke_datum = r.consent_date;
      row.samtycke_referens = r.consent_ref;
      row['utbildningsnivå'] = r.education_level ? EDUCATION_LEVELS[r.education_level] : '';
      row['månader_offentlig_försörjning'] = r.support_months === null ? '' : String(r.support_months);
      row.remitterande_part = r.referring_member_id ? (memberNames.get(r.referring_member_id) ?? '') : '';
      yield row;
    }
    const last = rows[rows.length - 1]!;
    after = { name: last.intervention_name, entryDate: last.entry_date, id: last.id };
    if (rows.length < PAGE) return;
  }
}

/** Anonymous counts, one row per counted person. They carry only the insats, sex and years. */
async function* anonymousRows(
  db: Kysely<DB>,
  associationId: string,
  interventionIds: string[] | null,
): AsyncGenerator<ExportRow> {
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
  if (interventionIds)
    q = q.where(
      'a.intervention_id',
      'in',
      interventionIds.length ? interventionIds : ['00000000-0000-0000-0000-000000000000'],
    );
  for (const g of await q.execute()) {
    for (let k = 0; k < g.n; k++) {
      const row = emptyRow();
      row.insats = g.name;
      row.anonym = 'ja';
      row['kön'] = g.sex;
      // Only the year is kept for anonymous participants.
      row.startdatum = `${g.year}-01-01`;
      row.slutdatum = g.exit_year === null ? '' : `${g.exit_year}-01-01`;
      yield row;
    }
  }
}

/** Excel would run a CSV cell starting with =, +, - or @ as a formula; the import strips the guard. */
function csvSafe(v: string): string {
  return /^[=+\-@]/.test(v) ? `'${v}` : v;
}

export interface ExportResult {
  stream: Readable;
  fileName: string;
  contentType: string;
  participations: number;
  anonymous: number;
}

/**
 * The participations the caller may see (a coordinator: their insatser), optionally of one
 * insats. The read is audited before the first row is sent.
 */
export async function exportParticipations(
  deps: { db: Kysely<DB>; pnr: PnrCipher },
  scope: Scope,
  opts: { format: ExportFormat; interventionId?: string | undefined },
): Promise<ExportResult> {
  requirePermission(scope, 'participants.read');
  const { db } = deps;
  let ids: string[] | null;
  if (opts.interventionId) {
    await requireInterventionForPeople(db, scope, opts.interventionId);
    ids = [opts.interventionId];
  } else ids = await allowedInterventionIds(db, scope);

  const inScope = (col: 'p.intervention_id' | 'a.intervention_id') =>
    ids ? sql<boolean>`${sql.ref(col)} = ANY(${ids}::uuid[])` : sql<boolean>`true`;
  const [p, a, members] = await Promise.all([
    db
      .selectFrom('participations as p')
      .select([
        sql<number>`count(*)::int`.as('n'),
        sql<string[]>`coalesce(array_agg(DISTINCT p.intervention_id::text), '{}')`.as('ids'),
      ])
      .where('p.association_id', '=', scope.associationId)
      .where(inScope('p.intervention_id'))
      .executeTakeFirstOrThrow(),
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
  await recordAudit(db, {
    associationId: scope.associationId,
    actorUserId: scope.userId,
    action: 'participations.exported',
    entityType: 'association',
    entityId: scope.associationId,
    details: {
      format: opts.format,
      participations: p.n,
      anonymous: a.n,
      interventionIds: p.ids,
      filter: opts.interventionId ?? null,
    },
  });

  const memberNames = new Map(members.map((m) => [m.id, m.name]));
  async function* all() {
    yield* participationRows(db, deps.pnr, scope.associationId, ids, memberNames);
    yield* anonymousRows(db, scope.associationId, ids);
  }
  const fileName = `deltagare-${scope.slug}-${new Date().toISOString().slice(0, 10)}.${opts.format}`;
  const stream = opts.format === 'csv' ? csvStream(all()) : xlsxStream(all());
  return { stream, fileName, contentType: CONTENT_TYPES[opts.format], participations: p.n, anonymous: a.n };
}

/** `;`-separated UTF-8 with BOM: what Swedish Excel opens correctly by double-click. */
function csvStream(rows: AsyncIterable<ExportRow>): Readable {
  const out = stringify({ delimiter: ';', bom: true, record_delimiter: 'windows', quoted_match: /^\s|\s$/ });
  const source = Readable.from(
    (async function* () {
      yield HEADERS as string[];
      for await (const r of rows) yield HEADERS.map((h) => csvSafe(r[h]));
    })(),
  );
  source.on('error', (err) => out.destroy(err));
  return source.pipe(out);
}

function xlsxStream(rows: AsyncIterable<ExportRow>): Readable {
  const out = new PassThrough();
  (async () => {
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: true,
      useSharedStrings: false,
    });
    const ws = wb.addWorksheet('Deltagare');
    ws.columns = HEADERS.map((h) => ({
      header: h,
      key: h,
      width: Math.max(12, h.length + 2),
      style: { numFmt: '@' },
    }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    for await (const r of rows) {
      // Every value as text: personnummer, codes and dates must not become numbers or dates.
      ws.addRow(HEADERS.map((h) => r[h])).commit();
      // Let the network keep up before producing more.
      if (out.writableNeedDrain) await new Promise((resolve) => out.once('drain', resolve));
    }
    ws.commit();
    await wb.commit();
  })().catch((err: Error) => out.destroy(err));
  return out;
}

/** Writes an export to any writable (the CLI's file). */
export async function pipeExport(result: ExportResult, to: NodeJS.WritableStream): Promise<void> {
  const { pipeline } = await import('node:stream/promises');
  await pipeline(result.stream, to);
}
