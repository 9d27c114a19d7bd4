/**
 * The report as an XLSX workbook: one sheet per table group (Nyckeltal, Per kön, Försörjning, Tid
 * i insats, the breakdown) and "Om rapporten" with period, selection, protection and the analysis.
 * Numbers are numbers (shares are fractions with a per cent format), so they can be computed on;
 * a suppressed value is an empty cell with a note saying why.
 */
import type { Worksheet } from 'exceljs';
import { formatDate, formatPeriod } from './format.js';
import {
  anyNotApplicable,
  anySuppressed,
  DEFINITIONS,
  NOT_APPLICABLE_FOOTNOTE,
  protectionNote,
  reportSheets,
  SUPPRESSED_FOOTNOTE,
  type ReportDocument,
  type Table,
  type Value,
} from './tables.js';

export const SUPPRESSED_NOTE = 'Visas inte: litet tal (1–4) eller ett tal som skulle avslöja ett sådant.';
export const NOT_APPLICABLE_NOTE = 'Ej tillämpligt.';
const NUMBER_FORMATS: Record<Value['kind'], string> = { count: '#,##0', share: '0%', days: '#,##0' };
const HEAD_FILL = { type: 'pattern' as const, pattern: 'solid' as const, fgColor: { argb: 'FFEEF2F7' } };

function writeTable(ws: Worksheet, t: Table) {
  ws.addRow([t.title]).font = { bold: true, size: 12 };
  if (t.caption) ws.addRow([t.caption]).font = { italic: true };
  const head = ws.addRow(t.head);
  head.font = { bold: true };
  head.eachCell((c, i) => {
    c.fill = HEAD_FILL;
    c.alignment = { horizontal: i === 1 ? 'left' : 'right', wrapText: true };
  });
  for (const row of t.rows) {
    const r = ws.addRow(
      row.cells.map((c) =>
        typeof c === 'string' ? (row.level === 1 ? `   ${c}` : c) : c.state === 'ok' ? c.value : null,
      ),
    );
    if (row.strong) r.font = { bold: true };
    row.cells.forEach((c, i) => {
      if (typeof c === 'string') return;
      const cell = r.getCell(i + 1);
      cell.numFmt = NUMBER_FORMATS[c.kind];
      if (c.state === 'suppressed') cell.note = SUPPRESSED_NOTE;
      else if (c.state === 'na') cell.note = NOT_APPLICABLE_NOTE;
    });
  }
  ws.addRow([]);
}

/** Renders the report document as an XLSX workbook. */
export async function renderReportXlsx(doc: ReportDocument): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Samverka';
  wb.title = doc.title;
  wb.company = doc.associationName;
  wb.created = doc.generatedAt;
  const sheets = reportSheets(doc);
  for (const sheet of sheets) {
    const ws = wb.addWorksheet(sheet.name);
    ws.addRow([doc.title]).font = { bold: true, size: 14 };
    ws.addRow([`${doc.associationName} · ${formatPeriod(doc.period)} · ${doc.filterText}`]);
    ws.addRow([doc.figures.protected ? 'Små tal (1–4) visas inte.' : 'Små tal visas: sprid inte vidare.']);
    ws.addRow([]);
    for (const t of sheet.tables) writeTable(ws, t);
    const own = [sheet];
    if (anySuppressed(own)) ws.addRow([SUPPRESSED_FOOTNOTE]).font = { italic: true };
    if (anyNotApplicable(own)) ws.addRow([NOT_APPLICABLE_FOOTNOTE]).font = { italic: true };
    ws.getColumn(1).width = 46;
    const cols = Math.max(...sheet.tables.map((t) => t.head.length));
    for (let i = 2; i <= cols; i++) ws.getColumn(i).width = 18;
  }

  const about = wb.addWorksheet('Om rapporten');
  about.getColumn(1).width = 28;
  about.getColumn(2).width = 100;
  const status =
    doc.status === 'final'
      ? `Slutlig${doc.finalisedAt ? `, fastställd ${formatDate(doc.finalisedAt)}` : ''} (siffrorna är låsta)`
      : doc.status === 'draft'
        ? 'Utkast (siffrorna räknas fram när filen skapas)'
        : 'Aktuella siffror ur registret';
  const facts: [string, string][] = [
    ['Förbund', doc.associationName],
    ['Rapport', doc.title],
    ['Period', `${formatPeriod(doc.period)} (${doc.period.from} – ${doc.period.to})`],
    ['Urval', doc.filterText],
    ['Status', status],
    ['Skydd av små tal', protectionNote(doc.figures.protected)],
    ['Skapad', `${formatDate(doc.generatedAt.toISOString())} av Samverka`],
  ];
  about.addRow(['Om rapporten']).font = { bold: true, size: 14 };
  for (const [k, v] of facts) {
    const r = about.addRow([k, v]);
    r.getCell(1).font = { bold: true };
    r.getCell(2).alignment = { wrapText: true, vertical: 'top' };
  }
  if (doc.analysis !== null) {
    about.addRow([]);
    const r = about.addRow(['Analys och åtgärder', doc.analysis || 'Ingen analys har skrivits ännu.']);
    r.getCell(1).font = { bold: true };
    r.getCell(2).alignment = { wrapText: true, vertical: 'top' };
  }
  about.addRow([]);
  about.addRow(['Definitioner']).font = { bold: true };
  for (const [term, def] of DEFINITIONS) about.addRow([term, def]).getCell(2).alignment = { wrapText: true };
  about.addRow([]);
  about.addRow(['Teckenförklaring']).font = { bold: true };
  about.addRow(['Tom cell med kommentar', SUPPRESSED_NOTE]);
  about.addRow(['Andelar', 'Andelar är lagrade som tal mellan 0 och 1 och visas i procent.']);

  return Buffer.from(await wb.xlsx.writeBuffer());
}
