/**
 * One neutral table model of a report's figures, rendered by both the PDF and the XLSX writer, so
 * the two files always show the same numbers with the same protection. A value keeps its kind
 * (count, share, days) and whether it is suppressed or does not apply; the writers decide how to
 * show it.
 */
import type { Period, ReportFilter } from '../../../../shared/report-schemas.js';
import type { Figures, GroupFigures, IncomeMatrixCell, OutcomeReport } from '../engine.js';
import {
  AGE_BAND_LABELS,
  BREAKDOWN_LABELS,
  DAY_BAND_LABELS,
  INCOME_GROUP_LABELS,
  SEX_LABELS,
} from './format.js';

/** A figure: null with state 'suppressed' (small-number protection) or 'na' (nothing to measure). */
export interface Value {
  kind: 'count' | 'share' | 'days';
  value: number | null;
  state: 'ok' | 'suppressed' | 'na';
}
export type Cell = string | Value;

export interface Row {
  cells: Cell[];
  /** 1 = a "varav" row under the row above. */
  level?: 0 | 1;
  /** A total row. */
  strong?: boolean;
}

export interface Table {
  key: string;
  title: string;
  /** A sentence under the title: what the table shows (also the chart's text alternative). */
  caption?: string;
  head: string[];
  rows: Row[];
}

export interface Sheet {
  name: string;
  tables: Table[];
}

/** Everything a report file shows besides the figures themselves. */
export interface ReportDocument {
  associationName: string;
  associationSlug: string;
  title: string;
  period: Period;
  filter: ReportFilter;
  /** The filter in words ("Hela förbundet", "Insats: Steget"). */
  filterText: string;
  /** 'live' for figures computed on request without a report document. */
  status: 'draft' | 'final' | 'live';
  finalisedAt: string | null;
  /** The report's "analys och åtgärder"; null when the file is not a report document. */
  analysis: string | null;
  figures: OutcomeReport;
  /** Labels for breakdown keys that are ids or codes (insats names, municipality names). */
  breakdownLabels: Map<string, string>;
  generatedAt: Date;
}

const value = (kind: Value['kind'], v: number | null, suppressed: boolean): Value => ({
  kind,
  value: v,
  state: v !== null ? 'ok' : suppressed ? 'suppressed' : 'na',
});

/** A field of a group's figures; a null is suppressed when the engine lists it as such. */
export function figure(f: Figures, field: keyof Figures & string, kind: Value['kind'] = 'count'): Value {
  const v = f[field] as number | null;
  return value(kind, v, f.suppressedFields.includes(field));
}

function dayBand(f: Figures, band: string): Value {
  const v = f.daysDistribution.find((d) => d.band === band)?.count ?? null;
  return value('count', v, f.suppressedFields.includes(`days.${band}`));
}

const GROUPS = [
  ['total', SEX_LABELS.total],
  ['kvinna', SEX_LABELS.kvinna],
  ['man', SEX_LABELS.man],
] as const;

const groupOf = (g: GroupFigures, key: (typeof GROUPS)[number][0]) =>
  key === 'total' ? g.total : g.bySex[key];

/** The rows of the key-figure table: label, field, kind, level. */
export const KEY_FIGURES: [string, keyof Figures & string, Value['kind'], 0 | 1][] = [
  ['Nya deltaganden', 'entries', 'count', 0],
  ['varav identifierade deltagare', 'identifiedEntries', 'count', 1],
  ['varav anonyma deltagare', 'anonymousEntries', 'count', 1],
  ['Avslutade deltaganden', 'exits', 'count', 0],
  ['varav identifierade deltagare', 'exitsExcludingErrors', 'count', 1],
  ['varav anonyma deltagare', 'anonymousExits', 'count', 1],
  ['Till arbete eller studier', 'toWorkOrStudies', 'count', 0],
  ['Andel till arbete eller studier', 'shareToWorkOrStudies', 'share', 0],
  ['Pågående vid periodens slut', 'ongoingAtEnd', 'count', 0],
  ['Deltaganden under perioden (identifierade)', 'participations', 'count', 0],
  ['Unika personer (identifierade)', 'uniquePersons', 'count', 0],
  ['Återkommande deltagare', 'returners', 'count', 0],
  ['Andel återkommande av nya identifierade', 'shareReturners', 'share', 0],
  ['Mediantid i insats (dagar)', 'medianDaysInInsats', 'days', 0],
];

export function keyFiguresTable(r: OutcomeReport): Table {
  return {
    key: 'keyFigures',
    title: 'Nyckeltal',
    caption:
      'Volymer, utfall och tid i insats för perioden, totalt och per kön. Felregistreringar ingår inte; anonyma deltagare räknas bara i volymer.',
    head: ['Nyckeltal', ...GROUPS.map(([, l]) => l)],
    rows: KEY_FIGURES.map(([label, field, kind, level]) => ({
      cells: [label, ...GROUPS.map(([g]) => figure(groupOf(r, g), field, kind))],
      level,
    })),
  };
}

/** Outcome by sex: the text alternative of the bar chart. */
export function outcomeBySexTable(r: OutcomeReport): Table {
  const order = [GROUPS[1], GROUPS[2], GROUPS[0]];
  return {
    key: 'outcomeBySex',
    title: 'Utfall per kön',
    caption:
      'Andel av de avslutade identifierade deltagarna som gick till arbete eller studier, per kön. Tabellen visar samma värden som diagrammet.',
    head: [
      'Kön',
      'Avslutade (identifierade)',
      'Till arbete eller studier',
      'Andel till arbete eller studier',
    ],
    rows: order.map(([g, label]) => ({
      cells: [
        label,
        figure(groupOf(r, g), 'exitsExcludingErrors'),
        figure(groupOf(r, g), 'toWorkOrStudies'),
        figure(groupOf(r, g), 'shareToWorkOrStudies', 'share'),
      ],
      strong: g === 'total',
    })),
  };
}

function matrixTable(
  key: string,
  title: string,
  cells: IncomeMatrixCell[],
  groups: readonly string[],
  what: 'count' | 'share',
  caption?: string,
): Table {
  return {
    key,
    title,
    ...(caption ? { caption } : {}),
    head: ['Vid start \\ vid avslut', ...groups.map((g) => INCOME_GROUP_LABELS[g] ?? g)],
    rows: groups.map((eg) => ({
      cells: [
        INCOME_GROUP_LABELS[eg] ?? eg,
        ...groups.map((xg) => {
          const c = cells.find((x) => x.entryGroup === eg && x.exitGroup === xg);
          // A hidden count hides its share too; a share without a base does not apply.
          if (what === 'count') return value('count', c?.count ?? null, c?.count === null);
          return value('share', c?.share ?? null, c?.count === null);
        }),
      ],
    })),
  };
}

export function incomeTables(r: OutcomeReport): Table[] {
  const m = r.incomeMatrix;
  const shareSuppressed = m.shareMovedToSelfSupport === null && m.publicSupportAtEntry !== 0;
  return [
    matrixTable(
      'incomeTotal',
      'Försörjning vid start och vid avslut, antal',
      m.total,
      m.groups,
      'count',
      'Huvudsaklig försörjningskälla vid start (rader) och vid avslut (kolumner) för avslutade identifierade deltagare.',
    ),
    matrixTable(
      'incomeShare',
      'Försörjning vid start och vid avslut, andel av avslutade',
      m.total,
      m.groups,
      'share',
    ),
    matrixTable(
      'incomeWomen',
      'Försörjning vid start och vid avslut, kvinnor',
      m.bySex.kvinna,
      m.groups,
      'count',
    ),
    matrixTable('incomeMen', 'Försörjning vid start och vid avslut, män', m.bySex.man, m.groups, 'count'),
    {
      key: 'selfSupport',
      title: 'Från offentlig försörjning till egen försörjning',
      caption:
        'Deltagare med offentlig försörjning vid start som vid avslut hade lön eller ingen offentlig försörjning.',
      head: ['Mått', 'Värde'],
      rows: [
        {
          cells: [
            'Hade offentlig försörjning vid start',
            value('count', m.publicSupportAtEntry, m.publicSupportAtEntry === null),
          ],
        },
        {
          cells: [
            'varav utan offentlig försörjning vid avslut',
            value('count', m.movedToSelfSupport, m.movedToSelfSupport === null),
          ],
          level: 1,
        },
        { cells: ['Andel', value('share', m.shareMovedToSelfSupport, shareSuppressed)] },
      ],
    },
  ];
}

export function timeInInsatsTable(r: OutcomeReport): Table {
  const bands = r.total.daysDistribution.map((d) => d.band);
  return {
    key: 'timeInInsats',
    title: 'Tid i insats',
    caption: 'Antal avslutade identifierade deltagare efter dagar från start till avslut, och mediantiden.',
    head: ['Tid från start till avslut', ...GROUPS.map(([, l]) => l)],
    rows: [
      ...bands.map((band) => ({
        cells: [DAY_BAND_LABELS[band] ?? band, ...GROUPS.map(([g]) => dayBand(groupOf(r, g), band))],
      })),
      {
        cells: [
          'Median (dagar)',
          ...GROUPS.map(([g]) => figure(groupOf(r, g), 'medianDaysInInsats', 'days')),
        ],
        strong: true,
      },
    ],
  };
}

export function breakdownTable(r: OutcomeReport, labels: Map<string, string>): Table | null {
  if (!r.breakdown) return null;
  const dim = r.breakdown.dimension as keyof typeof BREAKDOWN_LABELS;
  const meta = BREAKDOWN_LABELS[dim] ?? { title: 'Uppdelning', column: 'Grupp' };
  const label = (key: string) =>
    dim === 'ageBand' ? (AGE_BAND_LABELS[key] ?? key) : (labels.get(key) ?? key);
  return {
    key: 'breakdown',
    title: meta.title,
    caption:
      dim === 'ageBand'
        ? 'Ålder vid start. Anonyma deltagare har ingen ålder och ingår inte.'
        : dim === 'municipality'
          ? 'Folkbokföringskommun vid start. Anonyma deltagare har ingen kommun och ingår inte.'
          : undefined,
    head: [
      meta.column,
      'Kön',
      'Nya',
      'Avslutade',
      'Till arbete eller studier',
      'Andel till arbete eller studier',
      'Pågående vid periodens slut',
    ],
    rows: r.breakdown.rows.flatMap((row) =>
      GROUPS.map(([g, sexLabel]) => {
        const f = groupOf(row, g);
        return {
          cells: [
            label(row.key),
            sexLabel,
            figure(f, 'entries'),
            figure(f, 'exits'),
            figure(f, 'toWorkOrStudies'),
            figure(f, 'shareToWorkOrStudies', 'share'),
            figure(f, 'ongoingAtEnd'),
          ],
          strong: g === 'total',
        };
      }),
    ),
  };
}

/** The sheets of the XLSX (and the sections of the PDF), in order. */
export function reportSheets(doc: ReportDocument): Sheet[] {
  const r = doc.figures;
  const sheets: Sheet[] = [
    { name: 'Nyckeltal', tables: [keyFiguresTable(r)] },
    { name: 'Per kön', tables: [outcomeBySexTable(r)] },
    { name: 'Försörjning', tables: incomeTables(r) },
    { name: 'Tid i insats', tables: [timeInInsatsTable(r)] },
  ];
  const b = breakdownTable(r, doc.breakdownLabels);
  if (b && r.breakdown)
    sheets.push({
      name: BREAKDOWN_LABELS[r.breakdown.dimension as keyof typeof BREAKDOWN_LABELS]?.sheet ?? 'Uppdelning',
      tables: [b],
    });
  return sheets;
}

/** Whether any value in the tables is suppressed (then the files carry the footnote). */
export function anySuppressed(sheets: Sheet[]): boolean {
  return sheets.some((s) =>
    s.tables.some((t) =>
      t.rows.some((row) => row.cells.some((c) => typeof c !== 'string' && c.state === 'suppressed')),
    ),
  );
}

export function anyNotApplicable(sheets: Sheet[]): boolean {
  return sheets.some((s) =>
    s.tables.some((t) =>
      t.rows.some((row) => row.cells.some((c) => typeof c !== 'string' && c.state === 'na')),
    ),
  );
}

/** The protection note every file carries. */
export function protectionNote(protectedFigures: boolean): string {
  return protectedFigures
    ? 'Små tal (1–4) visas inte. Tal som skulle göra det möjligt att räkna fram ett dolt tal är också dolda.'
    : 'Små tal visas: versionen är avsedd för den som har behörighet till uppgifter om enskilda deltagare. Sprid den inte vidare; styrelsen och andra mottagare får en version där små tal (1–4) är dolda.';
}

export const SUPPRESSED_FOOTNOTE =
  '– = visas inte: ett litet tal (1–4) eller ett tal som skulle göra det möjligt att räkna fram ett sådant.';
export const NOT_APPLICABLE_FOOTNOTE = '. = ej tillämpligt (till exempel en andel när ingen har avslutats).';

/** How each figure is defined, in the words of domain.md §5; printed in the PDF and the XLSX. */
export const DEFINITIONS: [string, string][] = [
  [
    'Andel till arbete eller studier',
    'Avslutade deltaganden (utan felregistreringar) med sysselsättning arbete eller studier efter avslut, delat med alla avslutade deltaganden (utan felregistreringar) under perioden.',
  ],
  ['Felregistreringar', 'Deltaganden avslutade som felregistrering ingår inte i någon siffra.'],
  [
    'Anonyma deltagare',
    'Deltagare utan samtycke eller med skyddad identitet räknas bara i volymer (nya och avslutade), efter de år som överlappar perioden. De ingår aldrig i utfall, försörjning, tid i insats eller åldersgrupper.',
  ],
  [
    'Försörjning',
    'Huvudsaklig försörjningskälla (störst omfattning) vid start och vid avslut, i de nationella grupperna Ohälsa, Arbetsmarknadsstöd, Ekonomiskt bistånd och ingen offentlig försörjning.',
  ],
  ['Tid i insats', 'Dagar från startdatum till avslutsdatum för deltaganden som avslutades under perioden.'],
  [
    'Återkommande',
    'Ett nytt deltagande som börjar inom förbundets återkomstfönster efter ett tidigare avslut räknas som återkommande.',
  ],
  [
    'Tertialrapporter',
    'Tertialrapporter är kumulativa: januari–april, januari–augusti och januari–december.',
  ],
];
