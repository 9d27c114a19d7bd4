/**
 * Report files against the hand-computed fixture (tests/report-fixture.ts): the PDF is opened
 * with poppler (text extraction, page 1 rendered to PNG) and the XLSX read back with exceljs. The
 * admin gets the figures unprotected, the board protected, exactly as in the JSON API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  type ApiClient,
  type TestApp,
} from '../../../../../tests/helpers.js';
import {
  all,
  markedContentProblems,
  notdefGlyphs,
  pageContents,
  structStrings,
  structureTree,
  textOf,
} from '../../../../../tests/pdf-structure.js';
import { buildReportFixture } from '../../../../../tests/report-fixture.js';
import type { OutcomeReport } from '../engine.js';
import { renderReportPdf } from './pdf.js';
import type { ReportDocument } from './tables.js';

let t: TestApp;
let admin: ApiClient;
let board: ApiClient;
let dir: string;

beforeAll(async () => {
  t = await createTestApp();
  const a = await createAssociationFixture(t, 'rapport', 1);
  await buildReportFixture(t, a);
  await createUserFixture(t, 'chef@rapport.example', 'association_admin', a.id);
  await createUserFixture(t, 'styrelse@rapport.example', 'board', a.id);
  admin = await login(t, 'chef@rapport.example');
  board = await login(t, 'styrelse@rapport.example');
  dir = mkdtempSync(path.join(os.tmpdir(), 'samverka-report-files-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const YEAR = 'from=2025-01-01&to=2025-12-31';
const BASE = '/api/associations/rapport/reports';

/** pdftotext in layout mode; non-breaking spaces (Swedish "40 %", "12 000") become plain spaces. */
function pdfText(pdf: Buffer, name: string): string {
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(
    /[\u00a0\u202f]/g,
    ' ',
  );
}

/**
 * The values after a row label in the layout text: counts ("12 000"), shares ("40 %"), "–"
 * (suppressed) and "." (does not apply). The `occurrence`-th row with that label.
 */
function rowValues(text: string, label: string, occurrence = 0): string[] {
  const lines = text
    .split('\n')
    .filter((l) => new RegExp(`^\\s*${label.replace(/[()]/g, '\\$&')}\\s{2,}\\S`).test(l));
  const line = lines[occurrence];
  if (!line) throw new Error(`no row "${label}" in:\n${text}`);
  return [
    ...line
      .trim()
      .slice(label.length)
      .matchAll(/–|\.(?=\s|$)|\d{1,3}(?: \d{3})*(?: ?%)?/g),
  ].map((m) => m[0]);
}

async function download(client: ApiClient, url: string) {
  const res = await client.get(url);
  return { res, body: res.rawPayload };
}

describe('PDF', () => {
  it('gives the admin a real PDF in Swedish with the unprotected figures', async () => {
    const { res, body } = await download(admin, `${BASE}/outcomes.pdf?${YEAR}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain(
      'filename="utfall-rapport-2025-01-01-2025-12-31.pdf"',
    );
    expect(res.headers['cache-control']).toBe('no-store');
    expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // Document language and title for assistive technology (the catalog is not compressed).
    expect(body.toString('latin1')).toContain('/Lang (sv-SE)');
    expect(body.toString('latin1')).toContain('/DisplayDocTitle true');
    const text = pdfText(body, 'admin');
    const info = execFileSync('pdfinfo', [path.join(dir, 'admin.pdf')], { encoding: 'utf8' });
    expect(info).toMatch(/Title:\s+Uppföljning av deltagare 1 januari–31 december 2025/);
    expect(info).toMatch(/Author:\s+Samordningsförbundet rapport/);
    expect(text).toContain('Samordningsförbundet rapport');
    expect(text).toContain('Period');
    expect(text).toContain('Hela förbundet');
    expect(text).toContain('Små tal visas');
    expect(text).toContain(
      '4 av 10 avslutade identifierade deltagare gick till arbete eller studier (40 %).',
    );
    // Key figures: total, women, men (hand-computed in reports.test.ts).
    expect(rowValues(text, 'Nya deltaganden')).toEqual(['16', '10', '6']);
    expect(rowValues(text, 'Avslutade deltaganden')).toEqual(['10', '6', '4']);
    expect(rowValues(text, 'Till arbete eller studier')).toEqual(['4', '3', '1']);
    expect(rowValues(text, 'Andel till arbete eller studier')).toEqual(['40 %', '50 %', '25 %']);
    expect(rowValues(text, 'Pågående vid periodens slut')).toEqual(['2', '1', '1']);
    expect(rowValues(text, 'Återkommande deltagare')).toEqual(['1', '1', '0']);
    expect(rowValues(text, 'Mediantid i insats (dagar)')[0]).toBe('135');
    // The chart's labels are text, and its table alternative follows.
    expect(text).toContain('Diagram: andel till arbete eller studier per kön');
    expect(text).toContain('Utfall per kön');
    // Income matrix: all ten entered on försörjningsstöd; three left with a salary.
    expect(text).toContain('Försörjning vid start och vid avslut');
    expect(rowValues(text, 'varav utan offentlig försörjning vid avslut')).toEqual(['3']);
    // Time in insats and the age bands.
    expect(rowValues(text, '0–90 dagar', 1)).toEqual(['3', '3', '0']);
    expect(text).toContain('Per åldersgrupp');
    expect(text).toContain('30–39 år');
    expect(text).toContain('Definitioner');
    // No analysis section in a file of live figures.
    expect(text).not.toContain('Analys och åtgärder');

    // Every page renders (poppler), and no page image is blank.
    const pdfFile = path.join(dir, 'admin.pdf');
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThanOrEqual(3);
    execFileSync('pdftoppm', ['-png', '-r', '50', pdfFile, path.join(dir, 'admin-page')]);
    const pngs = readdirSync(dir).filter((f) => /^admin-page-\d+\.png$/.test(f));
    expect(pngs).toHaveLength(pages);
    for (const png of pngs) {
      expect(readFileSync(path.join(dir, png)).subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(statSync(path.join(dir, png)).size).toBeGreaterThan(8_000);
    }
  });

  it('gives the board the same report with small counts suppressed', async () => {
    const api = (await board.get(`${BASE}/outcomes?${YEAR}&breakdown=ageBand`)).json();
    expect(api.protected).toBe(true);
    const { res, body } = await download(board, `${BASE}/outcomes.pdf?${YEAR}`);
    expect(res.statusCode).toBe(200);
    const text = pdfText(body, 'board');
    expect(text).toContain('Små tal (1–4) visas inte');
    // 4 to work or studies: hidden, and with it the share of 40 %.
    expect(text).not.toContain('40 %');
    expect(text).not.toContain('gick till arbete eller studier (');
    expect(rowValues(text, 'Till arbete eller studier')).toEqual(['–', '–', '–']);
    expect(rowValues(text, 'Andel till arbete eller studier')).toEqual(['–', '–', '–']);
    // Men's four exits are hidden, and so is whatever would reveal them.
    const exits = rowValues(text, 'Avslutade deltaganden');
    expect(exits[2]).toBe('–');
    expect(exits.filter((v) => v === '–').length).toBeGreaterThanOrEqual(2);
    // Every key figure shows what the API shows the board.
    const show = (v: number | null) => (v === null ? '–' : String(v));
    expect(exits).toEqual([show(api.total.exits), show(api.bySex.kvinna.exits), show(api.bySex.man.exits)]);
    expect(rowValues(text, 'Nya deltaganden')).toEqual([
      show(api.total.entries),
      show(api.bySex.kvinna.entries),
      show(api.bySex.man.entries),
    ]);
    expect(text).toContain('– = visas inte');
  });

  it('prints a report document with its analysis, and its frozen figures once final', async () => {
    const created = await admin.post(BASE, {
      title: 'Tertialrapport 2 2025',
      periodType: 'tertial',
      from: '2025-01-01',
      to: '2025-08-31',
      interventionId: null,
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    await admin.put(`${BASE}/${id}`, {
      title: 'Tertialrapport 2 2025',
      analysis:
        'Fler kvinnor än män gick till arbete eller studier.\n\nÅtgärd: vi stärker samverkan med Arbetsförmedlingen för männen.',
    });
    const draft = pdfText((await download(admin, `${BASE}/${id}/pdf`)).body, 'draft');
    expect(draft).toContain('Tertialrapport 2 2025');
    expect(draft).toContain('Utkast');
    expect(draft).toContain('Analys och åtgärder');
    expect(draft).toContain('Fler kvinnor än män gick till arbete eller studier.');
    expect(draft).toContain('Åtgärd: vi stärker samverkan med Arbetsförmedlingen för männen.');
    expect(draft).toMatch(/1 januari–31 augusti 2025/);

    expect((await admin.post(`${BASE}/${id}/finalise`)).statusCode).toBe(200);
    const final = await download(admin, `${BASE}/${id}/pdf`);
    expect(final.res.headers['content-disposition']).toContain('rapport-rapport-tertialrapport-2-2025.pdf');
    const finalText = pdfText(final.body, 'final');
    expect(finalText).toContain('Slutlig rapport, fastställd');
    const boardFinal = pdfText((await download(board, `${BASE}/${id}/pdf`)).body, 'board-final');
    expect(boardFinal).toContain('Små tal (1–4) visas inte');
    expect(boardFinal).toContain('Analys och åtgärder');
  });

  it('refuses what the JSON API refuses', async () => {
    expect((await t.app.inject({ method: 'GET', url: `${BASE}/outcomes.pdf?${YEAR}` })).statusCode).toBe(401);
    expect((await admin.get(`${BASE}/outcomes.pdf?from=2025-12-31&to=2025-01-01`)).statusCode).toBe(400);
    expect((await admin.get(`${BASE}/outcomes.pdf?from=2025-02-30&to=2025-12-31`)).statusCode).toBe(400);
    const unknown = await admin.get(`${BASE}/outcomes.pdf?${YEAR}&interventions=${crypto.randomUUID()}`);
    expect(unknown.json().error.issues[0].code).toBe('unknown_intervention');
    expect((await admin.get(`/api/associations/saknas/reports/outcomes.pdf?${YEAR}`)).statusCode).toBe(404);
    expect((await admin.get(`${BASE}/${crypto.randomUUID()}/pdf`)).statusCode).toBe(404);
    expect((await admin.get(`${BASE}/${crypto.randomUUID()}/xlsx`)).statusCode).toBe(404);
  });
});

/** Plain spaces for the narrow and non-breaking spaces of Swedish number formats. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('tagged PDF (PDF/UA)', () => {
  const TITLE = 'Uppföljning av deltagare 1 januari–31 december 2025';

  /**
   * A PDF made straight from the renderer: the fixture's year (by age band, as the admin sees it)
   * with an insats breakdown of the given rows and labels, and any other field replaced.
   */
  type Breakdown = NonNullable<OutcomeReport['breakdown']>;
  async function renderFixture(
    name: string,
    breakdown: (fixture: Breakdown) => { rows: Breakdown['rows']; labels: Map<string, string> },
    over: Partial<ReportDocument> = {},
  ) {
    const figures = (await admin.get(`${BASE}/outcomes?${YEAR}&breakdown=ageBand`)).json() as OutcomeReport;
    const { rows, labels } = breakdown(figures.breakdown!);
    const pdf = await renderReportPdf({
      associationName: 'Samordningsförbundet rapport',
      associationSlug: 'rapport',
      title: 'Årsrapport 2025',
      period: { from: '2025-01-01', to: '2025-12-31' },
      filter: {},
      filterText: 'Hela förbundet',
      status: 'draft',
      finalisedAt: null,
      analysis: null,
      figures: { ...figures, breakdown: { dimension: 'intervention', rows } },
      breakdownLabels: labels,
      generatedAt: new Date('2026-01-15T12:00:00Z'),
      ...over,
    });
    const file = path.join(dir, `${name}.pdf`);
    writeFileSync(file, pdf);
    return { pdf, file };
  }

  async function tagged(client: ApiClient, name: string) {
    const { body } = await download(client, `${BASE}/outcomes.pdf?${YEAR}`);
    const file = path.join(dir, `${name}.pdf`);
    writeFileSync(file, body);
    return { body, file, tree: structureTree(file), text: pdfText(body, name) };
  }

  it('gives assistive technology the headings, tables, charts and list as structure', async () => {
    const { body: pdf, file, tree, text } = await tagged(admin, 'tagged');
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Tagged:\s+yes/);
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/pdfuaid:part>1</);
    expect(raw).toContain('/Marked true');
    expect(raw).toContain('/Tabs /S');

    // One Document; its title is the only H1; the numbered sections are H2 in reading order.
    expect(tree.children.map((c) => c.role)).toEqual(['Document']);
    expect(all(tree, 'H1').map(textOf)).toEqual([TITLE]);
    expect(all(tree, 'H2').map(textOf)).toEqual([
      '1. Nyckeltal',
      '2. Utfall per kön',
      '3. Försörjning före och efter',
      '4. Tid i insats',
      '5. Per åldersgrupp',
      '6. Definitioner',
    ]);
    expect(all(tree, 'Sect')).toHaveLength(6);

    // Tables: the document facts, key figures, outcome by sex, five income tables, time in insats
    // and the age bands. Column headers and row labels are TH with their scope; values are TD.
    const tables = all(tree, 'Table');
    expect(tables).toHaveLength(10);
    const key = tables.find((tb) => textOf(tb.children[0]!).startsWith('Nyckeltal Totalt'))!;
    const [head, ...body] = key.children;
    expect(head!.children.map((c) => [c.role, c.attrs, textOf(c)])).toEqual([
      ['TH', ['/Scope /Column'], 'Nyckeltal'],
      ['TH', ['/Scope /Column'], 'Totalt'],
      ['TH', ['/Scope /Column'], 'Kvinnor'],
      ['TH', ['/Scope /Column'], 'Män'],
    ]);
    const row = (label: string) => body.find((tr) => textOf(tr.children[0]!) === label)!;
    expect(row('Nya deltaganden').children.map((c) => [c.role, textOf(c)])).toEqual([
      ['TH', 'Nya deltaganden'],
      ['TD', '16'],
      ['TD', '10'],
      ['TD', '6'],
    ]);
    expect(row('Nya deltaganden').children[0]!.attrs).toEqual(['/Scope /Row']);
    expect(
      row('Andel till arbete eller studier')
        .children.slice(1)
        .map((c) => plain(textOf(c))),
    ).toEqual(['40 %', '50 %', '25 %']);
    expect(body).toHaveLength(14);

    // Both charts are figures whose alternative text states the values (hand-computed: 4 of 10,
    // women 3 of 6, men 1 of 4; time in insats from the fixture).
    expect(all(tree, 'Figure')).toHaveLength(2);
    const alts = structStrings(pdf, 'Figure', 'Alt').map((a) => plain(a ?? ''));
    expect(alts).toHaveLength(2);
    expect(alts[0]).toBe(
      'Stapeldiagram över andelen avslutade identifierade deltagare som gick till arbete eller studier: Kvinnor 50 %, Män 25 %, Totalt 40 %.',
    );
    expect(alts[1]).toMatch(
      /^Stapeldiagram över antalet avslutade identifierade deltagare efter tid i insats: 0–90 dagar 3, /,
    );

    // The definitions are a list of seven items, each with a label and a body.
    const items = all(tree, 'LI');
    expect(items).toHaveLength(7);
    expect(items[0]!.children.map((c) => c.role)).toEqual(['Lbl', 'LBody']);
    expect(textOf(items[0]!.children[1]!)).toMatch(/^Andel till arbete eller studier: Avslutade deltaganden/);

    // Page furniture is an artifact: the footer is on the page but not in the structure.
    const structText = textOf(tree);
    expect(text).toMatch(new RegExp(`Samordningsförbundet rapport · ${TITLE} +Sida 1 av \\d`));
    expect(structText).not.toContain('Sida 1 av');
    // Everything else on the pages is in the structure (compared without spaces: pdftotext's
    // layout mode sometimes drops the non-breaking space of "0 %"), and nothing is painted untagged.
    const tagged_ = plain(structText).replace(/\s+/g, '');
    const pageWords = new Set(
      plain(text)
        .split('\n')
        .filter((l) => !/Sida \d+ av \d+/.test(l))
        .flatMap((l) => l.split(/\s+/))
        .filter(Boolean),
    );
    expect([...pageWords].filter((w) => !tagged_.includes(w))).toEqual([]);
    expect(markedContentProblems(pdf)).toEqual([]);
    expect(pageContents(pdf)).toHaveLength(Number(/Pages:\s+(\d+)/.exec(info)![1]));
    expect(notdefGlyphs(pdf)).toBe(0);

    // Only Roboto, embedded as subsets with a Unicode map; no standard font.
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThanOrEqual(2);
    for (const f of fonts) expect(f).toMatch(/^[A-Z]{6}\+Roboto-\w+ .* yes yes yes /);
  });

  it('tells the board in the alternative text that small groups are not shown', async () => {
    const { body, tree } = await tagged(board, 'tagged-board');
    const alts = structStrings(body, 'Figure', 'Alt').map((a) => plain(a ?? ''));
    expect(alts[0]).toBe(
      'Stapeldiagram över andelen avslutade identifierade deltagare som gick till arbete eller studier: Kvinnor visas inte, Män visas inte, Totalt visas inte.',
    );
    expect(textOf(tree)).not.toContain('40 %');
  });

  it('flows a long table and a long analysis over pages, tagging each row and paragraph once', async () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) =>
      `Stycke ${i + 1}: ${'Vi följer upp deltagarnas väg till arbete eller studier tillsammans med medlemmarna. '.repeat(4)}`.trim(),
    );
    const { pdf, file } = await renderFixture(
      'long',
      (b) => {
        // 40 insatser with the fixture's age-band figures: 120 rows.
        const rows = Array.from({ length: 40 }, (_, i) => ({ ...b.rows[i % b.rows.length]!, key: `k${i}` }));
        return { rows, labels: new Map(rows.map((r, i) => [r.key, `Insats ${i + 1}`])) };
      },
      { analysis: paragraphs.join('\n\n') },
    );
    const tree = structureTree(file);
    const pages = pdfText(pdf, 'long')
      .split('\f')
      .filter((p) => p.trim());

    // The breakdown: one tagged header row and 40 × 3 body rows, over several pages, with the
    // header row repeated on every page the table reaches (as an artifact, not in the tree).
    const table = all(tree, 'Table').find((tb) => textOf(tb.children[0]!).startsWith('Insats Kön'))!;
    expect(table.children).toHaveLength(1 + 120);
    expect(all(table, 'TH').filter((th) => th.attrs.includes('/Scope /Column'))).toHaveLength(7);
    expect(textOf(table.children[120]!)).toMatch(/^Insats 40 Män /);
    const tablePages = pages.filter((p) => /Insats \d+ +Totalt/.test(p));
    expect(tablePages.length).toBeGreaterThanOrEqual(3);
    for (const p of tablePages) expect(p).toMatch(/Pågående/);

    // The analysis: every paragraph once, in order, though it runs over a page break.
    const sect = all(tree, 'Sect').find((s) => textOf(s.children[0]!) === '6. Analys och åtgärder')!;
    expect(sect.children.slice(1).map((p) => [p.role, textOf(p)])).toEqual(paragraphs.map((p) => ['P', p]));
    const analysisPages = pages.filter((p) => /Stycke \d+:/.test(p));
    expect(analysisPages.length).toBeGreaterThanOrEqual(2);

    // Every page has its footer, and everything painted is tagged or an artifact.
    pages.forEach((p, i) => expect(p).toContain(`Sida ${i + 1} av ${pages.length}`));
    expect(markedContentProblems(pdf)).toEqual([]);
  });

  it('says in a sentence that a breakdown has no rows, instead of an empty table', async () => {
    const { file } = await renderFixture('empty', () => ({ rows: [], labels: new Map() }));
    const sect = all(structureTree(file), 'Sect').find((s) => textOf(s.children[0]!) === '5. Per insats')!;
    expect(sect.children.map((c) => [c.role, textOf(c)])).toEqual([
      ['H2', '5. Per insats'],
      ['P', 'Inga uppgifter för perioden och urvalet.'],
    ]);
  });

  it('keeps the file valid with any text: markup characters, arrows, emoji, tabs and an endless name', async () => {
    const longName = `Insats ${'med ett mycket långt namn '.repeat(200)}`;
    const { pdf, file } = await renderFixture(
      'odd',
      (b) => ({ rows: [{ ...b.rows[0]!, key: 'lang' }], labels: new Map([['lang', longName]]) }),
      {
        associationName: 'Förbundet <Syd> & "Norr"',
        title: 'Arbete & studier <2025>',
        filterText: 'Insats: Steg → jobb',
        analysis: 'Målet → uppnått ✓ 😀\tbra',
      },
    );
    // The XMP metadata is well-formed: every "&" is an entity, the title is escaped, and the
    // information dictionary (read by pdfinfo) keeps the real title.
    const xmp = execFileSync('pdfinfo', ['-meta', file], { encoding: 'utf8' });
    expect(xmp).toContain('<rdf:li xml:lang="x-default">Arbete &amp; studier &lt;2025&gt;</rdf:li>');
    expect(xmp).toContain('Förbundet &lt;Syd&gt; &amp; &quot;Norr&quot;');
    expect(xmp).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;|#\d+;)/);
    expect(xmp).toMatch(/pdfuaid:part>1</);
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Title:\s+Arbete & studier <2025>/);

    // Characters Roboto lacks are drawn as plain equivalents, never as the missing-glyph box,
    // and a screen reader gets the text as written.
    expect(notdefGlyphs(pdf)).toBe(0);
    const text = pdfText(pdf, 'odd');
    expect(text).toContain('Målet -> uppnått x ? bra');
    expect(text).toContain('Insats: Steg -> jobb');
    const tree = structureTree(file);
    const analysis = all(tree, 'P').find((p) => textOf(p).startsWith('Målet'))!;
    expect(textOf(analysis)).toBe('Målet -> uppnått x ? bra');
    expect(structStrings(pdf, 'P', 'ActualText')).toContain('Målet → uppnått ✓ 😀\tbra');
    expect(structStrings(pdf, 'TD', 'ActualText')).toContain('Insats: Steg → jobb');

    // A row whose label would fill pages is cut to one page, ending in "…"; the next row and the
    // rest of the report follow, and every page keeps its footer.
    const pages = text.split('\f').filter((p) => p.trim());
    const longRow = all(tree, 'TH').find((th) => textOf(th).startsWith('Insats med'))!;
    expect(textOf(longRow).endsWith('…')).toBe(true);
    expect(textOf(longRow).length).toBeLessThan(longName.length);
    // Three rows (total, women, men) with the name: one page each, none running over pages.
    expect(pages.filter((p) => p.includes('Insats med ett mycket'))).toHaveLength(3);
    pages.forEach((p, i) => expect(p).toContain(`Sida ${i + 1} av ${pages.length}`));
    expect(text).toContain('Definitioner');
    expect(markedContentProblems(pdf)).toEqual([]);
  });
});

async function workbook(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

/** The cells of the row whose first cell is `label` (values, number formats and notes). */
function sheetRow(ws: ExcelJS.Worksheet, label: string, occurrence = 0) {
  const rows: ExcelJS.Row[] = [];
  ws.eachRow((r) => {
    if (String(r.getCell(1).value ?? '').trim() === label) rows.push(r);
  });
  const r = rows[occurrence];
  if (!r) throw new Error(`no row ${label} in ${ws.name}`);
  return [2, 3, 4].map((i) => {
    const c = r.getCell(i);
    return { value: c.value, numFmt: c.numFmt, note: c.note };
  });
}

describe('XLSX', () => {
  it('has one sheet per table, numbers as numbers and shares as per cent', async () => {
    const res = await admin.get(`${BASE}/outcomes.xlsx?${YEAR}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const wb = await workbook(res.rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Nyckeltal',
      'Per kön',
      'Försörjning',
      'Tid i insats',
      'Åldersgrupper',
      'Om rapporten',
    ]);
    const key = wb.getWorksheet('Nyckeltal')!;
    expect(sheetRow(key, 'Nya deltaganden').map((c) => c.value)).toEqual([16, 10, 6]);
    const share = sheetRow(key, 'Andel till arbete eller studier');
    expect(share.map((c) => c.value)).toEqual([0.4, 0.5, 0.25]);
    expect(share.every((c) => c.numFmt === '0%')).toBe(true);
    expect(sheetRow(key, 'Mediantid i insats (dagar)')[0]!.value).toBe(135);
    const bySex = wb.getWorksheet('Per kön')!;
    expect(sheetRow(bySex, 'Kvinnor').map((c) => c.value)).toEqual([6, 3, 0.5]);
    expect(sheetRow(bySex, 'Män').map((c) => c.value)).toEqual([4, 1, 0.25]);
    const income = wb.getWorksheet('Försörjning')!;
    // Row "Ekonomiskt bistånd" of the count matrix: columns Ohälsa, Arbetsmarknadsstöd, Ekonomiskt bistånd.
    expect(sheetRow(income, 'Ekonomiskt bistånd').map((c) => c.value)).toEqual([0, 0, 7]);
    expect(sheetRow(income, 'Ekonomiskt bistånd', 1).map((c) => c.value)).toEqual([0, 0, 0.7]);
    const days = wb.getWorksheet('Tid i insats')!;
    expect(sheetRow(days, '91–180 dagar').map((c) => c.value)).toEqual([4, 3, 1]);
    const ages = wb.getWorksheet('Åldersgrupper')!;
    const thirties: unknown[] = [];
    ages.eachRow((r) => {
      if (r.getCell(1).value === '30–39 år' && r.getCell(2).value === 'Totalt')
        thirties.push(r.getCell(3).value);
    });
    expect(thirties).toEqual([11]);
    const about = wb.getWorksheet('Om rapporten')!;
    const facts = new Map<string, string>();
    about.eachRow((r) => facts.set(String(r.getCell(1).value), String(r.getCell(2).value ?? '')));
    expect(facts.get('Period')).toBe('1 januari–31 december 2025 (2025-01-01 – 2025-12-31)');
    expect(facts.get('Urval')).toBe('Hela förbundet');
    expect(facts.get('Skydd av små tal')).toContain('Små tal visas');
  });

  it('leaves suppressed cells empty with a note for the board', async () => {
    const wb = await workbook((await board.get(`${BASE}/outcomes.xlsx?${YEAR}`)).rawPayload);
    const key = wb.getWorksheet('Nyckeltal')!;
    const exits = sheetRow(key, 'Avslutade deltaganden');
    expect(exits[2]!.value).toBeNull();
    expect(exits[2]!.note).toContain('Visas inte');
    const share = sheetRow(key, 'Andel till arbete eller studier');
    expect(share.map((c) => c.value)).toEqual([null, null, null]);
    // No cell anywhere holds a count of 1–4.
    for (const ws of wb.worksheets.filter((w) => w.name !== 'Om rapporten'))
      ws.eachRow((r) =>
        r.eachCell((c) => {
          if (typeof c.value === 'number' && c.numFmt !== '0%')
            expect(c.value === 0 || c.value >= 5).toBe(true);
        }),
      );
    const about = wb.getWorksheet('Om rapporten')!;
    let note = '';
    about.eachRow((r) => {
      if (r.getCell(1).value === 'Skydd av små tal') note = String(r.getCell(2).value);
    });
    expect(note).toContain('Små tal (1–4) visas inte');
  });

  it('exports a report document with its analysis', async () => {
    const created = await admin.post(BASE, {
      title: 'Årsrapport 2025',
      periodType: 'year',
      from: '2025-01-01',
      to: '2025-12-31',
      interventionId: null,
    });
    const id = created.json().id as string;
    await admin.put(`${BASE}/${id}`, { title: 'Årsrapport 2025', analysis: 'Målet 40 % nåddes.' });
    const res = await admin.get(`${BASE}/${id}/xlsx`);
    expect(res.headers['content-disposition']).toContain('rapport-rapport-arsrapport-2025.xlsx');
    const wb = await workbook(res.rawPayload);
    const about = wb.getWorksheet('Om rapporten')!;
    const facts = new Map<string, string>();
    about.eachRow((r) => facts.set(String(r.getCell(1).value), String(r.getCell(2).value ?? '')));
    expect(facts.get('Analys och åtgärder')).toBe('Målet 40 % nåddes.');
    expect(facts.get('Rapport')).toBe('Årsrapport 2025');
    expect(sheetRow(wb.getWorksheet('Nyckeltal')!, 'Andel till arbete eller studier')[0]!.value).toBe(0.4);
  });
});
