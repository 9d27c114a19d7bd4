/**
 * The report as a tagged PDF (PDF/UA-1) in Swedish, made server-side with pdfkit: title,
 * association, period, protection note, key figures, outcome by sex (bar chart with its table), the
 * income-source matrix, time in insats, the breakdown table, the analysis text and the definitions.
 *
 * Everything a reader needs is in the structure tree, in reading order: H1/H2/H3 headings, P
 * paragraphs, tables as Table/TR/TH/TD (column headers with Scope Column, row labels with Scope
 * Row), the definitions as a list (L/LI/Lbl/LBody), each chart as a Figure with alternative text
 * that states its values. Table rules and fills, header rows repeated on a new page and the page
 * footer are artifacts, so a screen reader neither reads them nor reads a header twice. The
 * document language is sv-SE and the title is shown in the viewer's title bar. See
 * docs/decisions/0010-report-files.md.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import type { Figures } from '../engine.js';
import {
  DAY_BAND_LABELS,
  formatCount,
  formatDate,
  formatPeriod,
  formatShare,
  NOT_APPLICABLE_MARK,
  SEX_LABELS,
  SUPPRESSED_MARK,
} from './format.js';
import {
  anyNotApplicable,
  anySuppressed,
  DEFINITIONS,
  figure,
  NOT_APPLICABLE_FOOTNOTE,
  protectionNote,
  reportSheets,
  SUPPRESSED_FOOTNOTE,
  type ReportDocument,
  type Table,
  type Value,
} from './tables.js';

type Doc = PDFKit.PDFDocument;
type Struct = PDFKit.PDFStructureElement;
type Child = PDFKit.PDFStructureElementChild;

/** Options of a structure element that pdfkit 0.19 has and its type definitions (0.17) lack. */
interface StructOptions {
  alt?: string;
  scope?: 'Row' | 'Column' | 'Both';
  /** Left, top, right, bottom in page coordinates from the top-left corner. */
  bbox?: [number, number, number, number];
  placement?: 'Block' | 'Inline';
  /** What assistive technology reads instead of the drawn text. */
  actual?: string;
}
const struct = (doc: Doc, type: string, options: StructOptions = {}, children?: Child | Child[]): Struct =>
  (doc.struct as (t: string, o: StructOptions, c?: Child | Child[]) => Struct)(type, options, children);

const require = createRequire(import.meta.url);
type FontName = 'Regular' | 'Medium' | 'Italic';
let fonts: Record<FontName, Buffer> | undefined;

/**
 * Roboto (Apache 2.0 / OFL), read once and embedded as a subset in every file: it has åäö, "–"
 * and the non-breaking spaces of sv-SE number formats.
 */
function robotoFonts(): Record<FontName, Buffer> {
  if (!fonts) {
    const dir = path.dirname(require.resolve('@expo-google-fonts/roboto/package.json'));
    const file = (name: string) => readFileSync(path.join(dir, name, `Roboto_${name}.ttf`));
    fonts = { Regular: file('400Regular'), Medium: file('500Medium'), Italic: file('400Regular_Italic') };
  }
  return fonts;
}
const font = (name: FontName) => `Roboto-${name}`;

let glyphs: Set<number> | undefined;
/** The code points that all three Roboto files can draw. */
function drawable(): Set<number> {
  if (!glyphs) {
    const sets = Object.values(robotoFonts()).map(
      (b) => new Set((fontkit.create(b) as fontkit.Font).characterSet),
    );
    glyphs = new Set([...sets[0]!].filter((cp) => sets.every((set) => set.has(cp))));
  }
  return glyphs;
}
const SUBSTITUTES: Record<string, string> = {
  '\u2192': '->',
  '\u2190': '<-',
  '\u21d2': '=>',
  '\u2713': 'x',
  '\u2714': 'x',
  '\u202f': '\u00a0',
};

/**
 * Text as the embedded font can draw it. A PDF/UA file may not show a glyph the font lacks
 * (".notdef"), and free text (an analysis, an insats name) can hold arrows, emoji or tabs:
 * spaces become a space, arrows and check marks a plain equivalent, a letter with an accent the
 * font lacks its base letter, invisible format characters nothing, anything else "?". Where the
 * text changes, the structure element carries the original as its ActualText, so a screen
 * reader still reads what was written.
 */
export function printable(text: string): string {
  const ok = drawable();
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0)!;
    if (ok.has(cp) || ch === '\n') out += ch;
    else if (SUBSTITUTES[ch] !== undefined) out += SUBSTITUTES[ch];
    else if (/\s/u.test(ch)) out += ' ';
    else if (/\p{Cf}/u.test(ch)) continue;
    else {
      const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += base && [...base].every((c) => ok.has(c.codePointAt(0)!)) ? base : '?';
    }
  }
  return out;
}

/** The structure options that keep the original text for assistive technology when it changed. */
const original = (text: string, shown: string): StructOptions => (text === shown ? {} : { actual: text });

const INK = '#1a1a1a';
const MUTED = '#454545';
const BAR = '#1d4f91';
const TRACK = '#e3e8ef';
const HEAD_FILL = '#eef2f7';
const RULE = '#8a8a8a';

const MARGIN = 56;
const FOOTER_SPACE = 24;

/** A figure as text: Swedish format, "–" when suppressed, "." when it does not apply. */
export function formatValue(v: Value): string {
  if (v.state === 'suppressed') return SUPPRESSED_MARK;
  if (v.value === null) return NOT_APPLICABLE_MARK;
  if (v.kind === 'share') return formatShare(v.value);
  return formatCount(v.value);
}

/** A figure as words, for a chart's alternative text (a screen reader says "–" badly). */
function spokenValue(v: Value): string {
  if (v.state === 'suppressed') return 'visas inte';
  if (v.value === null) return 'ej tillämpligt';
  return formatValue(v);
}

interface TextStyle {
  font: FontName;
  size: number;
  color: string;
  /** Space above and below, in points. */
  before: number;
  after: number;
}

const STYLES = {
  kicker: { font: 'Regular', size: 10, color: MUTED, before: 0, after: 2 },
  h1: { font: 'Medium', size: 20, color: INK, before: 0, after: 6 },
  h2: { font: 'Medium', size: 14, color: INK, before: 12, after: 4 },
  h3: { font: 'Medium', size: 11, color: INK, before: 4, after: 2 },
  lead: { font: 'Regular', size: 11, color: INK, before: 0, after: 6 },
  body: { font: 'Regular', size: 10, color: INK, before: 0, after: 6 },
  muted: { font: 'Italic', size: 10, color: MUTED, before: 0, after: 6 },
  caption: { font: 'Regular', size: 8.5, color: MUTED, before: 0, after: 3 },
} satisfies Record<string, TextStyle>;

/** A cell of a laid-out table: its text, and how it is drawn and tagged. */
interface LayoutCell {
  /** The text as drawn (see `printable`). */
  text: string;
  /** The text as written, when it differs from what is drawn. */
  actual?: string;
  align: 'left' | 'right';
  /** A row label (TH with Scope Row) rather than data (TD). */
  rowHeader: boolean;
  indent: number;
}
interface LayoutRow {
  cells: LayoutCell[];
  bold: boolean;
}
interface LayoutTable {
  /** The column headers, or null for a table of row labels and values only. */
  head: string[] | null;
  rows: LayoutRow[];
  widths: number[];
  /** Alignment of each column (its header follows it). */
  align: ('left' | 'right')[];
  fontSize: number;
  /** Rules and header fill (false for the plain table of document facts). */
  ruled: boolean;
}

/** Something that follows a heading: `keep` is the height that must stay on the heading's page. */
interface Block {
  keep: number;
  render(parent: Struct): void;
}

class ReportWriter {
  readonly left = MARGIN;
  readonly width: number;

  constructor(readonly doc: Doc) {
    this.width = doc.page.width - 2 * MARGIN;
  }

  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }
  get pageHeight(): number {
    return this.bottom - this.doc.page.margins.top;
  }
  atTop(): boolean {
    return this.doc.y <= this.doc.page.margins.top + 0.5;
  }

  /** Starts a new page unless `height` fits below the current position. */
  ensure(height: number): void {
    if (this.doc.y + height > this.bottom && !this.atTop()) this.doc.addPage();
  }

  use(style: TextStyle): void {
    this.doc.font(font(style.font)).fontSize(style.size).fillColor(style.color);
  }

  textHeight(text: string, style: TextStyle, width = this.width): number {
    this.use(style);
    return this.doc.heightOfString(printable(text), { width, lineGap: 1.5 });
  }

  /** Height of a heading or paragraph including its spacing. */
  blockHeight(text: string, style: TextStyle): number {
    return style.before + this.textHeight(text, style) + style.after;
  }

  /** A heading or paragraph as one structure element; long text flows onto the next page. */
  text(parent: Struct, type: string, text: string, style: TextStyle): void {
    if (!this.atTop()) this.doc.y += style.before;
    const shown = printable(text);
    parent.add(
      struct(this.doc, type, original(text, shown), () => {
        this.use(style);
        this.doc.text(shown, this.left, this.doc.y, { width: this.width, lineGap: 1.5 });
      }),
    );
    this.doc.y += style.after;
  }

  /** Draws outside the structure tree (rules, fills, repeated headers, page furniture). */
  artifact(draw: () => void, type: 'Layout' | 'Pagination' = 'Layout'): void {
    this.doc.markContent('Artifact', { type });
    draw();
    this.doc.endMarkedContent();
  }

  // --- Tables -------------------------------------------------------------------------------

  private static readonly PAD_X = 4;
  private static readonly PAD_Y = 3;

  private cellFont(bold: boolean, size: number): void {
    this.doc
      .font(font(bold ? 'Medium' : 'Regular'))
      .fontSize(size)
      .fillColor(INK);
  }

  private rowHeight(t: LayoutTable, texts: string[], bold: boolean, indents: number[] = []): number {
    this.cellFont(bold, t.fontSize);
    let h = 0;
    texts.forEach((text, i) => {
      const w = t.widths[i]! - 2 * ReportWriter.PAD_X - (indents[i] ?? 0);
      h = Math.max(h, this.doc.heightOfString(text, { width: w, lineGap: 1 }));
    });
    return h + 2 * ReportWriter.PAD_Y;
  }

  /** Row heights, measured once per table (keeping a block together and drawing it both need them). */
  private readonly heights = new WeakMap<LayoutTable, { head: number; rows: number[] }>();
  private measured(t: LayoutTable): { head: number; rows: number[] } {
    let m = this.heights.get(t);
    if (!m) {
      const head = t.head ? this.rowHeight(t, t.head, true) : 0;
      // A row is never taller than a page below the header (its text is cut).
      const rows = t.rows.map((r) =>
        Math.min(
          this.rowHeight(
            t,
            r.cells.map((c) => c.text),
            r.bold,
            r.cells.map((c) => c.indent),
          ),
          this.pageHeight - head - 1,
        ),
      );
      m = { head, rows };
      this.heights.set(t, m);
    }
    return m;
  }
  private headHeight(t: LayoutTable): number {
    return this.measured(t).head;
  }

  /** The width a column needs for the longest word of `text`, with the cell padding. */
  widestWord(text: string, size: number, bold: boolean): number {
    const words = text.split(/\s+/).filter(Boolean);
    return Math.max(0, ...words.map((word) => this.textWidth(word, size, bold)));
  }

  /** The width a column needs for `text` on one line, with the cell padding (and the space the
   * line wrapper counts after a word). */
  textWidth(text: string, size: number, bold: boolean): number {
    this.cellFont(bold, size);
    return this.doc.widthOfString(`${text} `) + 2 * ReportWriter.PAD_X + 1;
  }

  tableHeight(t: LayoutTable, rows = t.rows.length): number {
    const m = this.measured(t);
    return m.head + m.rows.slice(0, rows).reduce((a, b) => a + b, 0);
  }

  /** A cell's text, kept inside the row's height `h` (an over-long text ends in "…"). */
  private drawCellText(
    t: LayoutTable,
    text: string,
    x: number,
    y: number,
    w: number,
    h: number,
    align: 'left' | 'right',
    bold: boolean,
    indent: number,
  ): void {
    this.cellFont(bold, t.fontSize);
    this.doc.text(text, x + ReportWriter.PAD_X + indent, y + ReportWriter.PAD_Y, {
      width: w - 2 * ReportWriter.PAD_X - indent,
      height: h - 2 * ReportWriter.PAD_Y + 0.5,
      ellipsis: true,
      align,
      lineGap: 1,
    });
  }

  private columnsX(t: LayoutTable): number[] {
    let x = this.left;
    return t.widths.map((w) => {
      const at = x;
      x += w;
      return at;
    });
  }

  private rule(y: number, weight: number): void {
    this.doc
      .save()
      .lineWidth(weight)
      .strokeColor(RULE)
      .moveTo(this.left, y)
      .lineTo(this.left + this.width, y)
      .stroke()
      .restore();
  }

  /** The header row's fill and text; `tagged` false draws the repeat on a new page as an artifact. */
  private header(t: LayoutTable, table: Struct, tagged: boolean): void {
    if (!t.head) return;
    const head = t.head;
    const y = this.doc.y;
    const h = this.headHeight(t);
    const xs = this.columnsX(t);
    const align = (i: number) => t.align[i] ?? 'left';
    this.artifact(() => {
      if (t.ruled) {
        this.doc.save().rect(this.left, y, this.width, h).fill(HEAD_FILL).restore();
        this.rule(y, 0.8);
        this.rule(y + h, 0.8);
      }
    });
    if (tagged) {
      const tr = struct(this.doc, 'TR');
      table.add(tr);
      head.forEach((text, i) =>
        tr.add(
          struct(this.doc, 'TH', { scope: 'Column' }, () =>
            this.drawCellText(t, text, xs[i]!, y, t.widths[i]!, h, align(i), true, 0),
          ),
        ),
      );
      tr.end();
    } else {
      this.artifact(() =>
        head.forEach((text, i) => this.drawCellText(t, text, xs[i]!, y, t.widths[i]!, h, align(i), true, 0)),
      );
    }
    this.doc.y = y + h;
  }

  /** A table as Table/TR/TH/TD; rows never split, and the header row repeats on a new page. */
  table(parent: Struct, t: LayoutTable): void {
    const table = struct(this.doc, 'Table');
    parent.add(table);
    const xs = this.columnsX(t);
    this.ensure(this.tableHeight(t, Math.min(1, t.rows.length)));
    this.header(t, table, true);
    t.rows.forEach((row, r) => {
      const h = this.measured(t).rows[r]!;
      if (this.doc.y + h > this.bottom) {
        this.doc.addPage();
        this.header(t, table, false);
      }
      const y = this.doc.y;
      const tr = struct(this.doc, 'TR');
      table.add(tr);
      row.cells.forEach((c, i) =>
        tr.add(
          struct(
            this.doc,
            c.rowHeader ? 'TH' : 'TD',
            { ...(c.rowHeader ? { scope: 'Row' as const } : {}), ...(c.actual ? { actual: c.actual } : {}) },
            () => this.drawCellText(t, c.text, xs[i]!, y, t.widths[i]!, h, c.align, row.bold, c.indent),
          ),
        ),
      );
      tr.end();
      if (t.ruled) {
        const last = r === t.rows.length - 1;
        this.artifact(() => this.rule(y + h, last ? 0.8 : 0.3));
      }
      this.doc.y = y + h;
    });
    table.end();
    this.doc.y += 8;
  }

  // --- Charts -------------------------------------------------------------------------------

  /**
   * A horizontal bar chart drawn as vectors, one row per group with its label and value beside
   * the bar, tagged as a Figure whose alternative text states every value. `max` is a full bar.
   */
  barChart(parent: Struct, bars: { label: string; value: Value }[], max: number, alt: string): void {
    const labelW = 100;
    const barW = 280;
    const barH = 16;
    const gap = 5;
    const height = bars.length * (barH + gap);
    this.ensure(height);
    const top = this.doc.y;
    const barX = this.left + labelW + 4;
    parent.add(
      struct(
        this.doc,
        'Figure',
        { alt, bbox: [this.left, top, barX + barW + 58, top + height], placement: 'Block' },
        () => {
          bars.forEach((b, i) => {
            const y = top + i * (barH + gap);
            const share =
              b.value.value === null || max <= 0 ? 0 : Math.max(0, Math.min(1, b.value.value / max));
            this.doc.save().rect(barX, y, barW, barH).fill(TRACK);
            if (share > 0) this.doc.rect(barX, y, share * barW, barH).fill(BAR);
            this.doc.lineWidth(0.5).strokeColor('#ffffff');
            for (const g of [0.25, 0.5, 0.75])
              this.doc
                .moveTo(barX + g * barW, y)
                .lineTo(barX + g * barW, y + barH)
                .stroke();
            this.doc.restore();
            this.use({ ...STYLES.body, size: 10 });
            this.doc.text(b.label, this.left, y + 3, { width: labelW, lineBreak: false });
            this.doc.font(font('Medium')).text(formatValue(b.value), barX + barW + 8, y + 3, {
              width: 50,
              align: 'right',
              lineBreak: false,
            });
          });
        },
      ),
    );
    this.doc.y = top + height + 2;
  }

  // --- Lists --------------------------------------------------------------------------------

  /** A bulleted list of "term: definition" as L/LI/Lbl/LBody. */
  definitions(parent: Struct, items: [string, string][]): void {
    const list = struct(this.doc, 'L');
    parent.add(list);
    const size = 9;
    const indent = 12;
    for (const [term, def] of items) {
      this.doc.font(font('Regular')).fontSize(size);
      const h = this.doc.heightOfString(`${term}: ${def}`, { width: this.width - indent, lineGap: 1 });
      this.ensure(h);
      const y = this.doc.y;
      const li = struct(this.doc, 'LI');
      list.add(li);
      li.add(
        struct(this.doc, 'Lbl', {}, () => {
          this.doc.font(font('Regular')).fontSize(size).fillColor(INK);
          this.doc.text('•', this.left, y, { width: indent, lineBreak: false });
        }),
      );
      li.add(
        struct(this.doc, 'LBody', {}, () => {
          this.doc
            .font(font('Medium'))
            .fontSize(size)
            .fillColor(INK)
            .text(`${term}: `, this.left + indent, y, {
              width: this.width - indent,
              lineGap: 1,
              continued: true,
            })
            .font(font('Regular'))
            .text(def);
        }),
      );
      li.end();
      this.doc.y = y + h + 2;
    }
    list.end();
    this.doc.y += 6;
  }
}

// --- The report's content -----------------------------------------------------------------------

/** A table cell with the text the font can draw, keeping the original for assistive technology. */
function cell(text: string, align: 'left' | 'right', rowHeader: boolean, indent: number): LayoutCell {
  const shown = printable(text);
  return { text: shown, ...(shown === text ? {} : { actual: text }), align, rowHeader, indent };
}

/** The report model's table laid out for the page. */
function layout(w: ReportWriter, t: Table): LayoutTable {
  const n = t.head.length;
  const fontSize = n > 5 ? 8.5 : 9.5;
  const rows: LayoutRow[] = t.rows.map((row) => ({
    bold: !!row.strong,
    cells: row.cells.map((c, i) =>
      typeof c === 'string'
        ? cell(c, 'left', i === 0, i === 0 && row.level === 1 ? 12 : 0)
        : cell(formatValue(c), 'right', false, 0),
    ),
  }));
  // A column of words (such as "Kön") is as wide as its longest text and aligned left. A column
  // of values gets a common width, or more when a header word or a value would not fit (a word is
  // never broken). The label column takes the rest.
  const textColumn = (i: number) =>
    i === 0 || (rows.length > 0 && rows.every((r) => r.cells[i]?.align === 'left'));
  const base =
    n > 5 ? (w.width * 0.65) / (n - 1) : n > 2 ? (t.head.slice(1).some((h) => h.length > 12) ? 84 : 64) : 90;
  const widths = t.head.map((h, i) =>
    i === 0
      ? 0
      : textColumn(i)
        ? Math.max(
            w.widestWord(h, fontSize, true),
            ...rows.map((r) => w.textWidth(r.cells[i]?.text ?? '', fontSize, r.bold)),
          )
        : Math.max(
            base,
            w.widestWord(h, fontSize, true),
            ...rows.map((r) => w.widestWord(r.cells[i]?.text ?? '', fontSize, r.bold)),
          ),
  );
  widths[0] = w.width - widths.reduce((a, b) => a + b, 0);
  const align = t.head.map((_, i) => (textColumn(i) ? 'left' : 'right') as 'left' | 'right');
  return { head: t.head, widths, align, fontSize, ruled: true, rows };
}

const NO_ROWS = 'Inga uppgifter för perioden och urvalet.';

/**
 * A titled table: H3 title (unless the section heading says it), caption, table. A table without
 * rows (a breakdown of a period with nobody in it) is a sentence instead of an empty table.
 */
function tableBlock(w: ReportWriter, t: Table, withTitle = true): Block {
  const lt = layout(w, t);
  const titleH = withTitle ? w.blockHeight(t.title, STYLES.h3) : 0;
  const captionH = t.caption ? w.blockHeight(t.caption, STYLES.caption) : 0;
  const bodyH = t.rows.length ? w.tableHeight(lt) : w.blockHeight(NO_ROWS, STYLES.body);
  const whole = titleH + captionH + bodyH;
  // A table of up to 20 rows is kept on one page when it fits; a longer one keeps three rows.
  const keep =
    t.rows.length <= 20 && whole <= w.pageHeight
      ? whole
      : titleH + captionH + w.tableHeight(lt, Math.min(3, t.rows.length));
  return {
    keep,
    render(parent) {
      w.ensure(keep);
      if (withTitle) w.text(parent, 'H3', t.title, STYLES.h3);
      if (t.caption) w.text(parent, 'P', t.caption, STYLES.caption);
      if (t.rows.length) w.table(parent, lt);
      else w.text(parent, 'P', NO_ROWS, STYLES.body);
    },
  };
}

function chartBlock(
  w: ReportWriter,
  title: string,
  bars: { label: string; value: Value }[],
  max: number,
  scaleText: string,
  alt: string,
): Block {
  const keep =
    w.blockHeight(title, STYLES.h3) + bars.length * 21 + 2 + w.blockHeight(scaleText, STYLES.caption);
  return {
    keep,
    render(parent) {
      w.ensure(keep);
      w.text(parent, 'H3', title, STYLES.h3);
      w.barChart(parent, bars, max, alt);
      w.text(parent, 'P', scaleText, { ...STYLES.caption, after: 8 });
    },
  };
}

function outcomeChart(w: ReportWriter, doc: ReportDocument): Block {
  const r = doc.figures;
  const groups: [string, Figures][] = [
    [SEX_LABELS.kvinna, r.bySex.kvinna],
    [SEX_LABELS.man, r.bySex.man],
    [SEX_LABELS.total, r.total],
  ];
  const bars = groups.map(([label, f]) => ({ label, value: figure(f, 'shareToWorkOrStudies', 'share') }));
  return chartBlock(
    w,
    'Diagram: andel till arbete eller studier per kön',
    bars,
    1,
    'Hela stapeln = 100 %; stödlinjer vid 25, 50 och 75 %. Samma värden finns i tabellen nedan.',
    `Stapeldiagram över andelen avslutade identifierade deltagare som gick till arbete eller studier: ${bars
      .map((b) => `${b.label} ${spokenValue(b.value)}`)
      .join(', ')}.`,
  );
}

function daysChart(w: ReportWriter, doc: ReportDocument): Block {
  const f = doc.figures.total;
  const bars = f.daysDistribution.map((d) => ({
    label: DAY_BAND_LABELS[d.band] ?? d.band,
    value: {
      kind: 'count' as const,
      value: d.count,
      state: d.count === null ? ('suppressed' as const) : ('ok' as const),
    },
  }));
  const max = Math.max(1, ...bars.map((b) => b.value.value ?? 0));
  return chartBlock(
    w,
    'Diagram: avslutade deltagare efter tid i insats, totalt',
    bars,
    max,
    `Hela stapeln = ${formatCount(max)} deltagare. Samma värden finns i tabellen nedan.`,
    `Stapeldiagram över antalet avslutade identifierade deltagare efter tid i insats: ${bars
      .map((b) => `${b.label} ${spokenValue(b.value)}`)
      .join(', ')}.`,
  );
}

function paragraphsBlock(w: ReportWriter, paragraphs: string[], style: TextStyle): Block {
  const first = paragraphs[0] ?? '';
  return {
    keep: Math.min(w.blockHeight(first, style), w.pageHeight / 3),
    render(parent) {
      for (const p of paragraphs) w.text(parent, 'P', p, style);
    },
  };
}

function statusText(doc: ReportDocument): string {
  if (doc.status === 'final')
    return `Slutlig rapport${doc.finalisedAt ? `, fastställd ${formatDate(doc.finalisedAt)}` : ''}: siffrorna är låsta som de var då.`;
  if (doc.status === 'draft') return 'Utkast: siffrorna räknas fram ur registret när rapporten hämtas.';
  return 'Siffrorna är räknade ur registret när filen skapades.';
}

/** One sentence a reader takes away, or nothing when the share is hidden or undefined. */
function summary(doc: ReportDocument): string | null {
  const t = doc.figures.total;
  if (t.shareToWorkOrStudies === null || t.toWorkOrStudies === null || t.exitsExcludingErrors === null)
    return null;
  return `${formatCount(t.toWorkOrStudies)} av ${formatCount(t.exitsExcludingErrors)} avslutade identifierade deltagare gick till arbete eller studier (${formatShare(t.shareToWorkOrStudies)}).`;
}

/** A numbered section (Sect): the heading never ends a page, it travels with its first block. */
function section(w: ReportWriter, root: Struct, heading: string, blocks: Block[]): void {
  const sect = struct(w.doc, 'Sect');
  root.add(sect);
  w.ensure(w.blockHeight(heading, STYLES.h2) + (blocks[0]?.keep ?? 0));
  w.text(sect, 'H2', heading, STYLES.h2);
  for (const b of blocks) b.render(sect);
  sect.end();
}

function writeReport(w: ReportWriter, root: Struct, doc: ReportDocument): void {
  const sheets = reportSheets(doc);
  const byName = new Map(sheets.map((s) => [s.name, s]));
  const tables = (name: string, withTitle = true) =>
    (byName.get(name)?.tables ?? []).map((t) => tableBlock(w, t, withTitle));

  w.text(root, 'P', doc.associationName, STYLES.kicker);
  w.text(root, 'H1', doc.title, STYLES.h1);
  const facts: [string, string][] = [
    ['Period', formatPeriod(doc.period)],
    ['Urval', doc.filterText],
    ['Status', statusText(doc)],
    ['Skydd av små tal', protectionNote(doc.figures.protected)],
  ];
  w.table(root, {
    head: null,
    widths: [110, w.width - 110],
    align: ['left', 'left'],
    fontSize: 10,
    ruled: false,
    rows: facts.map(([k, v]) => ({
      bold: false,
      cells: [cell(k, 'left', true, 0), cell(v, 'left', false, 0)],
    })),
  });
  const s = summary(doc);
  if (s) w.text(root, 'P', s, STYLES.lead);

  section(w, root, '1. Nyckeltal', tables('Nyckeltal', false));
  section(w, root, '2. Utfall per kön', [outcomeChart(w, doc), ...tables('Per kön')]);
  section(w, root, '3. Försörjning före och efter', tables('Försörjning'));
  section(w, root, '4. Tid i insats', [daysChart(w, doc), ...tables('Tid i insats')]);
  let n = 5;
  for (const b of sheets.slice(4))
    section(
      w,
      root,
      `${n++}. ${b.tables[0]!.title}`,
      b.tables.map((t) => tableBlock(w, t, false)),
    );
  if (doc.analysis !== null) {
    const paragraphs = doc.analysis
      .split(/\r?\n\s*\r?\n/)
      .map((p) => p.trim())
      .filter(Boolean);
    section(w, root, `${n++}. Analys och åtgärder`, [
      paragraphs.length
        ? paragraphsBlock(w, paragraphs, STYLES.body)
        : paragraphsBlock(w, ['Ingen analys har skrivits ännu.'], STYLES.muted),
    ]);
  }
  section(w, root, `${n}. Definitioner`, [
    {
      keep: 60,
      render: (parent) => w.definitions(parent, DEFINITIONS),
    },
  ]);
  const notes: string[] = [];
  if (anySuppressed(sheets)) notes.push(SUPPRESSED_FOOTNOTE);
  if (anyNotApplicable(sheets)) notes.push(NOT_APPLICABLE_FOOTNOTE);
  notes.push(`Skapad ${formatDate(doc.generatedAt.toISOString())} av Samverka.`);
  for (const note of notes) w.text(root, 'P', note, STYLES.caption);
}

/**
 * The footer of every page, as a pagination artifact: "association · title" on the left (cut with
 * "…" when it would need a second line) and "Sida n av m" on the right.
 */
function footers(w: ReportWriter, doc: ReportDocument): void {
  const range = w.doc.bufferedPageRange();
  const pageWidth = 70;
  const label = printable(`${doc.associationName} · ${doc.title}`);
  for (let i = range.start; i < range.start + range.count; i++) {
    w.doc.switchToPage(i);
    const bottom = w.doc.page.margins.bottom;
    // Writing below the bottom margin would otherwise start a new page.
    w.doc.page.margins.bottom = 0;
    const y = w.doc.page.height - MARGIN + 8;
    w.artifact(() => {
      w.use({ ...STYLES.caption, size: 8 });
      const line = w.doc.currentLineHeight(true) + 1;
      w.doc.text(label, w.left, y, { width: w.width - pageWidth - 8, height: line, ellipsis: true });
      w.doc.text(`Sida ${i - range.start + 1} av ${range.count}`, w.left + w.width - pageWidth, y, {
        width: pageWidth,
        align: 'right',
        lineBreak: false,
      });
    }, 'Pagination');
    w.doc.page.margins.bottom = bottom;
  }
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * pdfkit 0.19 copies the document information (title, author, subject, keywords) into the XMP
 * metadata without escaping it, so a title with "&" or "<" would make the XMP invalid XML and
 * the PDF/UA identification unreadable. It writes the information dictionary first, so the
 * values are escaped between the two.
 */
function escapeXmpInfo(pdf: Doc): void {
  const endMetadata = pdf.endMetadata.bind(pdf);
  pdf.endMetadata = () => {
    const info = pdf.info as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(info))
      if (typeof value === 'string') info[key] = value.replace(/[&<>"]/g, (c) => XML_ENTITIES[c]!);
    endMetadata();
  };
}

/** Renders the report document as a tagged PDF. */
export function renderReportPdf(doc: ReportDocument): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_SPACE - 16 },
    pdfVersion: '1.7',
    // pdfkit 0.19 writes the PDF/UA-1 identification; its 0.17 type definitions do not list it.
    subset: 'PDF/UA' as unknown as PDFKit.Mixins.PDFSubsets,
    tagged: true,
    lang: 'sv-SE',
    displayTitle: true,
    bufferPages: true,
    // No default font: the standard Helvetica is not embedded, which PDF/UA forbids.
    font: null as unknown as string,
    info: {
      Title: doc.title,
      Author: doc.associationName,
      Subject: `Uppföljning ${formatPeriod(doc.period)}: ${doc.filterText}`,
      Keywords: 'Finsam, samordningsförbund, uppföljning, deltagare',
      Creator: 'Samverka',
      Producer: 'Samverka (pdfkit)',
      CreationDate: doc.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  for (const [name, data] of Object.entries(robotoFonts())) pdf.registerFont(font(name as FontName), data);
  const w = new ReportWriter(pdf);
  const root = struct(pdf, 'Document');
  pdf.addStructure(root);
  writeReport(w, root, doc);
  root.end();
  footers(w, doc);
  escapeXmpInfo(pdf);
  pdf.end();
  return done;
}
