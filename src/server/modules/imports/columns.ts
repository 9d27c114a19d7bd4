/**
 * The import/export column format: Swedish headers (case-insensitive, any order) and the
 * vocabulary of each column. Import, export and the template all read this one list, so a
 * round trip (export → import) uses exactly the same format.
 */
import {
  EDUCATION_LEVELS,
  EXIT_REASONS,
  INCOME_SOURCES,
  OCCUPATIONS,
  type EducationLevel,
  type ExitReason,
  type IncomeSource,
  type Occupation,
} from '../../../shared/participants.js';

export interface ColumnDef {
  /** The header as written in the file (and as named in row errors). */
  header: string;
  required: boolean;
  /** Swedish help text (template instructions and user docs). */
  help: string;
  /** The value in the template's example row. */
  example: string;
}

export const COLUMNS = [
  {
    header: 'insats',
    required: true,
    help: 'Insatsens namn, som det står i Samverka.',
    example: 'Unga vuxna',
  },
  {
    header: 'personnummer',
    required: true,
    help: 'ÅÅÅÅMMDD-NNNN (12 siffror, även samordningsnummer). Tomt för anonyma deltagare.',
    example: '19900101-0017',
  },
  {
    header: 'anonym',
    required: false,
    help: 'ja eller nej (tomt = nej). En anonym rad räknas bara som antal.',
    example: 'nej',
  },
  {
    header: 'kön',
    required: false,
    help: 'kvinna/man eller K/M. Krävs för anonyma rader; annars härleds det ur personnumret.',
    example: 'man',
  },
  { header: 'startdatum', required: true, help: 'Inskrivningsdatum, ÅÅÅÅ-MM-DD.', example: '2024-03-01' },
  {
    header: 'slutdatum',
    required: false,
    help: 'Utskrivningsdatum, ÅÅÅÅ-MM-DD. Tomt om deltagandet pågår.',
    example: '2024-11-29',
  },
  {
    header: 'kommun',
    required: false,
    help: 'Folkbokföringskommun: namn eller kommunkod, eller "annan".',
    example: '0101',
  },
  {
    header: 'försörjning_start',
    required: false,
    help: 'Försörjning vid start. Flera skiljs med |, omfattning i procent efter kolon (standard 100).',
    example: 'sjukpenning:50|försörjningsstöd:50',
  },
  {
    header: 'försörjning_slut',
    required: false,
    help: 'Försörjning vid avslut, samma format.',
    example: 'lön',
  },
  {
    header: 'sysselsättning_efter',
    required: false,
    help: 'arbete, studier, arbetssökande eller övrigt.',
    example: 'arbete',
  },
  {
    header: 'avslutsanledning',
    required: false,
    help: 'Anledning till avslut (se listan nedan).',
    example: 'arbete',
  },
  { header: 'målgrupp', required: false, help: 'Förbundets målgrupper, flera skiljs med |.', example: '' },
  {
    header: 'samtycke_datum',
    required: false,
    help: 'Datum för samtycke, ÅÅÅÅ-MM-DD. Krävs för identifierade deltagare.',
    example: '2024-03-01',
  },
  {
    header: 'samtycke_referens',
    required: false,
    help: 'Referens till samtyckesblanketten (valfritt).',
    example: '',
  },
  {
    header: 'utbildningsnivå',
    required: false,
    help: 'förgymnasial, gymnasial, eftergymnasial < 3 år, eftergymnasial ≥ 3 år eller okänd (valfritt).',
    example: 'gymnasial',
  },
  {
    header: 'månader_offentlig_försörjning',
    required: false,
    help: 'Antal månader med offentlig försörjning före start (valfritt).',
    example: '18',
  },
  {
    header: 'remitterande_part',
    required: false,
    help: 'Namnet på den medlem som remitterade (valfritt).',
    example: '',
  },
] as const satisfies readonly ColumnDef[];

export type ColumnKey = (typeof COLUMNS)[number]['header'];
export const HEADERS: ColumnKey[] = COLUMNS.map((c) => c.header);
export const REQUIRED_HEADERS: ColumnKey[] = COLUMNS.filter((c) => c.required).map((c) => c.header);

/** `Försörjning Start` / `försörjning-start` / NFD-encoded å… → `försörjning_start`. */
export function normaliseHeader(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Lower-cased, NFC, single-spaced: the key for every case-insensitive lookup. */
export function normaliseValue(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
}

function lookup<K extends string>(
  labels: Record<K, string>,
  aliases: Record<string, K> = {},
): Map<string, K> {
  const m = new Map<string, K>();
  for (const [code, label] of Object.entries(labels) as [K, string][]) {
    m.set(normaliseValue(label), code);
    m.set(normaliseValue(code), code);
  }
  for (const [alias, code] of Object.entries(aliases)) m.set(normaliseValue(alias), code);
  return m;
}

/** Swedish label or code → income source. A few everyday names are accepted too. */
export const INCOME_LOOKUP = lookup<IncomeSource>(INCOME_SOURCES, {
  ingen: 'none',
  'ingen försörjning': 'none',
  aktivitetsstöd: 'activity_support',
  utvecklingsersättning: 'activity_support',
  'ekonomiskt bistånd': 'social_assistance',
});
export const EXIT_REASON_LOOKUP = lookup<ExitReason>(EXIT_REASONS);
export const OCCUPATION_LOOKUP = lookup<Occupation>(OCCUPATIONS);
export const EDUCATION_LOOKUP = lookup<EducationLevel>(EDUCATION_LEVELS, {
  'eftergymnasial <3 år': 'post_secondary_short',
  'eftergymnasial >= 3 år': 'post_secondary_long',
  'eftergymnasial >=3 år': 'post_secondary_long',
  'eftergymnasial ≥3 år': 'post_secondary_long',
});

export const YES = new Set(['ja', 'j', 'yes', 'y', 'x', '1', 'true', 'sant']);
export const NO = new Set(['', 'nej', 'n', 'no', '0', 'false', 'falskt']);
export const OTHER_MUNICIPALITY_WORDS = new Set(['annan', 'other', 'övrig', 'annan kommun']);

/** Income lines → `label[:NN]|…`; the extent is written only when it is not 100 %. */
export function formatIncome(lines: { source: IncomeSource; extentPct: number }[]): string {
  return lines
    .map((l) =>
      l.extentPct === 100 ? INCOME_SOURCES[l.source] : `${INCOME_SOURCES[l.source]}:${l.extentPct}`,
    )
    .join('|');
}
