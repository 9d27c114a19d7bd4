/**
 * Swedish number formats and labels for the report files (PDF, XLSX, national export). Numbers
 * follow sv-SE: a (non-breaking) space before the per cent sign and as thousands separator,
 * "40 %", "12 000 kr".
 */
import type { ReportFilter } from '../../../../shared/report-schemas.js';

const integer = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('sv-SE', { style: 'percent', maximumFractionDigits: 0 });
const kronor = new Intl.NumberFormat('sv-SE', {
  style: 'currency',
  currency: 'SEK',
  maximumFractionDigits: 0,
});
const longDate = new Intl.DateTimeFormat('sv-SE', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** Shown for a value hidden by small-number protection. */
export const SUPPRESSED_MARK = '–';
/** Shown where a value does not apply (a share of nothing, a median without exits). */
export const NOT_APPLICABLE_MARK = '.';

export const formatCount = (n: number) => integer.format(n);
/** A share (fraction 0–1) as a whole per cent: 0.4 → "40 %". */
export const formatShare = (f: number) => percent.format(f);
export const formatKronor = (n: number) => kronor.format(n);
export const formatDays = (n: number) => `${integer.format(Math.round(n))} dagar`;

/** "2025-04-30" → "30 april 2025". */
export function formatDate(iso: string): string {
  return longDate.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
}

/** "1 januari–30 april 2025", or with both years when the period spans years. */
export function formatPeriod(p: { from: string; to: string }): string {
  const from = formatDate(p.from);
  const to = formatDate(p.to);
  if (p.from.slice(0, 4) === p.to.slice(0, 4)) return `${from.replace(/ \d{4}$/, '')}–${to}`;
  return `${from}–${to}`;
}

export const SEX_LABELS = { total: 'Totalt', kvinna: 'Kvinnor', man: 'Män' } as const;

export const DIRECTION_LABELS = {
  individual: 'individinriktad',
  structural: 'strukturövergripande',
} as const;

/** The national income groups (finsam.se) as the engine names them. */
export const INCOME_GROUP_LABELS: Record<string, string> = {
  ohalsa: 'Ohälsa',
  arbetsmarknadsstod: 'Arbetsmarknadsstöd',
  ekonomiskt_bistand: 'Ekonomiskt bistånd',
  ingen: 'Ingen offentlig försörjning',
  okand: 'Okänd',
};

export const DAY_BAND_LABELS: Record<string, string> = {
  '0-90': '0–90 dagar',
  '91-180': '91–180 dagar',
  '181-365': '181–365 dagar',
  '366-730': '366–730 dagar',
  '731+': '731 dagar eller fler',
};

export const AGE_BAND_LABELS: Record<string, string> = {
  '16-19': '16–19 år',
  '20-24': '20–24 år',
  '25-29': '25–29 år',
  '30-39': '30–39 år',
  '40-49': '40–49 år',
  '50-64': '50–64 år',
  other: 'Övriga åldrar',
};

export const BREAKDOWN_LABELS = {
  ageBand: { sheet: 'Åldersgrupper', title: 'Per åldersgrupp', column: 'Åldersgrupp' },
  municipality: { sheet: 'Kommuner', title: 'Per kommun', column: 'Kommun' },
  intervention: { sheet: 'Insatser', title: 'Per insats', column: 'Insats' },
} as const;

/** Names for the ids in a filter, so a file says "Insats: Steget" rather than a uuid. */
export interface FilterNames {
  interventions: Map<string, string>;
  members: Map<string, string>;
  targetGroups: Map<string, string>;
  municipalities: Map<string, string>;
}

/** The filter in words, e.g. "Insats: Steget; kön: kvinnor". "Hela förbundet" without a filter. */
export function describeFilter(f: ReportFilter, names: FilterNames): string {
  const parts: string[] = [];
  if (f.interventionIds?.length)
    parts.push(
      `${f.interventionIds.length > 1 ? 'Insatser' : 'Insats'}: ${f.interventionIds.map((id) => names.interventions.get(id) ?? id).join(', ')}`,
    );
  if (f.direction) parts.push(`Inriktning: ${DIRECTION_LABELS[f.direction]}`);
  if (f.organiserMemberId)
    parts.push(`Anordnare: ${names.members.get(f.organiserMemberId) ?? f.organiserMemberId}`);
  if (f.municipalityCode) parts.push(`Kommun: ${municipalityLabel(f.municipalityCode, names)}`);
  if (f.sex) parts.push(`Kön: ${f.sex === 'kvinna' ? 'kvinnor' : 'män'}`);
  if (f.ageBand) parts.push(`Åldersgrupp: ${AGE_BAND_LABELS[f.ageBand] ?? f.ageBand}`);
  if (f.ageFrom !== undefined && f.ageTo !== undefined) parts.push(`Ålder: ${f.ageFrom}–${f.ageTo} år`);
  else if (f.ageFrom !== undefined) parts.push(`Ålder: från ${f.ageFrom} år`);
  else if (f.ageTo !== undefined) parts.push(`Ålder: till ${f.ageTo} år`);
  if (f.targetGroupId) parts.push(`Målgrupp: ${names.targetGroups.get(f.targetGroupId) ?? f.targetGroupId}`);
  return parts.length ? parts.join('; ') : 'Hela förbundet';
}

export function municipalityLabel(code: string, names: FilterNames): string {
  if (code === 'other') return 'Annan kommun';
  const name = names.municipalities.get(code);
  return name ? `${name} (${code})` : code;
}

/** An ASCII file name part: "Tertialrapport 1 – Ö-vik" → "tertialrapport-1-o-vik". */
export function fileSlug(s: string): string {
  return (
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'rapport'
  );
}

/** Content-Disposition for a download, with an ASCII fallback and the UTF-8 name (RFC 6266). */
export function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
