/**
 * Swedish personnummer and samordningsnummer (12 digits, YYYYMMDDNNNC).
 * A samordningsnummer has day + 60. The check digit C is Luhn over the last 10 digits.
 */
import { luhnValid } from './identifiers.js';
import { todaySweden } from './dates.js';

export type Sex = 'kvinna' | 'man';

export interface ParsedPersonnummer {
  /** Normalised 12 digits, no separator. */
  digits: string;
  birthDate: string; // YYYY-MM-DD (real day, also for samordningsnummer)
  birthYear: number;
  /** From the second-to-last digit: odd = man, even = kvinna. */
  sex: Sex;
  coordinationNumber: boolean;
}

export type PersonnummerError = 'format' | 'date' | 'luhn';

function isRealDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/**
 * Accepts `YYYYMMDDNNNN` or `YYYYMMDD-NNNN` (also `+`). 10-digit forms are refused: the century is ambiguous.
 * The birth date must exist and lie between 1900-01-01 and today (Swedish time).
 */
export function parsePersonnummer(
  input: string,
): { ok: true; value: ParsedPersonnummer } | { ok: false; error: PersonnummerError } {
  const m = /^(\d{8})[-+]?(\d{4})$/.exec(input.trim());
  if (!m) return { ok: false, error: 'format' };
  const digits = m[1]! + m[2]!;
  const year = Number(digits.slice(0, 4));
  const month = Number(digits.slice(4, 6));
  let day = Number(digits.slice(6, 8));
  const coordinationNumber = day > 60;
  if (coordinationNumber) day -= 60;
  // The check digit covers the last 10 digits only, so the century is checked by plausibility: a
  // birth date from 1900 up to today. This also catches every single mistyped century digit.
  if (year < 1900 || !isRealDate(year, month, day)) return { ok: false, error: 'date' };
  const birthDate = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${String(day).padStart(2, '0')}`;
  if (birthDate > todaySweden()) return { ok: false, error: 'date' };
  if (!luhnValid(digits.slice(2))) return { ok: false, error: 'luhn' };
  return {
    ok: true,
    value: {
      digits,
      birthDate,
      birthYear: year,
      sex: Number(digits[10]) % 2 === 1 ? 'man' : 'kvinna',
      coordinationNumber,
    },
  };
}

/** Computes the Luhn check digit for the first 11 digits of a 12-digit number. */
export function personnummerCheckDigit(first11: string): string {
  for (let c = 0; c <= 9; c++) if (luhnValid(first11.slice(2) + String(c))) return String(c);
  throw new Error('unreachable');
}

/** `YYYYMMDD-XXXX`: shows the birth date, hides the serial and check digit. */
export function maskPersonnummer(digits: string): string {
  return `${digits.slice(0, 8)}-XXXX`;
}

export function formatPersonnummer(digits: string): string {
  return `${digits.slice(0, 8)}-${digits.slice(8)}`;
}
