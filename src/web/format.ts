/**
 * Number, money and date formatting. Samverka's figures are Swedish public money, so they are shown
 * the Swedish way (12 000 000 kr, 52,40 %, 2026-11-28 14:05) in both UI languages: a figure copied
 * from the screen into a Swedish report or spreadsheet then reads the same.
 */
const LOCALE = 'sv-SE';

const money = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'SEK', maximumFractionDigits: 0 });
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const percent2 = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percentShort = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 0, maximumFractionDigits: 4 });
const dateTime = new Intl.DateTimeFormat(LOCALE, {
  dateStyle: 'short',
  timeStyle: 'short',
  timeZone: 'Europe/Stockholm',
});

/** 12000000 → "12 000 000 kr". */
export function formatMoney(amount: number): string {
  return money.format(amount);
}

/** 12000000 → "12 000 000" with ordinary spaces, for an input a person edits. */
export function integerInputValue(n: number): string {
  return integer.format(n).replace(/[\u00a0\u202f]/g, ' ');
}

/** 52.4 → "52,4 %" (as many decimals as needed, at most four). */
export function formatPercent(p: number): string {
  return `${percentShort.format(p)}\u00a0%`;
}

/** 52.4 → "52,40 %": for sums and inputs with exactly two decimals. */
export function formatPercent2(p: number): string {
  return `${percent2.format(p)}\u00a0%`;
}

/** 52.4 → "52,40", the value shown in a percent input. */
export function percentInputValue(p: number): string {
  return percent2.format(p);
}

/** ISO timestamp → "2026-11-28 14:05" in Swedish time. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/**
 * Reads a decimal typed by a person: "52,4", "52.40", " 52 " → 52.4. Null for anything else
 * (empty, letters, two separators, a minus sign).
 */
export function parseDecimal(input: string): number | null {
  const s = input.replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(s)) return null;
  return Number(s);
}

/** Reads a whole number of kronor: "12 000 000", "12000000 kr" → 12000000. Null if not a whole number. */
export function parseWholeKronor(input: string): number | null {
  const s = input.replace(/[\s\u00a0]/g, '').replace(/kr$/i, '');
  if (!/^\d+$/.test(s)) return null;
  return Number(s);
}

/** Sums percentages exactly, in hundredths, as the server does. */
export function sumPercent(values: number[]): number {
  return values.reduce((s, v) => s + Math.round(v * 100), 0) / 100;
}
