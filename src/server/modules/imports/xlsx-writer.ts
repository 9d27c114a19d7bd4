/**
 * A streaming XLSX writer for one sheet of text cells: the participant export at a million rows.
 *
 * exceljs's streaming writer builds a row object, a cell object and a style lookup per cell and
 * renders them through its XML stream: over 100 µs per 17-column row, minutes for the
 * export's million rows. This writer renders the same worksheet XML as exceljs does for these
 * rows (`<c r="A2" s="1" t="str"><v>…</v></c>`, the same escaping, column widths and text
 * format; export-writers.test.ts compares the two byte for byte) as plain strings, in chunks of
 * rows, and deflates it on the thread pool while the next rows are produced.
 *
 * The package is a ZIP written in one pass: the small parts first, deflated in memory; the sheet
 * last, streamed, with its CRC and sizes in a data descriptor after the data (general purpose
 * flag bit 3), then the central directory. ZIP64 is not written: a sheet over 4 GiB of XML (about
 * four million rows, four times what Excel can open) fails the stream instead of writing a
 * corrupt file.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

export interface SheetSpec {
  /** The sheet's name as Excel shows it on its tab. */
  name: string;
  /** Row 1, in bold. */
  headers: readonly string[];
  /** Column widths in characters, one per header. */
  widths: readonly number[];
}

// ---------- XML ----------

// exceljs's xmlEncode: the five entities, and control characters XML cannot carry are dropped.
// eslint-disable-next-line no-control-regex
const XML_SPECIAL = /[<>&'"\x7F\x00-\x08\x0B\x0C\x0E-\x1F]/;
// eslint-disable-next-line no-control-regex
const XML_SPECIAL_ALL = /[<>&'"\x7F\x00-\x08\x0B\x0C\x0E-\x1F]/g;
const ENTITIES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  "'": '&apos;',
  '"': '&quot;',
};

export function xmlText(value: string): string {
  if (!XML_SPECIAL.test(value)) return value;
  return value.replace(XML_SPECIAL_ALL, (c) => ENTITIES[c] ?? '');
}

/** 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let n = index + 1;
  let name = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    name = String.fromCharCode(65 + r) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

/** Style ids (cellXfs): 1 = text format (numFmt 49, "@"), 2 = bold, 3 = bold text. As exceljs numbers them. */
const STYLES =
  XML_HEAD +
  `<styleSheet xmlns="${NS_MAIN}">` +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '<dxfs count="0"/><tableStyles count="0"/></styleSheet>';

function staticParts(sheetName: string, now: Date): [string, string][] {
  const name = xmlText(sheetName);
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return [
    [
      '[Content_Types].xml',
      XML_HEAD +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>' +
        '</Types>',
    ],
    [
      '_rels/.rels',
      XML_HEAD +
        `<Relationships xmlns="${NS_PKG_REL}">` +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>' +
        '</Relationships>',
    ],
    [
      'docProps/app.xml',
      XML_HEAD +
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">' +
        '<Application>Samverka</Application>' +
        '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>' +
        `<TitlesOfParts><vt:vector size="1" baseType="lpstr"><vt:lpstr>${name}</vt:lpstr></vt:vector></TitlesOfParts>` +
        '</Properties>',
    ],
    [
      'docProps/core.xml',
      XML_HEAD +
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        '<dc:creator>Samverka</dc:creator>' +
        `<dcterms:created xsi:type="dcterms:W3CDTF">${stamp}</dcterms:created>` +
        `<dcterms:modified xsi:type="dcterms:W3CDTF">${stamp}</dcterms:modified>` +
        '</cp:coreProperties>',
    ],
    [
      'xl/workbook.xml',
      XML_HEAD +
        `<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
        `<sheets><sheet name="${name}" sheetId="1" r:id="rId2"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      XML_HEAD +
        `<Relationships xmlns="${NS_PKG_REL}">` +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
        '</Relationships>',
    ],
    ['xl/styles.xml', STYLES],
  ];
}

/** The worksheet XML, as exceljs's WorksheetWriter writes it for text cells with a text format. */
export class SheetXml {
  private readonly refs: string[];
  private readonly spans: string;
  private row = 1;

  constructor(private readonly spec: SheetSpec) {
    this.refs = spec.headers.map((_, i) => columnName(i));
    this.spans = `1:${spec.headers.length}`;
  }

  /** Everything up to and including row 1 (the bold header). */
  start(): string {
    // Adjacent columns of the same width are one <col> range, as exceljs writes them.
    const ranges: { min: number; max: number; width: number }[] = [];
    this.spec.widths.forEach((width, i) => {
      const last = ranges[ranges.length - 1];
      if (last && last.width === width) last.max = i + 1;
      else ranges.push({ min: i + 1, max: i + 1, width });
    });
    const cols = ranges
      .map((c) => `<col min="${c.min}" max="${c.max}" width="${c.width}" style="1" customWidth="1"/>`)
      .join('');
    let header = `<row r="1" spans="${this.spans}" s="2" customFormat="1" x14ac:dyDescent="0.25">`;
    this.spec.headers.forEach((h, i) => {
      header += `<c r="${this.refs[i]}1" s="3" t="str"><v>${xmlText(h)}</v></c>`;
    });
    return (
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      `<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">` +
      '<sheetFormatPr defaultRowHeight="15" outlineLevelRow="0" outlineLevelCol="0" x14ac:dyDescent="55"/>' +
      `<cols>${cols}</cols><sheetData>${header}</row>`
    );
  }

  /** The next data row; every cell is text (never a number or a date). */
  dataRow(cells: readonly string[]): string {
    const r = ++this.row;
    let xml = `<row r="${r}" spans="${this.spans}" x14ac:dyDescent="0.25">`;
    for (let i = 0; i < this.refs.length; i++)
      xml += `<c r="${this.refs[i]}${r}" s="1" t="str"><v>${xmlText(cells[i] ?? '')}</v></c>`;
    return xml + '</row>';
  }

  end(): string {
    return (
      '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>' +
      '<pageSetup orientation="portrait" horizontalDpi="4294967295" verticalDpi="4294967295" scale="100" fitToWidth="1" fitToHeight="1"/>' +
      '</worksheet>'
    );
  }
}

// ---------- ZIP ----------

const U32 = 0xffffffff;
/** Characters of XML per chunk: small strings stay in V8's young generation (see csv-writer.ts). */
const CHUNK = 32 * 1024;

interface CentralEntry {
  name: Buffer;
  flags: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** MS-DOS time and date of `d` (local time, two-second resolution), as ZIP stores them. */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

class ZipWriter {
  private readonly entries: CentralEntry[] = [];
  private readonly stamp: { time: number; date: number };
  /** Bytes handed out so far: the offset of the next local header. */
  offset = 0;

  constructor(now: Date) {
    this.stamp = dosDateTime(now);
  }

  private localHeader(e: Omit<CentralEntry, 'offset'>): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    h.writeUInt16LE(e.flags, 6);
    h.writeUInt16LE(8, 8); // deflate
    h.writeUInt16LE(this.stamp.time, 10);
    h.writeUInt16LE(this.stamp.date, 12);
    h.writeUInt32LE(e.crc, 14);
    h.writeUInt32LE(e.compressed, 18);
    h.writeUInt32LE(e.size, 22);
    h.writeUInt16LE(e.name.length, 26);
    h.writeUInt16LE(0, 28);
    return Buffer.concat([h, e.name]);
  }

  private out(b: Buffer): Buffer {
    this.offset += b.length;
    return b;
  }

  /** A small part, deflated in memory, with its sizes in the local header. */
  file(name: string, text: string): Buffer {
    const data = Buffer.from(text, 'utf8');
    const body = deflateRawSync(data);
    const e = {
      name: Buffer.from(name),
      flags: 0,
      crc: crc32(data),
      compressed: body.length,
      size: data.length,
    };
    this.entries.push({ ...e, offset: this.offset });
    return this.out(Buffer.concat([this.localHeader(e), body]));
  }

  /** A large part, deflated as it is produced (on the thread pool); CRC and sizes follow the data. */
  async *stream(name: string, chunks: AsyncIterable<string>, level: number): AsyncGenerator<Buffer> {
    const entry: CentralEntry = {
      name: Buffer.from(name),
      flags: 0x0008,
      crc: 0,
      compressed: 0,
      size: 0,
      offset: this.offset,
    };
    yield this.out(this.localHeader(entry));
    const deflate = createDeflateRaw({ level });
    const source = Readable.from(
      (async function* () {
        for await (const text of chunks) {
          const b = Buffer.from(text, 'utf8');
          entry.crc = crc32(b, entry.crc);
          entry.size += b.length;
          if (entry.size > U32)
            throw new Error('The sheet exceeds 4 GiB of XML, more than an XLSX without ZIP64 can hold');
          yield b;
        }
      })(),
      { objectMode: false },
    );
    const piped = pipeline(source, deflate);
    // A failure is raised by the loop below (the deflate stream errors too) or by the await after it.
    piped.catch(() => undefined);
    for await (const out of deflate as AsyncIterable<Buffer>) {
      entry.compressed += out.length;
      yield this.out(out);
    }
    await piped;
    if (entry.compressed > U32 || this.offset > U32)
      throw new Error('The file exceeds 4 GiB, more than an XLSX without ZIP64 can hold');
    const dd = Buffer.alloc(16);
    dd.writeUInt32LE(0x08074b50, 0);
    dd.writeUInt32LE(entry.crc, 4);
    dd.writeUInt32LE(entry.compressed, 8);
    dd.writeUInt32LE(entry.size, 12);
    this.entries.push(entry);
    yield this.out(dd);
  }

  /** The central directory and its end record. */
  finish(): Buffer {
    const start = this.offset;
    const parts: Buffer[] = [];
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4); // made by: 2.0, MS-DOS attributes
      h.writeUInt16LE(20, 6);
      h.writeUInt16LE(e.flags, 8);
      h.writeUInt16LE(8, 10);
      h.writeUInt16LE(this.stamp.time, 12);
      h.writeUInt16LE(this.stamp.date, 14);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      // extra, comment, disk, internal and external attributes: 0
      h.writeUInt32LE(e.offset, 42);
      parts.push(h, e.name);
    }
    const dir = Buffer.concat(parts);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(dir.length, 12);
    end.writeUInt32LE(start, 16);
    return this.out(Buffer.concat([dir, end]));
  }
}

/**
 * The workbook as a byte stream. Pages of rows are pulled only as fast as the reader takes the
 * compressed bytes (backpressure through the deflate stream), so memory holds a page or two.
 * `level` is the deflate level: 3 (the default) writes about 15 % more bytes than 6 for a third of
 * the CPU.
 */
export function xlsxStream(
  spec: SheetSpec,
  pages: AsyncIterable<string[][]>,
  opts: { level?: number; now?: Date } = {},
): Readable {
  const now = opts.now ?? new Date();
  return Readable.from(
    (async function* () {
      const zip = new ZipWriter(now);
      for (const [name, text] of staticParts(spec.name, now)) yield zip.file(name, text);
      const sheet = new SheetXml(spec);
      yield* zip.stream(
        'xl/worksheets/sheet1.xml',
        (async function* () {
          yield sheet.start();
          let xml = '';
          for await (const page of pages) {
            for (const cells of page) {
              xml += sheet.dataRow(cells);
              if (xml.length >= CHUNK) {
                yield xml;
                xml = '';
              }
            }
          }
          yield xml + sheet.end();
        })(),
        opts.level ?? 3,
      );
      yield zip.finish();
    })(),
    { objectMode: false },
  );
}
