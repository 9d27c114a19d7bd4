/**
 * Validation of an import, in two steps, both pure:
 *  1. each row on its own, against the association's reference data (insatser, municipalities,
 *     target groups, members), reusing the register's zod schemas and `checkEntryFields`;
 *  2. all rows together against the register as it stands (preloaded by the service): duplicates
 *     within the file, overlaps, rows already stored (skipped) and exits added to ongoing
 *     participations (updated), and the returner flag.
 * Errors name the spreadsheet row, the Swedish column header and a Swedish reason.
 */
import { entrySchema, exitSchema, dateSchema } from '../../../shared/register-schemas.js';
import { parsePersonnummer, type Sex } from '../../../shared/personnummer.js';
import { daysBetween } from '../../../shared/dates.js';
import type {
  Direction,
  EducationLevel,
  ExitReason,
  FollowUp,
  IncomeSource,
  Occupation,
} from '../../../shared/participants.js';
import { AppError } from '../../errors.js';
import { toFieldIssues, type ZodishIssue } from '../../../shared/validation.js';
import { checkEntryFields, type EntryContext } from '../participants/service.js';
import {
  EDUCATION_LOOKUP,
  EXIT_REASON_LOOKUP,
  HEADERS,
  INCOME_LOOKUP,
  NO,
  OCCUPATION_LOOKUP,
  OTHER_MUNICIPALITY_WORDS,
  REQUIRED_HEADERS,
  YES,
  normaliseHeader,
  normaliseValue,
  type ColumnKey,
} from './columns.js';
import type { SheetRow } from './parse.js';
import {
  importRowMessage,
  type ImportRowErrorCode,
  type ImportRowParams,
} from '../../../shared/import-errors.js';

export interface RowError {
  /** Spreadsheet row number (the header is row 1). */
  row: number;
  /** The Swedish column header. */
  column: string;
  /** The reason (src/shared/import-errors.ts), and the values it names. */
  code: ImportRowErrorCode;
  params?: ImportRowParams;
  /** The reason in Swedish. */
  message: string;
}

export function rowError(
  row: number,
  column: string,
  code: ImportRowErrorCode,
  params?: ImportRowParams,
): RowError {
  return params
    ? { row, column, code, params, message: importRowMessage(code, params) }
    : { row, column, code, message: importRowMessage(code) };
}

export interface RefIntervention {
  id: string;
  name: string;
  direction: Direction;
  followUp: FollowUp;
  /** Whether the caller may register people in it (a coordinator: only their own insatser). */
  allowed: boolean;
}

/** The association's reference data, keyed by normalised name (see `normaliseValue`). */
export interface ImportReference {
  interventions: Map<string, RefIntervention>;
  /** Name, name without " kommun"/" stad", or code → kommunkod. */
  municipalities: Map<string, string>;
  targetGroups: Map<string, string>;
  members: Map<string, string>;
  entryContext: EntryContext;
  today: string;
}

/**
 * A valid identified row, kept compact: an import holds every row in memory until all are
 * checked, so shared values (ids, codes, dates, parsed income lists) are shared, not copied.
 */
export interface PersonRow {
  kind: 'person';
  row: number;
  digits: string;
  /** The person's keyed lookup hash (set by the service). */
  hash: string;
  sex: Sex;
  birthYear: number;
  interventionId: string;
  entryDate: string;
  exitDate: string | null;
  municipalityCode: string;
  incomeAtEntry: readonly IncomeLine[];
  incomeAtExit: readonly IncomeLine[];
  supportMonths: number | null;
  educationLevel: EducationLevel | null;
  targetGroupIds: readonly string[];
  referringMemberId: string | null;
  consentDate: string;
  consentRef: string;
  exitReason: ExitReason | null;
  occupationAfter: Occupation | null;
  /** Decided by `planAgainstRegister`. */
  action: 'create' | 'update' | 'skip' | null;
  returner: boolean;
  /** update: the stored participation; create: assigned when written. */
  participationId: string | null;
  personId: string | null;
}

export interface AnonymousRow {
  kind: 'anonymous';
  row: number;
  interventionId: string;
  sex: Sex;
  year: number;
  exitYear: number | null;
}

export type ValidRow = PersonRow | AnonymousRow;
export type ColumnMap = Map<ColumnKey, number>;

// ---------------------------------------------------------------- header

/** The header row → column positions. Unknown, duplicated or missing required headers are errors on row 1. */
export function mapHeader(header: SheetRow): { columns: ColumnMap; errors: RowError[] } {
  const columns: ColumnMap = new Map();
  const errors: RowError[] = [];
  const known = new Set<string>(HEADERS);
  header.cells.forEach((raw, i) => {
    const name = normaliseHeader(raw);
    if (!name) return; // an empty header cell (trailing separators) names no column
    if (!known.has(name)) {
      errors.push(rowError(header.row, raw.trim(), 'unknown_column', { name: raw.trim() }));
      return;
    }
    if (columns.has(name as ColumnKey)) {
      errors.push(rowError(header.row, name, 'duplicate_column'));
      return;
    }
    columns.set(name as ColumnKey, i);
  });
  for (const h of REQUIRED_HEADERS)
    if (!columns.has(h)) errors.push(rowError(header.row, h, 'missing_column', { name: h }));
  return { columns, errors };
}

/** Blank rows and rows whose first cell starts with `#` (the template's example) are not data. */
export function isIgnorableRow(cells: string[]): boolean {
  const first = cells.find((c) => c.trim() !== '');
  return first === undefined || first.trim().startsWith('#');
}

// ---------------------------------------------------------------- one row

const DATE_RE = /^(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$/;

/** `YYYY-MM-DD` (a trailing midnight time, as Excel sometimes adds, is accepted), or null if invalid. */
export function parseDate(v: string): string | null {
  const m = DATE_RE.exec(v);
  if (!m || !dateSchema.safeParse(m[1]).success) return null;
  return m[1]!;
}

const SEX_LOOKUP = new Map<string, Sex>([
  ['kvinna', 'kvinna'],
  ['k', 'kvinna'],
  ['kv', 'kvinna'],
  ['man', 'man'],
  ['m', 'man'],
]);

const PNR_CODES = {
  format: 'personnummer_format',
  date: 'personnummer_date',
  luhn: 'personnummer_luhn',
} as const satisfies Record<string, ImportRowErrorCode>;

/** Field names of the register's schemas and services → the import's columns. */
const FIELD_COLUMN: Record<string, ColumnKey> = {
  interventionId: 'insats',
  personnummer: 'personnummer',
  entryDate: 'startdatum',
  municipalityCode: 'kommun',
  incomeAtEntry: 'försörjning_start',
  supportMonths: 'månader_offentlig_försörjning',
  educationLevel: 'utbildningsnivå',
  targetGroupIds: 'målgrupp',
  referringMemberId: 'remitterande_part',
  consentDate: 'samtycke_datum',
  consentRef: 'samtycke_referens',
  exitDate: 'slutdatum',
  exitReason: 'avslutsanledning',
  occupationAfter: 'sysselsättning_efter',
  incomeAtExit: 'försörjning_slut',
};

/** The row errors of the register's stable issue codes (`field:code`, or `code` for any field). */
const ISSUE_CODES: Record<string, ImportRowErrorCode> = {
  'entryDate:future': 'entry_date_future',
  'consentDate:future': 'consent_date_future',
  'exitDate:future': 'exit_date_future',
  'exitDate:before_entry': 'exit_before_entry',
  'occupationAfter:required': 'occupation_required',
  'incomeAtExit:required': 'income_at_exit_required',
  'incomeAtEntry:too_small': 'income_at_entry_required',
  unknown_municipality: 'unknown_municipality',
  unknown_target_group: 'unknown_target_group_id',
  unknown_member: 'unknown_member',
  required: 'value_required',
  duplicate: 'duplicate_income_source',
  too_big: 'too_big',
};

function issueToError(row: number, path: string, code: string): RowError {
  const field = path.split('.')[0]!;
  return rowError(
    row,
    FIELD_COLUMN[field] ?? field,
    ISSUE_CODES[`${field}:${code}`] ?? ISSUE_CODES[code] ?? 'invalid_value',
  );
}

/*
 * The register's own schemas, so an import accepts exactly what the entry and exit forms accept.
 * They run where values can differ: the row's own fields per row; income lists once per distinct
 * text; exits once per distinct reason, occupation and income. Dates are checked by `parseDate`,
 * with the same date schema, once per distinct date.
 */
const entryScalars = entrySchema.pick({
  interventionId: true,
  municipalityCode: true,
  supportMonths: true,
  educationLevel: true,
  referringMemberId: true,
  consentRef: true,
});
const incomeListSchema = entrySchema.shape.incomeAtEntry;

export type IncomeLine = Readonly<{ source: IncomeSource; extentPct: number }>;

function parseIncome(
  v: string,
): { lines: IncomeLine[] } | { error: ImportRowErrorCode; params?: ImportRowParams } {
  const lines: IncomeLine[] = [];
  for (const part of v.split('|')) {
    const text = part.trim();
    if (!text) continue;
    const m = /^(.*?)\s*(?::\s*(\S+?)\s*%?)?$/.exec(text)!;
    const source = INCOME_LOOKUP.get(normaliseValue(m[1]!));
    if (!source) return { error: 'unknown_income_source', params: { name: m[1]! } };
    let extentPct = 100;
    if (m[2] !== undefined) {
      extentPct = Number(m[2]);
      if (!/^\d{1,3}$/.test(m[2]) || extentPct > 100)
        return { error: 'invalid_extent', params: { name: m[1]! } };
    }
    if (lines.some((l) => l.source === source))
      return { error: 'income_source_twice', params: { name: m[1]! } };
    lines.push(Object.freeze({ source, extentPct }));
  }
  return { lines };
}

/**
 * Per-import caches. The same few values repeat on thousands of rows (dates, income lists, target
 * groups), so each distinct text is parsed once and its result shared by every row.
 */
export class RowCache {
  private readonly strings = new Map<string, string>();
  private readonly normalised = new Map<string, string>();
  private readonly dates = new Map<string, string | null>();
  private readonly incomes = new Map<string, ReturnType<typeof parseIncome>>();
  private readonly groups = new Map<string, { ids: readonly string[]; unknown: string[] }>();

  intern(v: string): string {
    const hit = this.strings.get(v);
    if (hit !== undefined) return hit;
    this.strings.set(v, v);
    return v;
  }

  /** `normaliseValue`, once per distinct text. */
  norm(v: string): string {
    let r = this.normalised.get(v);
    if (r === undefined) this.normalised.set(v, (r = normaliseValue(v)));
    return r;
  }

  /** `parseDate`, once per distinct text; the result is shared by every row. */
  date(v: string): string | null {
    let r = this.dates.get(v);
    if (r === undefined) this.dates.set(v, (r = parseDate(v)));
    return r;
  }

  income(v: string): ReturnType<typeof parseIncome> {
    let r = this.incomes.get(v);
    if (!r) {
      r = parseIncome(v);
      if ('lines' in r && r.lines.length && !incomeListSchema.safeParse(r.lines).success)
        r = { error: 'invalid_income' };
      this.incomes.set(v, r);
    }
    return r;
  }

  private readonly exits = new Map<string, { path: string; code: string }[]>();

  /** The exit schema's issues for this combination (empty: valid). */
  exitIssues(
    exitReason: string | undefined,
    occupationAfter: string | undefined,
    incomeText: string,
    incomeAtExit: readonly IncomeLine[],
  ) {
    const key = `${exitReason}|${occupationAfter}|${incomeText}`;
    let r = this.exits.get(key);
    if (!r) {
      const parsed = exitSchema.safeParse({
        exitDate: '2004-01-01',
        exitReason,
        occupationAfter: occupationAfter ?? null,
        incomeAtExit,
      });
      r = parsed.success ? [] : toFieldIssues(parsed.error.issues as ZodishIssue[]);
      this.exits.set(key, r);
    }
    return r;
  }

  targetGroups(ref: ImportReference, v: string): { ids: readonly string[]; unknown: string[] } {
    let r = this.groups.get(v);
    if (!r) {
      const ids: string[] = [];
      const unknown: string[] = [];
      for (const part of v.split('|')) {
        if (!part.trim()) continue;
        const id = ref.targetGroups.get(normaliseValue(part));
        if (id) {
          if (!ids.includes(id)) ids.push(id);
        } else unknown.push(part.trim());
      }
      this.groups.set(v, (r = { ids: Object.freeze(ids), unknown }));
    }
    return r;
  }
}

const NO_INCOME: readonly IncomeLine[] = Object.freeze([]);

/** Checks one data row on its own. */
export function validateRow(
  ref: ImportReference,
  columns: ColumnMap,
  sheetRow: SheetRow,
  cache: RowCache = new RowCache(),
): { ok: true; value: ValidRow } | { ok: false; errors: RowError[] } {
  const { row, cells } = sheetRow;
  const errors: RowError[] = [];
  const err = (column: ColumnKey, code: ImportRowErrorCode, params?: ImportRowParams) =>
    errors.push(rowError(row, column, code, params));
  const get = (c: ColumnKey): string => {
    const i = columns.get(c);
    const v = i === undefined ? '' : (cells[i] ?? '').trim();
    // The export guards a cell starting with =, +, - or @ with an apostrophe against Excel formulas.
    return v.length > 1 && v[0] === "'" && /^'[=+\-@]/.test(v) ? v.slice(1) : v;
  };

  // insats
  const insatsName = get('insats');
  let intervention: RefIntervention | undefined;
  if (!insatsName) err('insats', 'insats_required');
  else {
    intervention = ref.interventions.get(cache.norm(insatsName));
    // An insats the caller may not work with is reported exactly like one that does not exist.
    if (!intervention || !intervention.allowed) {
      err('insats', 'unknown_insats');
      intervention = undefined;
    } else if (intervention.direction !== 'individual') {
      err('insats', 'structural_insats');
      intervention = undefined;
    }
  }

  // anonym, personnummer, kön
  const anonText = cache.norm(get('anonym'));
  let anonymous = false;
  if (YES.has(anonText)) anonymous = true;
  else if (!NO.has(anonText)) err('anonym', 'invalid_yes_no');
  const pnrText = get('personnummer');
  const sexText = cache.norm(get('kön'));
  let sex: Sex | undefined;
  if (sexText) {
    sex = SEX_LOOKUP.get(sexText);
    if (!sex) err('kön', 'invalid_sex');
  }

  // startdatum, slutdatum
  const startText = get('startdatum');
  const entryDate = startText ? cache.date(startText) : null;
  if (!startText) err('startdatum', 'entry_date_required');
  else if (!entryDate) err('startdatum', 'invalid_date');
  const endText = get('slutdatum');
  const exitDate = endText ? cache.date(endText) : null;
  if (endText && !exitDate) err('slutdatum', 'invalid_date');
  if (entryDate && exitDate) {
    if (exitDate < entryDate) err('slutdatum', 'exit_before_entry');
    else if (exitDate > ref.today) err('slutdatum', 'exit_date_future');
  }

  if (anonymous) {
    if (pnrText) err('personnummer', 'anonymous_with_personnummer');
    if (!sexText) err('kön', 'anonymous_sex_required');
    if (entryDate && entryDate > ref.today) err('startdatum', 'entry_date_future');
    if (entryDate && entryDate < '2004-01-01') err('startdatum', 'anonymous_before_2004');
    if (errors.length || !intervention || !sex || !entryDate) return { ok: false, errors };
    return {
      ok: true,
      value: {
        kind: 'anonymous',
        row,
        interventionId: intervention.id,
        sex,
        year: Number(entryDate.slice(0, 4)),
        exitYear: exitDate ? Number(exitDate.slice(0, 4)) : null,
      },
    };
  }

  // An identified participant.
  if (intervention && intervention.followUp !== 'person') err('insats', 'count_only_insats');
  let parsed: ReturnType<typeof parsePersonnummer> | undefined;
  if (!pnrText) err('personnummer', 'personnummer_required');
  else {
    parsed = parsePersonnummer(pnrText);
    if (!parsed.ok) err('personnummer', PNR_CODES[parsed.error]);
    else if (sex && sex !== parsed.value.sex) err('kön', 'sex_mismatch');
  }

  const kommunText = get('kommun');
  let municipalityCode = '';
  if (!kommunText) err('kommun', 'municipality_required');
  else {
    const key = cache.norm(kommunText);
    if (OTHER_MUNICIPALITY_WORDS.has(key)) municipalityCode = 'other';
    else {
      // Excel drops the leading zero of a code such as 0180 when the cell is a number.
      const code = /^\d{1,4}$/.test(key) ? key.padStart(4, '0') : key;
      const found = ref.municipalities.get(code);
      if (found) municipalityCode = found;
      else err('kommun', 'unknown_municipality');
    }
  }

  let incomeAtEntry: readonly IncomeLine[] = NO_INCOME;
  const incomeStart = get('försörjning_start');
  if (!incomeStart) err('försörjning_start', 'income_at_entry_required');
  else {
    const r = cache.income(incomeStart);
    if ('error' in r) err('försörjning_start', r.error, r.params);
    else incomeAtEntry = r.lines;
  }

  const groups = cache.targetGroups(ref, get('målgrupp'));
  for (const name of groups.unknown) err('målgrupp', 'unknown_target_group', { name });

  const consentText = get('samtycke_datum');
  const consentDate = consentText ? cache.date(consentText) : null;
  if (!consentText) err('samtycke_datum', 'consent_date_required');
  else if (!consentDate) err('samtycke_datum', 'invalid_date');

  const consentRef = get('samtycke_referens');
  // PostgreSQL cannot store NUL, and no other control character belongs in a reference.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f]/.test(consentRef)) err('samtycke_referens', 'invalid_text');

  const educationText = get('utbildningsnivå');
  const educationLevel = educationText ? (EDUCATION_LOOKUP.get(cache.norm(educationText)) ?? null) : null;
  if (educationText && !educationLevel) err('utbildningsnivå', 'unknown_education');

  const monthsText = get('månader_offentlig_försörjning');
  let supportMonths: number | null = null;
  if (monthsText) {
    if (/^\d{1,4}$/.test(monthsText) && Number(monthsText) <= 1200) supportMonths = Number(monthsText);
    else err('månader_offentlig_försörjning', 'invalid_support_months');
  }

  const memberText = get('remitterande_part');
  const referringMemberId = memberText ? (ref.members.get(cache.norm(memberText)) ?? null) : null;
  if (memberText && !referringMemberId) err('remitterande_part', 'unknown_member');

  // Exit fields belong together: a date needs a reason, occupation and income (unless felregistrering).
  const reasonText = get('avslutsanledning');
  const occupationText = get('sysselsättning_efter');
  const incomeEnd = get('försörjning_slut');
  const exitReason = reasonText ? EXIT_REASON_LOOKUP.get(cache.norm(reasonText)) : undefined;
  const occupationAfter = occupationText ? OCCUPATION_LOOKUP.get(cache.norm(occupationText)) : undefined;
  if (reasonText && !exitReason) err('avslutsanledning', 'unknown_exit_reason');
  if (occupationText && !occupationAfter) err('sysselsättning_efter', 'unknown_occupation');
  let incomeAtExit: readonly IncomeLine[] = NO_INCOME;
  if (incomeEnd) {
    const r = cache.income(incomeEnd);
    if ('error' in r) err('försörjning_slut', r.error, r.params);
    else incomeAtExit = r.lines;
  }
  if (!endText) {
    if (reasonText) err('avslutsanledning', 'exit_reason_without_exit');
    if (occupationText) err('sysselsättning_efter', 'occupation_without_exit');
    if (incomeEnd) err('försörjning_slut', 'income_at_exit_without_exit');
  } else {
    if (!reasonText) err('avslutsanledning', 'exit_reason_required');
    const realExit = exitReason !== 'registration_error';
    if (realExit && !occupationText) err('sysselsättning_efter', 'occupation_required');
    if (realExit && !incomeEnd) err('försörjning_slut', 'income_at_exit_required');
  }

  if (errors.length || !intervention || !parsed?.ok || !entryDate || !consentDate)
    return { ok: false, errors };

  // The register's own rules (see `entryScalars`) and association checks (`checkEntryFields`).
  const entry = {
    interventionId: intervention.id,
    entryDate,
    municipalityCode,
    supportMonths,
    educationLevel,
    referringMemberId,
    consentDate,
    consentRef,
  };
  const entryParsed = entryScalars.safeParse({
    interventionId: entry.interventionId,
    municipalityCode,
    supportMonths,
    educationLevel,
    referringMemberId,
    consentRef,
  });
  if (!entryParsed.success) {
    for (const i of toFieldIssues(entryParsed.error.issues as ZodishIssue[]))
      errors.push(issueToError(row, i.path, i.code));
    return { ok: false, errors };
  }
  try {
    checkEntryFields(ref.entryContext, { ...entry, targetGroupIds: groups.ids as string[] }, ref.today);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    for (const i of e.issues ?? []) errors.push(issueToError(row, i.path, i.code));
  }
  if (exitDate)
    for (const i of cache.exitIssues(exitReason, occupationAfter, incomeEnd, incomeAtExit))
      errors.push(issueToError(row, i.path, i.code));
  if (errors.length) return { ok: false, errors };

  // Validated: keep the row's own values (shared where they repeat), not zod's copies.
  return {
    ok: true,
    value: {
      kind: 'person',
      row,
      digits: parsed.value.digits,
      hash: '',
      sex: parsed.value.sex,
      birthYear: parsed.value.birthYear,
      interventionId: intervention.id,
      entryDate,
      exitDate,
      municipalityCode,
      incomeAtEntry,
      incomeAtExit: exitDate ? incomeAtExit : NO_INCOME,
      supportMonths,
      educationLevel,
      targetGroupIds: groups.ids,
      referringMemberId,
      consentDate,
      consentRef: cache.intern(consentRef),
      exitReason: exitDate ? (exitReason ?? null) : null,
      occupationAfter: exitDate ? (occupationAfter ?? null) : null,
      action: null,
      returner: false,
      participationId: null,
      personId: null,
    },
  };
}

// ---------------------------------------------------------------- all rows against the register

/** A participation already in the register, of a person named in the file. */
export interface StoredParticipation {
  id: string;
  personHash: string;
  interventionId: string;
  entryDate: string;
  exitDate: string | null;
  exitReason: string | null;
}

interface Period {
  start: string;
  end: string | null;
  /** The file row that created it or added its exit; null for a stored participation left as is. */
  row: number | null;
  stored: boolean;
  counts: boolean;
}

const overlaps = (a: Period, b: Period) =>
  a.start <= (b.end ?? '9999-12-31') && b.start <= (a.end ?? '9999-12-31');
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Decides, for every valid person row (with its lookup hash), whether it creates a participation,
 * adds an exit to a stored ongoing one, or is already stored; and finds duplicates and overlaps.
 * Overlaps are judged on the final state: stored participations with the file's exits applied.
 * Sets `action`, `returner` and (for updates) `participationId` on the rows; returns the rows
 * ordered by person (for writing persons once each) and the errors.
 */
export function planAgainstRegister(
  rows: PersonRow[],
  stored: StoredParticipation[],
  returnWindowDays: number,
): { ordered: PersonRow[]; errors: RowError[] } {
  const errors: RowError[] = [];
  const ordered = rows
    .slice()
    .sort(
      (a, b) =>
        cmp(a.hash, b.hash) ||
        cmp(a.interventionId, b.interventionId) ||
        cmp(a.entryDate, b.entryDate) ||
        a.row - b.row,
    );
  const storedSorted = stored.slice().sort((a, b) => cmp(a.personHash, b.personHash));
  let s = 0;
  for (let i = 0; i < ordered.length;) {
    const hash = ordered[i]!.hash;
    let j = i + 1;
    while (j < ordered.length && ordered[j]!.hash === hash) j++;
    while (s < storedSorted.length && storedSorted[s]!.personHash < hash) s++;
    let t = s;
    while (t < storedSorted.length && storedSorted[t]!.personHash === hash) t++;
    planPerson(ordered.slice(i, j), storedSorted.slice(s, t), returnWindowDays, errors);
    i = j;
    s = t;
  }
  return { ordered, errors };
}

/** One person's rows (sorted by insats, entry date, row) against their stored participations. */
function planPerson(
  rows: PersonRow[],
  stored: StoredParticipation[],
  windowDays: number,
  errors: RowError[],
) {
  const unique: PersonRow[] = [];
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    const prev = unique[unique.length - 1];
    if (prev && prev.interventionId === r.interventionId && prev.entryDate === r.entryDate) {
      errors.push(rowError(r.row, 'personnummer', 'duplicate_row', { row: prev.row }));
      continue;
    }
    unique.push(r);
  }

  const added = new Map<string, PersonRow>(); // stored id → the row adding its exit
  const creates: PersonRow[] = [];
  for (const r of unique) {
    const s = stored.find((x) => x.interventionId === r.interventionId && x.entryDate === r.entryDate);
    if (!s) {
      creates.push(r);
      continue;
    }
    if (!r.exitDate || s.exitDate === r.exitDate) r.action = 'skip';
    else if (s.exitDate === null) {
      r.action = 'update';
      r.participationId = s.id;
      added.set(s.id, r);
    } else
      errors.push(rowError(r.row, 'slutdatum', 'already_exited', { start: s.entryDate, exit: s.exitDate! }));
  }

  // Final periods per insats, for the overlap check; exits across insatser, for returners.
  const periods = new Map<string, Period[]>();
  const exits: { exitDate: string; row: number | null }[] = [];
  const add = (interventionId: string, p: Period, exitReason: string | null) => {
    let list = periods.get(interventionId);
    if (!list) periods.set(interventionId, (list = []));
    list.push(p);
    if (p.end && exitReason !== 'registration_error') exits.push({ exitDate: p.end, row: p.row });
  };
  for (const s of stored) {
    const a = added.get(s.id);
    const exitReason = a ? a.exitReason : s.exitReason;
    add(
      s.interventionId,
      {
        start: s.entryDate,
        end: a ? a.exitDate : s.exitDate,
        row: a ? a.row : null,
        stored: true,
        counts: exitReason !== 'registration_error',
      },
      exitReason,
    );
  }
  for (const r of creates)
    add(
      r.interventionId,
      {
        start: r.entryDate,
        end: r.exitDate,
        row: r.row,
        stored: false,
        counts: r.exitReason !== 'registration_error',
      },
      r.exitReason,
    );

  const overlapRows = new Set<number>();
  for (const list of periods.values()) {
    if (list.length < 2) continue;
    for (const a of list) {
      if (!a.counts || a.row === null) continue;
      for (const b of list) {
        if (a === b || !b.counts || !overlaps(a, b)) continue;
        if (b.stored) {
          // A new row against a stored participation; an added exit against another stored one.
          if (!a.stored || b.row === null) {
            overlapRows.add(a.row);
            errors.push(
              rowError(a.row, a.stored ? 'slutdatum' : 'startdatum', 'overlaps_stored', { start: b.start }),
            );
            break;
          }
        } else if (b.row !== null && b.row < a.row) {
          // Two rows of the file: reported once, on the later row.
          overlapRows.add(a.row);
          errors.push(rowError(a.row, 'startdatum', 'overlaps_row', { row: b.row, start: b.start }));
          break;
        }
      }
    }
  }

  for (const r of creates) {
    if (overlapRows.has(r.row)) continue;
    r.action = 'create';
    r.returner = exits.some(
      (e) =>
        e.row !== r.row && e.exitDate <= r.entryDate && daysBetween(e.exitDate, r.entryDate) <= windowDays,
    );
  }
}

/** Errors in reading order: by row, then by the column's position in the format. */
export function sortErrors(errors: RowError[]): RowError[] {
  const pos = (c: string) => {
    const i = HEADERS.indexOf(c as ColumnKey);
    return i < 0 ? -1 : i;
  };
  return errors.sort((a, b) => a.row - b.row || pos(a.column) - pos(b.column));
}
