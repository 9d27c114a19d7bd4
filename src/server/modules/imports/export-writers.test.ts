/**
 * The export's CSV and XLSX writers against the libraries they replace: the CSV bytes equal
 * csv-stringify's with the export's options, and the worksheet XML equals exceljs's streaming
 * writer's, for any cell text. The XLSX package is checked as a ZIP (every CRC and size), read
 * back with the import's own reader, and both writers pull rows only as the reader takes bytes.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { csvField, csvStream } from './csv-writer.js';
import { columnName, xlsxStream, type SheetSpec } from './xlsx-writer.js';
import { readSheet } from './parse.js';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts);
}

async function* pagesOf(rows: string[][], size: number): AsyncGenerator<string[][]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/**
 * What the export wrote before: csv-stringify with these options, and a field holding a lone line
 * break quoted too (csv-stringify quotes only the record delimiter, CRLF; an unquoted LF broke the
 * file's rows for every reader).
 */
function csvStringify(headers: string[], rows: string[][]): Promise<Buffer> {
  const out = stringify({
    delimiter: ';',
    bom: true,
    record_delimiter: 'windows',
    quoted_match: /^\s|\s$|[\r\n]/,
  });
  return bytesOf(Readable.from([headers, ...rows]).pipe(out));
}

/** What the export wrote before: exceljs's streaming writer with these options. */
async function exceljsXlsx(spec: SheetSpec, rows: string[][]): Promise<Buffer> {
  const out = new PassThrough();
  const done = bytesOf(out);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const ws = wb.addWorksheet(spec.name);
  ws.columns = spec.headers.map((h, i) => ({
    header: h,
    key: h,
    width: spec.widths[i],
    style: { numFmt: '@' },
  }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  for (const r of rows) ws.addRow(r).commit();
  ws.commit();
  await wb.commit();
  return done;
}

/** The parts of a ZIP, by name, read through its central directory; every size and CRC is checked. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd).toBe(zip.length - 22);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  expect(p + zip.readUInt32LE(eocd + 12)).toBe(eocd);
  const parts = new Map<string, Buffer>();
  for (let k = 0; k < count; k++) {
    expect(zip.readUInt32LE(p)).toBe(0x02014b50);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressed = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const skip = nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    const offset = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    expect(zip.readUInt32LE(offset)).toBe(0x04034b50);
    expect(zip.toString('utf8', offset + 30, offset + 30 + zip.readUInt16LE(offset + 26))).toBe(name);
    const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const data = zip.subarray(start, start + compressed);
    const raw = method === 8 ? inflateRawSync(data) : data;
    expect(raw.length, name).toBe(size);
    expect(crc32(raw), name).toBe(crc);
    if (zip.readUInt16LE(offset + 6) & 0x0008) {
      // The data descriptor after the data repeats CRC and sizes.
      expect(zip.readUInt32LE(start + compressed)).toBe(0x08074b50);
      expect(zip.readUInt32LE(start + compressed + 4)).toBe(crc);
      expect(zip.readUInt32LE(start + compressed + 8)).toBe(compressed);
      expect(zip.readUInt32LE(start + compressed + 12)).toBe(size);
    }
    parts.set(name, raw);
    p += 46 + skip;
  }
  return parts;
}

const SPECIAL = [
  '',
  ' ',
  '\t',
  '\u00a0',
  ';',
  '"',
  "'",
  '\r',
  '\n',
  '\r\n',
  '<',
  '>',
  '&',
  '=',
  '-',
  '\u0001',
  '\u007f',
];
/** Text with every character that needs quoting, escaping or dropping, among ordinary ones. */
const cellText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...SPECIAL, 'a', 'Ö', 'ä', '1', '|', ':') }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(...SPECIAL),
);
const table = fc.integer({ min: 1, max: 5 }).chain((width) =>
  fc.record({
    headers: fc.array(cellText, { minLength: width, maxLength: width }),
    rows: fc.array(fc.array(cellText, { minLength: width, maxLength: width }), { maxLength: 12 }),
    pageSize: fc.integer({ min: 1, max: 5 }),
  }),
);

describe('CSV writer', () => {
  it('writes exactly what csv-stringify wrote with the export options, for any text', async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ headers, rows, pageSize }) => {
        const ours = await bytesOf(csvStream(headers, pagesOf(rows, pageSize)));
        expect(ours.equals(await csvStringify(headers, rows))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('quotes only what needs quotes, line breaks of every kind included', () => {
    expect(
      ['a', '', "'=1", 'x;y', 'say "hi"', ' lead', 'trail\t', 'a\r\nb', 'a\nb', 'a\rb'].map(csvField),
    ).toEqual([
      'a',
      '',
      "'=1",
      '"x;y"',
      '"say ""hi"""',
      '" lead"',
      '"trail\t"',
      '"a\r\nb"',
      '"a\nb"',
      '"a\rb"',
    ]);
  });
});

describe('XLSX writer', () => {
  const spec = (headers: string[]): SheetSpec => ({
    name: 'Deltagare',
    headers,
    widths: headers.map((h) => Math.max(12, h.length + 2)),
  });

  it('writes the same worksheet XML as exceljs, in a valid ZIP, for any text', async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ headers, rows, pageSize }) => {
        const ours = unzip(await bytesOf(xlsxStream(spec(headers), pagesOf(rows, pageSize))));
        const theirs = unzip(await exceljsXlsx(spec(headers), rows));
        const sheet = 'xl/worksheets/sheet1.xml';
        expect(ours.get(sheet)!.toString('utf8')).toBe(theirs.get(sheet)!.toString('utf8'));
        for (const part of [
          '[Content_Types].xml',
          '_rels/.rels',
          'xl/workbook.xml',
          'xl/_rels/workbook.xml.rels',
          'xl/styles.xml',
        ])
          expect(ours.has(part), part).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('reads back through the import with every cell as text, across pages', async () => {
    const headers = ['insats', 'personnummer', 'startdatum', 'målgrupp'];
    const rows = Array.from({ length: 250 }, (_, i) => [
      i % 2 ? 'Ask & <Björk>' : 'Ceder',
      `19900101-${String(i).padStart(4, '0')}`,
      '2024-03-01',
      i % 3 ? '' : `Unga "16–29"|Långvarigt ${i}`,
    ]);
    const file = await bytesOf(xlsxStream(spec(headers), pagesOf(rows, 7)));
    const sheet = readSheet(file);
    expect(sheet.format).toBe('xlsx');
    const read: string[][] = [];
    for await (const r of sheet.rows) read.push(r.cells);
    expect(read[0]).toEqual(headers);
    expect(read.slice(1)).toEqual(rows);
  });

  it('names columns as Excel does', () => {
    expect([0, 17, 25, 26, 51, 52, 701, 702].map(columnName)).toEqual([
      'A',
      'R',
      'Z',
      'AA',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
  });
});

describe('backpressure and early close', () => {
  const spec = (headers: string[]): SheetSpec => ({
    name: 'Deltagare',
    headers,
    widths: headers.map(() => 12),
  });
  for (const format of ['csv', 'xlsx'] as const) {
    it(`${format}: pulls pages only as the reader takes bytes, and closes the source when the reader stops`, async () => {
      let pulled = 0;
      let closed = false;
      async function* pages(): AsyncGenerator<string[][]> {
        try {
          for (let i = 0; i < 5000; i++) {
            pulled++;
            // Incompressible, so the deflate stream cannot swallow everything either.
            yield [[String(i), randomBytes(600).toString('base64')]];
          }
        } finally {
          closed = true;
        }
      }
      const stream =
        format === 'csv' ? csvStream(['a', 'b'], pages()) : xlsxStream(spec(['a', 'b']), pages());
      const reader = stream[Symbol.asyncIterator]();
      // Read until rows arrive (the XLSX begins with its small parts), then stop reading.
      for (let chunks = 0; pulled === 0 && chunks < 20; chunks++) await reader.next();
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A few buffers' worth (16 KiB each) has been produced, not the 4 MB the source can give.
      expect(pulled).toBeGreaterThan(0);
      expect(pulled).toBeLessThan(200);
      await reader.return!();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(closed).toBe(true);
      expect(pulled).toBeLessThan(200);
    });
  }
});
