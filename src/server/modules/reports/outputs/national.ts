/**
 * The national export for Uppföljning Finsam: participants per insats and year by sex, the
 * insats's direction and its planned number of participants. It leaves the association, so it is
 * always protected (small counts suppressed), whoever downloads it.
 *
 * Participants in a year = identified persons with a participation in the insats that overlaps the
 * year (felregistrering excluded), each person counted once per insats, plus anonymous participants
 * whose years (entry year through exit year, or the entry year alone when no exit is known)
 * include the year.
 */
import { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import { stringify } from 'csv-stringify';
import type { DB } from '../../../db/types.js';
import type { Scope } from '../../../auth/access.js';
import { suppressCells } from '../suppression.js';
import { DIRECTION_LABELS } from './format.js';

export type NationalFormat = 'csv' | 'xlsx';

export const NATIONAL_COLUMNS = [
  'År',
  'Insats',
  'Inriktning',
  'Planerat antal deltagare',
  'Deltagare kvinnor',
  'Deltagare män',
  'Deltagare totalt',
  'Anmärkning',
  // Budget columns (beviljade medel, utfall, eget kapital, administration) are added here when
  // the finance capability exists; Uppföljning Finsam asks for them per insats and year.
] as const;

export const NATIONAL_SUPPRESSED_NOTE = 'Små tal (1–4) och tal som skulle avslöja dem visas inte.';

export interface NationalRow {
  year: number;
  interventionId: string;
  name: string;
  direction: 'individual' | 'structural';
  plannedParticipants: number | null;
  women: number | null;
  men: number | null;
  total: number | null;
  suppressed: boolean;
}

interface CountRow {
  id: string;
  name: string;
  direction: 'individual' | 'structural';
  planned_participants: number | null;
  women: number;
  men: number;
}

/**
 * The insatser that belong in a year's export: those with participants in the year, and those
 * decided or running during the year (an insats only proposed or in preparation is not yet one).
 */
async function countsPerInsats(db: Kysely<DB>, associationId: string, year: number): Promise<CountRow[]> {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const r = await sql<CountRow>`
    WITH counts AS (
      SELECT p.intervention_id, pe.sex, count(DISTINCT p.person_id)::int AS n
      FROM participations p
      JOIN persons pe ON pe.association_id = p.association_id AND pe.id = p.person_id
      WHERE p.association_id = ${associationId}::uuid
        AND p.entry_date <= ${to}::date AND (p.exit_date IS NULL OR p.exit_date >= ${from}::date)
        AND p.exit_reason IS DISTINCT FROM 'registration_error'
      GROUP BY p.intervention_id, pe.sex
      UNION ALL
      SELECT a.intervention_id, a.sex, sum(a.count)::int
      FROM anonymous_participations a
      WHERE a.association_id = ${associationId}::uuid
        AND a.year <= ${year} AND coalesce(a.exit_year, a.year) >= ${year}
      GROUP BY a.intervention_id, a.sex
    )
    SELECT i.id, i.name, i.direction, i.planned_participants,
      coalesce(sum(c.n) FILTER (WHERE c.sex = 'kvinna'), 0)::int AS women,
      coalesce(sum(c.n) FILTER (WHERE c.sex = 'man'), 0)::int AS men
    FROM interventions i
    LEFT JOIN counts c ON c.intervention_id = i.id
    WHERE i.association_id = ${associationId}::uuid
    GROUP BY i.id, i.name, i.direction, i.planned_participants, i.status, i.start_date, i.end_date
    HAVING coalesce(sum(c.n), 0) > 0
      OR (i.status NOT IN ('proposal', 'preparation')
        AND (i.start_date IS NULL OR i.start_date <= ${to}::date)
        AND (i.end_date IS NULL OR i.end_date >= ${from}::date))
    ORDER BY lower(i.name), i.id`.execute(db);
  return r.rows;
}

/**
 * The export's rows with small-number protection: per insats, women + men = total is the only
 * published relation (there is no association total: a person in two insatser would be counted
 * twice), so each row is protected on its own.
 */
export async function nationalRows(db: Kysely<DB>, scope: Scope, year: number): Promise<NationalRow[]> {
  const rows = await countsPerInsats(db, scope.associationId, year);
  const values: number[] = [];
  const lines = rows.map((r) => {
    const base = values.length;
    values.push(r.women, r.men, r.women + r.men);
    return { parts: [base, base + 1], total: base + 2 };
  });
  const hidden = suppressCells(values, lines);
  return rows.map((r, i) => {
    const get = (k: number) => (hidden.has(3 * i + k) ? null : values[3 * i + k]!);
    const women = get(0);
    const men = get(1);
    const total = get(2);
    return {
      year,
      interventionId: r.id,
      name: r.name,
      direction: r.direction,
      plannedParticipants: r.planned_participants,
      women,
      men,
      total,
      suppressed: women === null || men === null || total === null,
    };
  });
}

function cells(r: NationalRow): (string | number | null)[] {
  return [
    r.year,
    r.name,
    DIRECTION_LABELS[r.direction],
    r.plannedParticipants,
    r.women,
    r.men,
    r.total,
    r.suppressed ? NATIONAL_SUPPRESSED_NOTE : '',
  ];
}

/** Excel would run a cell starting with =, +, - or @ as a formula (an insats name is free text). */
function csvSafe(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /^[=+\-@]/.test(s) ? `'${s}` : s;
}

export interface NationalFile {
  body: Buffer;
  fileName: string;
  contentType: string;
  rows: NationalRow[];
}

/** The export as `;`-separated UTF-8 with BOM (what Swedish Excel opens by double-click) or XLSX. */
export async function nationalExport(
  db: Kysely<DB>,
  scope: Scope,
  opts: { year: number; format: NationalFormat },
): Promise<NationalFile> {
  const rows = await nationalRows(db, scope, opts.year);
  const fileName = `uppfoljning-finsam-${scope.slug}-${opts.year}.${opts.format}`;
  if (opts.format === 'csv') {
    const out = stringify({ delimiter: ';', bom: true, record_delimiter: 'windows' });
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolve, reject) => {
      out.on('data', (c: Buffer | string) => chunks.push(Buffer.from(c)));
      out.on('end', resolve);
      out.on('error', reject);
    });
    Readable.from([[...NATIONAL_COLUMNS], ...rows.map((r) => cells(r).map(csvSafe))]).pipe(out);
    await done;
    return { body: Buffer.concat(chunks), fileName, contentType: 'text/csv; charset=utf-8', rows };
  }
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Samverka';
  wb.title = `Uppföljning Finsam ${opts.year}`;
  const ws = wb.addWorksheet('Deltagare per insats');
  const head = ws.addRow([...NATIONAL_COLUMNS]);
  head.font = { bold: true };
  for (const r of rows) {
    const row = ws.addRow(cells(r));
    for (const [col, v] of [
      [4, r.plannedParticipants],
      [5, r.women],
      [6, r.men],
      [7, r.total],
    ] as const) {
      // A styled cell is written even when empty, so the note survives.
      row.getCell(col).numFmt = '#,##0';
      if (v === null && col > 4) row.getCell(col).note = NATIONAL_SUPPRESSED_NOTE;
    }
  }
  ws.columns.forEach((c, i) => (c.width = i === 1 ? 40 : i === 7 ? 50 : 16));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const about = wb.addWorksheet('Om exporten');
  about.getColumn(1).width = 26;
  about.getColumn(2).width = 100;
  for (const [k, v] of [
    ['År', String(opts.year)],
    [
      'Deltagare',
      'Identifierade personer med ett deltagande i insatsen som överlappar året (en person räknas en gång per insats), plus anonyma deltagare vars år omfattar året. Felregistreringar ingår inte.',
    ],
    ['Inriktning', 'Individinriktad eller strukturövergripande insats.'],
    ['Planerat antal deltagare', 'Från insatsens beslut; tom när den inte är känd.'],
    ['Skydd av små tal', NATIONAL_SUPPRESSED_NOTE],
    ['Budget', 'Budgetkolumnerna läggs till när ekonomidelen finns i Samverka.'],
  ])
    about.addRow([k, v]).getCell(2).alignment = { wrapText: true };
  return {
    body: Buffer.from(await wb.xlsx.writeBuffer()),
    fileName,
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    rows,
  };
}
