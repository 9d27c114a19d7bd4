import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatPersonnummer,
  maskPersonnummer,
  parsePersonnummer,
  personnummerCheckDigit,
} from './personnummer.js';
import { todaySweden } from './dates.js';

const DAY = 86_400_000;
const FIRST_DAY = Date.UTC(1900, 0, 1);
const LAST_DAY = Date.parse(`${todaySweden()}T00:00:00Z`);

/** A real birth date from 1900 up to today, as its parts. */
const birthDate = fc.integer({ min: 0, max: (LAST_DAY - FIRST_DAY) / DAY }).map((n) => {
  const d = new Date(FIRST_DAY + n * DAY);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
});
const serial = fc.integer({ min: 0, max: 999 });

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const iso = (b: { y: number; m: number; d: number }) => `${b.y}-${pad(b.m, 2)}-${pad(b.d, 2)}`;

/** 12 digits with the check digit computed: day + 60 for a samordningsnummer. */
function build(b: { y: number; m: number; d: number }, s: number, coordination = false): string {
  const first11 = `${b.y}${pad(b.m, 2)}${pad(b.d + (coordination ? 60 : 0), 2)}${pad(s, 3)}`;
  return first11 + personnummerCheckDigit(first11);
}

const validNumber = fc
  .tuple(birthDate, serial, fc.boolean())
  .map(([b, s, coordination]) => ({ b, s, coordination, digits: build(b, s, coordination) }));

describe('parsePersonnummer (property)', () => {
  it('accepts every real date + serial + computed check digit, deriving sex and birth year', () => {
    fc.assert(
      fc.property(birthDate, serial, fc.constantFrom('', '-', '+'), (b, s, sep) => {
        const digits = build(b, s);
        const r = parsePersonnummer(`${digits.slice(0, 8)}${sep}${digits.slice(8)}`);
        expect(r).toEqual({
          ok: true,
          value: {
            digits,
            birthDate: iso(b),
            birthYear: b.y,
            // The 11th digit (last digit of the serial): odd = man, even = kvinna.
            sex: s % 2 === 1 ? 'man' : 'kvinna',
            coordinationNumber: false,
          },
        });
      }),
      { numRuns: 500 },
    );
  });

  it('accepts a samordningsnummer (day + 60) and reports the real birth date', () => {
    fc.assert(
      fc.property(birthDate, serial, (b, s) => {
        const digits = build(b, s, true);
        expect(Number(digits.slice(6, 8))).toBe(b.d + 60);
        const r = parsePersonnummer(digits);
        expect(r).toEqual({
          ok: true,
          value: {
            digits,
            birthDate: iso(b),
            birthYear: b.y,
            sex: s % 2 === 1 ? 'man' : 'kvinna',
            coordinationNumber: true,
          },
        });
      }),
      { numRuns: 500 },
    );
  });

  it('refuses any single-digit change, in any of the 12 positions, with a luhn or date error', () => {
    fc.assert(
      fc.property(
        validNumber,
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 1, max: 9 }),
        (v, pos, delta) => {
          const changed = (Number(v.digits[pos]) + delta) % 10;
          const typo = v.digits.slice(0, pos) + String(changed) + v.digits.slice(pos + 1);
          const r = parsePersonnummer(typo);
          expect(r.ok).toBe(false);
          if (!r.ok) expect(['luhn', 'date']).toContain(r.error);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses a changed century (the check digit does not cover it): always a date error', () => {
    // 19xx ↔ 20xx is not caught by Luhn, which runs over the last 10 digits only.
    fc.assert(
      fc.property(
        validNumber,
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: 1, max: 9 }),
        (v, pos, delta) => {
          const changed = (Number(v.digits[pos]) + delta) % 10;
          const typo = v.digits.slice(0, pos) + String(changed) + v.digits.slice(pos + 1);
          expect(parsePersonnummer(typo)).toEqual({ ok: false, error: 'date' });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses dates that do not exist as date errors, even with a valid check digit', () => {
    for (const first8 of [
      '20230230',
      '20230229', // not a leap year
      '19000229', // 1900 was not a leap year
      '20231301',
      '20230001',
      '20230100',
      '20230132',
      '20230431',
      '20230290', // samordningsnummer for 30 February
      '20230160', // samordningsnummer day 00
      '20230192', // samordningsnummer day 32
    ]) {
      const first11 = `${first8}123`;
      const digits = first11 + personnummerCheckDigit(first11);
      expect({ first8, r: parsePersonnummer(digits) }).toEqual({ first8, r: { ok: false, error: 'date' } });
    }
    const leap = '20240229123';
    expect(parsePersonnummer(leap + personnummerCheckDigit(leap)).ok).toBe(true);
  });

  it('refuses a birth date in the future and before 1900', () => {
    const nextYear = new Date(LAST_DAY).getUTCFullYear() + 1;
    for (const first8 of [`${nextYear}0101`, '18991231', '18950615']) {
      const first11 = `${first8}123`;
      expect(parsePersonnummer(first11 + personnummerCheckDigit(first11))).toEqual({
        ok: false,
        error: 'date',
      });
    }
  });

  it('refuses 10-digit forms and anything that is not 12 digits as format errors', () => {
    const digits = build({ y: 1985, m: 6, d: 15 }, 982);
    for (const input of [
      digits.slice(2),
      `${digits.slice(2, 8)}-${digits.slice(8)}`,
      `${digits}0`,
      digits.slice(0, 11),
      `${digits.slice(0, 8)}--${digits.slice(8)}`,
      `${digits.slice(0, 8)} ${digits.slice(8)}`,
      digits.replace(/\d$/, 'X'),
      '',
    ]) {
      expect({ input, r: parsePersonnummer(input) }).toEqual({ input, r: { ok: false, error: 'format' } });
    }
    expect(parsePersonnummer(`  ${digits}  `)).toMatchObject({ ok: true, value: { digits } });
  });
});

describe('maskPersonnummer (property)', () => {
  it('always yields YYYYMMDD-XXXX: the birth date, never the serial or check digit', () => {
    fc.assert(
      fc.property(validNumber, fc.integer({ min: 0, max: 9999 }), (v, otherLast4) => {
        const mask = maskPersonnummer(v.digits);
        expect(mask).toMatch(/^\d{8}-XXXX$/);
        expect(mask).toBe(`${v.digits.slice(0, 8)}-XXXX`);
        // The last four never appear where they belong, nor in the 10- or 12-digit form. (They can
        // appear inside the date by chance, as 0001 does in 19000108, which reveals nothing.)
        expect(mask.slice(9)).toBe('XXXX');
        expect(mask).not.toContain(formatPersonnummer(v.digits));
        expect(mask.replace('-', '')).not.toContain(v.digits.slice(2));
        // It reveals nothing about the last four: any other last four give the same mask.
        expect(maskPersonnummer(v.digits.slice(0, 8) + pad(otherLast4, 4))).toBe(mask);
      }),
      { numRuns: 1000 },
    );
  });

  it('formatPersonnummer writes the full number as YYYYMMDD-NNNN and parses back', () => {
    fc.assert(
      fc.property(validNumber, (v) => {
        const formatted = formatPersonnummer(v.digits);
        expect(formatted).toBe(`${v.digits.slice(0, 8)}-${v.digits.slice(8)}`);
        expect(parsePersonnummer(formatted)).toMatchObject({ ok: true, value: { digits: v.digits } });
      }),
      { numRuns: 300 },
    );
  });
});
