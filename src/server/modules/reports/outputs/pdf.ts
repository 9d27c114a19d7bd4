/**
 * The report as a PDF in Swedish, made server-side with pdfmake: title, association, period,
 * protection note, key figures, outcome by sex (bar chart with its table), the income-source
 * matrix, time in insats, the breakdown table, the analysis text and the definitions.
 *
 * Accessibility within what pdfmake 0.3 offers: real text (extractable, searchable, read by screen
 * readers in reading order) in an embedded Unicode font, document title shown in the viewer's
 * title bar, document language sv-SE, tables with repeated header rows, every chart followed by a
 * table with the same values, no meaning carried by colour alone. pdfmake writes no structure tree
 * (tagged PDF / PDF/UA); see docs/decisions/0010-report-files.md.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as PdfMake from 'pdfmake';
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces.js';
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
  type Cell,
  type ReportDocument,
  type Table,
  type Value,
} from './tables.js';

const require = createRequire(import.meta.url);
let loaded: typeof PdfMake | undefined;

/** pdfmake, with its bundled Roboto (which has åäö) and no access to URLs or files besides the fonts. */
function pdfMake(): typeof PdfMake {
  if (!loaded) {
    const pm = require('pdfmake') as typeof PdfMake;
    const fontsFile = require.resolve('pdfmake/fonts/Roboto.js');
    const fontDir = path.dirname(fontsFile) + path.sep;
    pm.setFonts(require(fontsFile) as typeof PdfMake.fonts);
    pm.setUrlAccessPolicy(() => false);
    pm.setLocalAccessPolicy((p) => path.resolve(p).startsWith(fontDir));
    loaded = pm;
  }
  return loaded;
}

const INK = '#1a1a1a';
const MUTED = '#454545';
const BAR = '#1d4f91';
const TRACK = '#e3e8ef';
const HEAD_FILL = '#eef2f7';

/** A figure as text: Swedish format, "–" when suppressed, "." when it does not apply. */
export function formatValue(v: Value): string {
  if (v.state === 'suppressed') return SUPPRESSED_MARK;
  if (v.value === null) return NOT_APPLICABLE_MARK;
  if (v.kind === 'share') return formatShare(v.value);
  return formatCount(v.value);
}

/** A block of content that a section heading is kept together with. */
interface Block {
  stack: Content[];
  unbreakable: boolean;
}

/** A table with its title (unless the section heading already says it) and caption. */
function tableContent(t: Table, withTitle = true): Block {
  const header: TableCell[] = t.head.map((h, i) => ({
    text: h,
    bold: true,
    fillColor: HEAD_FILL,
    alignment: i === 0 ? 'left' : 'right',
  }));
  const body: TableCell[][] = [
    header,
    ...t.rows.map((row) =>
      row.cells.map((c: Cell, i): TableCell => {
        const text = typeof c === 'string' ? c : formatValue(c);
        return {
          text,
          bold: !!row.strong,
          alignment: typeof c === 'string' ? 'left' : 'right',
          ...(i === 0 && row.level === 1
            ? { margin: [12, 0, 0, 0] as [number, number, number, number] }
            : {}),
        };
      }),
    ),
  ];
  const first = t.head.length > 5 ? 'auto' : '*';
  const numberWidth = t.head.slice(1).some((h) => h.length > 12) ? 84 : 58;
  const table: Content = {
    table: {
      headerRows: 1,
      dontBreakRows: true,
      widths: [
        first,
        ...t.head.slice(1).map(() => (t.head.length > 5 ? '*' : t.head.length > 2 ? numberWidth : 'auto')),
      ],
      body,
    },
    layout: {
      hLineWidth: (i: number, node: { table: { body: unknown[] } }) =>
        i === 0 || i === 1 || i === node.table.body.length ? 0.8 : 0.3,
      vLineWidth: () => 0,
      hLineColor: () => '#8a8a8a',
      paddingTop: () => 3,
      paddingBottom: () => 3,
    },
    fontSize: t.head.length > 5 ? 8.5 : 9.5,
    margin: [0, 2, 0, 10],
  };
  const parts: Content[] = withTitle ? [{ text: t.title, style: 'h3', headlineLevel: 1 }] : [];
  if (t.caption) parts.push({ text: t.caption, style: 'caption' });
  parts.push(table);
  return { stack: parts, unbreakable: t.rows.length <= 20 };
}

/**
 * A horizontal bar chart drawn as vectors: one row per group with the label and the value as real
 * text beside the bar. `max` is the value of a full bar (1 for shares).
 */
function barChart(
  title: string,
  bars: { label: string; value: Value }[],
  max: number,
  scaleText: string,
): Block {
  const width = 280;
  const height = 16;
  const grid = [0.25, 0.5, 0.75].map((g) => ({
    type: 'line' as const,
    x1: g * width,
    y1: 0,
    x2: g * width,
    y2: height,
    lineWidth: 0.5,
    lineColor: '#ffffff',
  }));
  const rows: TableCell[][] = bars.map((b) => {
    const share = b.value.value === null || max <= 0 ? 0 : Math.max(0, Math.min(1, b.value.value / max));
    return [
      { text: b.label, alignment: 'left', margin: [0, 2, 0, 0] },
      {
        canvas: [
          { type: 'rect', x: 0, y: 0, w: width, h: height, color: TRACK },
          ...(share > 0
            ? [{ type: 'rect' as const, x: 0, y: 0, w: share * width, h: height, color: BAR }]
            : []),
          ...grid,
        ],
      },
      { text: formatValue(b.value), alignment: 'right', bold: true, margin: [0, 2, 0, 0] },
    ];
  });
  return {
    stack: [
      { text: title, style: 'h3', headlineLevel: 1 },
      {
        table: { widths: [100, width, 50], body: rows },
        layout: 'noBorders',
        fontSize: 10,
      },
      { text: scaleText, style: 'caption', margin: [104, 0, 0, 8] },
    ],
    unbreakable: true,
  };
}

function outcomeChart(doc: ReportDocument): Block {
  const r = doc.figures;
  const groups: [string, Figures][] = [
    [SEX_LABELS.kvinna, r.bySex.kvinna],
    [SEX_LABELS.man, r.bySex.man],
    [SEX_LABELS.total, r.total],
  ];
  return barChart(
    'Diagram: andel till arbete eller studier per kön',
    groups.map(([label, f]) => ({ label, value: figure(f, 'shareToWorkOrStudies', 'share') })),
    1,
    'Hela stapeln = 100 %; stödlinjer vid 25, 50 och 75 %. Samma värden finns i tabellen nedan.',
  );
}

function daysChart(doc: ReportDocument): Block {
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
  return barChart(
    'Diagram: avslutade deltagare efter tid i insats, totalt',
    bars,
    max,
    `Hela stapeln = ${formatCount(max)} deltagare. Samma värden finns i tabellen nedan.`,
  );
}

function statusText(doc: ReportDocument): string {
  if (doc.status === 'final')
    return `Slutlig rapport${doc.finalisedAt ? `, fastställd ${formatDate(doc.finalisedAt)}` : ''}: siffrorna är låsta som de var då.`;
  if (doc.status === 'draft') return 'Utkast: siffrorna räknas fram ur registret när rapporten hämtas.';
  return 'Siffrorna är räknade ur registret när filen skapades.';
}

/**
 * A numbered section: its heading travels with its first block, so a heading never ends a page
 * (pdfmake's pageBreakBefore cannot see where an unbreakable block lands).
 */
function section(heading: string, blocks: Block[]): Content[] {
  const h: Content = { text: heading, style: 'h2', headlineLevel: 1 };
  const [first, ...rest] = blocks;
  if (!first) return [h];
  return [{ stack: [h, ...first.stack], unbreakable: first.unbreakable }, ...rest];
}

/** One sentence a reader takes away, or nothing when the share is hidden or undefined. */
function summary(doc: ReportDocument): string | null {
  const t = doc.figures.total;
  if (t.shareToWorkOrStudies === null || t.toWorkOrStudies === null || t.exitsExcludingErrors === null)
    return null;
  return `${formatCount(t.toWorkOrStudies)} av ${formatCount(t.exitsExcludingErrors)} avslutade identifierade deltagare gick till arbete eller studier (${formatShare(t.shareToWorkOrStudies)}).`;
}

export function reportPdfDefinition(doc: ReportDocument): TDocumentDefinitions {
  const sheets = reportSheets(doc);
  const byName = new Map(sheets.map((s) => [s.name, s]));
  const tables = (name: string, withTitle = true) =>
    (byName.get(name)?.tables ?? []).map((t) => tableContent(t, withTitle));
  const breakdown = sheets.slice(4);
  const content: Content[] = [
    { text: doc.associationName, style: 'kicker' },
    { text: doc.title, style: 'h1' },
    {
      table: {
        widths: ['auto', '*'],
        body: [
          ['Period', formatPeriod(doc.period)],
          ['Urval', doc.filterText],
          ['Status', statusText(doc)],
          ['Skydd av små tal', protectionNote(doc.figures.protected)],
        ].map(([k, v]) => [
          { text: k!, bold: true },
          { text: v!, ...(k === 'Skydd av små tal' && doc.figures.protected ? { bold: true } : {}) },
        ]),
      },
      layout: 'noBorders',
      fontSize: 10,
      margin: [0, 4, 0, 10],
    },
  ];
  const s = summary(doc);
  if (s) content.push({ text: s, style: 'lead' });
  content.push(...section('1. Nyckeltal', tables('Nyckeltal', false)));
  content.push(...section('2. Utfall per kön', [outcomeChart(doc), ...tables('Per kön')]));
  content.push(...section('3. Försörjning före och efter', tables('Försörjning')));
  content.push(...section('4. Tid i insats', [daysChart(doc), ...tables('Tid i insats')]));
  let n = 5;
  for (const b of breakdown)
    content.push(
      ...section(
        `${n++}. ${b.tables[0]!.title}`,
        b.tables.map((t) => tableContent(t, false)),
      ),
    );
  if (doc.analysis !== null) {
    const paragraphs = doc.analysis
      .split(/\r?\n\s*\r?\n/)
      .map((p) => p.trim())
      .filter(Boolean);
    const text: Content[] = paragraphs.length
      ? paragraphs.map((p) => ({ text: p, margin: [0, 0, 0, 6] as [number, number, number, number] }))
      : [{ text: 'Ingen analys har skrivits ännu.', italics: true, color: MUTED }];
    // Only the first paragraph is kept with the heading; a long analysis flows over pages.
    content.push(
      ...section(
        `${n++}. Analys och åtgärder`,
        text.map((c, i) => ({ stack: [c], unbreakable: i === 0 })),
      ),
    );
  }
  content.push(
    ...section(`${n}. Definitioner`, [
      {
        stack: [
          {
            ul: DEFINITIONS.map(([term, def]) => ({ text: [{ text: `${term}: `, bold: true }, def] })),
            fontSize: 9,
            margin: [0, 0, 0, 8],
          },
        ],
        unbreakable: true,
      },
    ]),
  );
  const notes: string[] = [];
  if (anySuppressed(sheets)) notes.push(SUPPRESSED_FOOTNOTE);
  if (anyNotApplicable(sheets)) notes.push(NOT_APPLICABLE_FOOTNOTE);
  notes.push(`Skapad ${formatDate(doc.generatedAt.toISOString())} av Samverka.`);
  content.push({ stack: notes.map((t) => ({ text: t, style: 'caption' })), margin: [0, 6, 0, 0] });

  return {
    pageSize: 'A4',
    pageMargins: [56, 56, 56, 56],
    language: 'sv-SE',
    displayTitle: true,
    info: {
      title: doc.title,
      author: doc.associationName,
      subject: `Uppföljning ${formatPeriod(doc.period)}: ${doc.filterText}`,
      keywords: 'Finsam, samordningsförbund, uppföljning, deltagare',
      creator: 'Samverka',
      producer: 'Samverka (pdfmake)',
      creationDate: doc.generatedAt,
    },
    defaultStyle: { font: 'Roboto', fontSize: 10, color: INK, lineHeight: 1.15 },
    styles: {
      kicker: { fontSize: 10, color: MUTED, margin: [0, 0, 0, 2] },
      h1: { fontSize: 20, bold: true, margin: [0, 0, 0, 4] },
      h2: { fontSize: 14, bold: true, margin: [0, 12, 0, 4] },
      h3: { fontSize: 11, bold: true, margin: [0, 4, 0, 2] },
      lead: { fontSize: 11, margin: [0, 0, 0, 6] },
      caption: { fontSize: 8.5, color: MUTED, margin: [0, 0, 0, 3] },
    },
    // Never leave a heading alone at the bottom of a page.
    pageBreakBefore: (node, q) => node.headlineLevel === 1 && q.getFollowingNodesOnPage().length === 0,
    footer: (page: number, pages: number) => ({
      text: `${doc.associationName} · ${doc.title} · Sida ${page} av ${pages}`,
      fontSize: 8,
      color: MUTED,
      margin: [56, 20, 56, 0],
    }),
    content,
  };
}

/** Renders the report document as a PDF. */
export function renderReportPdf(doc: ReportDocument): Promise<Buffer> {
  return pdfMake().createPdf(reportPdfDefinition(doc)).getBuffer();
}
