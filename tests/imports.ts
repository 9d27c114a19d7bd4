/**
 * Pieces of the import suites: synthetic people, spreadsheet files written by hand (CSV in any
 * delimiter and encoding, XLSX through exceljs), the upload request and row counts of every
 * register table.
 */
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import ExcelJS from 'exceljs';
import { syntheticPersonnummer } from '../src/server/db/seed/demo-participants.js';
import { HEADERS } from '../src/server/modules/imports/columns.js';
import type { ApiClient, TestApp } from './helpers.js';

export type Sex = 'kvinna' | 'man';
export type Row = Partial<Record<(typeof HEADERS)[number], string>>;

let next = 0;
/** A synthetic personnummer (serials 980–999, valid check digit) that no earlier call returned. */
export function person(sex: Sex = 'kvinna', fromYear = 1970): string {
  const k = next++;
  const birth = new Date(Date.UTC(fromYear + Math.floor(k / 3650), 0, 1 + (k % 365)))
    .toISOString()
    .slice(0, 10);
  const digits = syntheticPersonnummer(birth, 2 * Math.floor((k % 3650) / 365), sex);
  return `${digits.slice(0, 8)}-${digits.slice(8)}`;
}

/** A field needs quotes when it holds the delimiter, a quote or a line break. */
function field(v: string, delimiter: string): string {
  return v.includes(delimiter) || /["\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A CSV text with the given headers (default: all, in the template's order). */
export function csv(
  rows: (Row | Record<string, string>)[],
  opts: { delimiter?: string; headers?: string[]; eol?: string } = {},
): string {
  const d = opts.delimiter ?? ';';
  const headers = opts.headers ?? HEADERS;
  const eol = opts.eol ?? '\r\n';
  const lines = [headers.map((h) => field(h, d)).join(d)];
  for (const r of rows) {
    const values = r as Record<string, string | undefined>;
    lines.push(headers.map((h) => field(values[h.toLowerCase()] ?? values[h] ?? '', d)).join(d));
  }
  return lines.join(eol) + eol;
}

/** Windows-1252 bytes; every character used in the tests is in Latin-1, where both agree. */
export function windows1252(text: string): Buffer {
  if (/[^\x20-\xff\t\r\n]/.test(text)) throw new Error('not representable in Windows-1252');
  return Buffer.from(text, 'latin1');
}

/** An XLSX workbook whose first sheet holds `cells` (values as exceljs takes them). */
export async function xlsx(cells: unknown[][], extraSheet = true): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Deltagare');
  for (const r of cells) ws.addRow(r);
  if (extraSheet) wb.addWorksheet('Annat').addRow(['insats', 'ska inte läsas']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface ImportQuery {
  fileName?: string;
  dryRun?: boolean;
  force?: boolean;
  contentType?: string;
}

export function upload(
  client: ApiClient,
  slug: string,
  body: Buffer | string,
  q: ImportQuery = {},
): Promise<LightMyRequestResponse> {
  const params = new URLSearchParams({ fileName: q.fileName ?? 'deltagare.csv' });
  if (q.dryRun) params.set('dryRun', 'true');
  if (q.force) params.set('force', 'true');
  return client.request({
    method: 'POST',
    url: `/api/associations/${slug}/imports?${params}`,
    payload: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    headers: { 'content-type': q.contentType ?? 'text/csv' },
  });
}

export const REGISTER_TABLES = [
  'persons',
  'participations',
  'participation_income',
  'participation_target_groups',
  'anonymous_participations',
  'import_batches',
  'audit_log',
] as const;

/** Row counts of the register tables (all associations). */
export async function registerCounts(t: TestApp): Promise<Record<(typeof REGISTER_TABLES)[number], number>> {
  const out = {} as Record<(typeof REGISTER_TABLES)[number], number>;
  for (const table of REGISTER_TABLES) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(
      t.database.db,
    );
    out[table] = rows[0]!.n;
  }
  return out;
}
