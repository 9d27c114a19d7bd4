/**
 * Reading an uploaded spreadsheet into rows of strings: CSV (`;`, `,` or tab; UTF-8 with or
 * without BOM, or Windows-1252 as Swedish Excel saves it) or XLSX (the first sheet, streamed).
 * Rows are numbered as the spreadsheet shows them (the header is row 1), so every error can name
 * the row the user sees.
 */
import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { parse as parseCsv, CsvError } from 'csv-parse';
import { AppError } from '../../errors.js';

export type SheetFormat = 'csv' | 'xlsx';

export interface SheetRow {
  /** 1-based row number as the spreadsheet shows it. */
  row: number;
  cells: string[];
}

export interface Sheet {
  format: SheetFormat;
  /** Windows-1252 or UTF-8 (CSV only). */
  encoding: 'utf-8' | 'windows-1252' | null;
  rows: AsyncIterable<SheetRow>;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

function unreadable(message: string): AppError {
  return AppError.field('file', 'unreadable_file', message);
}

/** Recognises the format by content, never by file name or content type. */
export function detectFormat(bytes: Buffer): SheetFormat {
  if (bytes.length === 0) throw AppError.field('file', 'empty_file', 'Filen är tom');
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx';
  if (bytes.subarray(0, 4).equals(OLE_MAGIC))
    throw unreadable('Det gamla Excel-formatet (.xls) stöds inte. Spara filen som .xlsx eller CSV.');
  // Text never contains NUL bytes; a binary file that is not XLSX is refused rather than misread.
  if (bytes.subarray(0, 4096).includes(0)) throw unreadable('Filen är varken CSV eller Excel (.xlsx)');
  return 'csv';
}

/**
 * UTF-8 if the bytes are valid UTF-8, else Windows-1252 (what Swedish Excel writes as "CSV").
 * Valid UTF-8 stays bytes: the parser decodes field by field, so a 50 MB file is never held as
 * one string as well.
 */
export function decodeText(bytes: Buffer): { input: Buffer | string; encoding: 'utf-8' | 'windows-1252' } {
  if (isUtf8(bytes)) return { input: bytes, encoding: 'utf-8' };
  return { input: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
}

/** The delimiter used most often in the first line outside quotes: `;` (Swedish Excel), `,` or tab. */
export function detectDelimiter(firstLine: string): string {
  const counts = new Map<string, number>([
    [';', 0],
    [',', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ';';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

function* chunks(input: Buffer | string, size: number) {
  for (let i = 0; i < input.length; i += size) yield input.slice(i, i + size);
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

async function* csvRows(input: Buffer | string): AsyncGenerator<SheetRow> {
  let body = input;
  if (Buffer.isBuffer(body) && body.subarray(0, 3).equals(UTF8_BOM)) body = body.subarray(3);
  if (typeof body === 'string' && body.startsWith('\uFEFF')) body = body.slice(1);
  const head = (
    Buffer.isBuffer(body) ? body.subarray(0, 64 * 1024).toString('utf8') : body.slice(0, 64 * 1024)
  ).split(/\r?\n/, 2);
  let delimiter: string;
  // Excel's own hint line `sep=;` names the delimiter and is not a row.
  const sep = /^sep=(.)$/i.exec(head[0] ?? '');
  if (sep) {
    delimiter = sep[1]!;
    const skip =
      /^sep=.\r?\n/i.exec(
        Buffer.isBuffer(body) ? body.subarray(0, 8).toString('utf8') : body.slice(0, 8),
      )?.[0].length ?? 0;
    body = Buffer.isBuffer(body) ? body.subarray(skip) : body.slice(skip);
  } else delimiter = detectDelimiter(head[0] ?? '');
  const parser = parseCsv({
    delimiter,
    relax_column_count: true,
    skip_empty_lines: false,
    // A stray quote inside a field (`Projekt "Nystart"`) is kept as text, as Excel reads it.
    relax_quotes: true,
  });
  Readable.from(chunks(body, 1 << 20)).pipe(parser);
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      yield { row, cells: record };
    }
  } catch (err) {
    if (err instanceof CsvError)
      throw unreadable(`CSV-filen kunde inte läsas efter rad ${row}: ${csvReason(err)}`);
    throw err;
  }
}

function csvReason(err: CsvError): string {
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') return 'ett citattecken stängs aldrig';
  return err.message;
}

/** An XLSX cell value → the text a user sees; dates become `YYYY-MM-DD`. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)));
  if (typeof v === 'boolean') return v ? 'ja' : 'nej';
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return '';
    const iso = v.toISOString();
    // Excel stores a date as a day number; exceljs turns it into UTC midnight.
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if ('result' in o) return cellText(o.result);
    if (o.text !== undefined) return cellText(o.text);
    if (o.error) return o.error;
  }
  return String(v);
}

async function* xlsxRows(bytes: Buffer): AsyncGenerator<SheetRow> {
  // Loaded on demand: exceljs is large and most imports are CSV.
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to recognise date cells
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let sheets = 0;
  try {
    for await (const sheet of reader) {
      sheets++;
      for await (const r of sheet) {
        const values = Array.isArray(r.values) ? (r.values as unknown[]) : [];
        // exceljs rows are 1-based: values[0] is always empty.
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        yield { row: r.number, cells };
      }
      break; // the first sheet only; others may hold instructions
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unreadable(
      `Excel-filen kunde inte läsas (${(err as Error).message || 'okänt fel'}). Spara den på nytt som .xlsx.`,
    );
  }
  if (sheets === 0) throw unreadable('Excel-filen har inget kalkylblad');
}

/** Opens an uploaded file. Reading errors surface while iterating `rows`, as AppErrors (400). */
export function readSheet(bytes: Buffer): Sheet {
  const format = detectFormat(bytes);
  if (format === 'xlsx') return { format, encoding: null, rows: xlsxRows(bytes) };
  const { input, encoding } = decodeText(bytes);
  return { format, encoding, rows: csvRows(input) };
}
