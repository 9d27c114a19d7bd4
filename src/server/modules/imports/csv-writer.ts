/**
 * The export's CSV, written without a per-record transform stream: `;`-separated UTF-8 with BOM
 * and CRLF, what Swedish Excel opens correctly by double-click. The bytes are exactly what
 * csv-stringify writes with `{ delimiter: ';', bom: true, record_delimiter: 'windows',
 * quoted_match: /^\s|\s$|[\r\n]/ }` (export-writers.test.ts compares the two): a field is quoted
 * when it holds a `"`, a `;`, a CR or an LF, or starts or ends with white space; a `"` is doubled.
 * (csv-stringify by itself quotes only its record delimiter, CRLF: a lone LF inside a field would
 * split the row for every reader, the import included.)
 *
 * At a million rows the stringifier's per-record work (a transform per record, options per field)
 * cost more than everything else in the export together; here a page of rows is one string.
 */
import { Readable } from 'node:stream';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/**
 * Characters per chunk written. Small enough that the strings stay in V8's young generation
 * (a page-sized string goes to the large-object space, which is collected late and lets the heap
 * grow by tens of megabytes), large enough that per-chunk overhead does not count.
 */
const CHUNK = 32 * 1024;
const NEEDS_QUOTES = /[";\r\n]|^\s|\s$/;

/** One field as it appears in the file. */
export function csvField(value: string): string {
  if (value === '' || !NEEDS_QUOTES.test(value)) return value;
  return `"${value.replaceAll('"', '""')}"`;
}

/** One record, with its CRLF terminator. */
export function csvRecord(cells: readonly string[]): string {
  let line = csvField(cells[0] ?? '');
  for (let i = 1; i < cells.length; i++) line += ';' + csvField(cells[i]!);
  return line + '\r\n';
}

/**
 * The file as a byte stream: the header, then every page of records. Pages are pulled only as
 * fast as the reader takes the bytes (backpressure), so memory holds a page or two.
 */
export function csvStream(headers: readonly string[], pages: AsyncIterable<string[][]>): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.concat([BOM, Buffer.from(csvRecord(headers))]);
      let text = '';
      for await (const page of pages) {
        for (const cells of page) {
          text += csvRecord(cells);
          if (text.length >= CHUNK) {
            yield Buffer.from(text);
            text = '';
          }
        }
      }
      if (text) yield Buffer.from(text);
    })(),
    { objectMode: false },
  );
}
