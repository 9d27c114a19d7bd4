import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatOrgNumber, isValidOrgNumber, luhnValid, normaliseOrgNumber } from './identifiers.js';

/** Reference Luhn check digit, written independently of the code under test. */
function checkDigit(payload: string): string {
  let sum = 0;
  // The check digit will sit rightmost, so the payload's rightmost digit is the first one doubled.
  [...payload].reverse().forEach((c, i) => {
    const d = Number(c) * (i % 2 === 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  });
  return String((10 - (sum % 10)) % 10);
}

const digit = fc.constantFrom(...'0123456789'.split(''));
const digits = (min: number, max: number) =>
  fc.array(digit, { minLength: min, maxLength: max }).map((a) => a.join(''));
/** A Luhn-valid digit string: a random payload with its check digit. */
const valid = (min: number, max: number) => digits(min, max).map((p) => p + checkDigit(p));

describe('luhnValid', () => {
  it('accepts real organisation numbers and rejects their neighbours', () => {
    // Försäkringskassan, Arbetsförmedlingen, Skatteverket.
    for (const n of ['2021005521', '2021002114', '2021005448']) {
      expect(luhnValid(n)).toBe(true);
      expect(luhnValid(n.slice(0, 9) + ((Number(n[9]) + 1) % 10))).toBe(false);
    }
  });

  it('accepts any payload followed by its correct check digit', () => {
    fc.assert(fc.property(valid(1, 30), (n) => luhnValid(n)));
  });

  it('rejects every other check digit', () => {
    fc.assert(
      fc.property(digits(1, 30), fc.integer({ min: 1, max: 9 }), (payload, offset) => {
        const wrong = String((Number(checkDigit(payload)) + offset) % 10);
        return !luhnValid(payload + wrong);
      }),
    );
  });

  it('rejects a valid number with any single digit changed', () => {
    fc.assert(
      fc.property(valid(1, 30), fc.nat(), fc.integer({ min: 1, max: 9 }), (n, pos, delta) => {
        const i = pos % n.length;
        const changed = n.slice(0, i) + String((Number(n[i]) + delta) % 10) + n.slice(i + 1);
        return !luhnValid(changed);
      }),
    );
  });

  it('rejects a swap of two adjacent different digits, except 0 and 9', () => {
    fc.assert(
      fc.property(valid(2, 30), fc.nat(), (n, pos) => {
        const i = pos % (n.length - 1);
        const [a, b] = [n[i]!, n[i + 1]!];
        fc.pre(a !== b && !(a + b === '09' || a + b === '90'));
        return !luhnValid(n.slice(0, i) + b + a + n.slice(i + 2));
      }),
    );
  });

  it('rejects anything that is not a string of digits', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^\d+$/.test(s)),
        (s) => !luhnValid(s),
      ),
    );
  });
});

describe('isValidOrgNumber', () => {
  it('accepts a 9-digit payload with its check digit, with or without the hyphen', () => {
    fc.assert(
      fc.property(valid(9, 9), (n) => {
        const hyphenated = formatOrgNumber(n);
        expect(hyphenated).toMatch(/^\d{6}-\d{4}$/);
        expect(normaliseOrgNumber(hyphenated)).toBe(n);
        expect(normaliseOrgNumber(` ${hyphenated} `)).toBe(n);
        return isValidOrgNumber(n) && isValidOrgNumber(hyphenated);
      }),
    );
  });

  it('rejects any single changed digit', () => {
    fc.assert(
      fc.property(
        valid(9, 9),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (n, i, delta) => {
          const changed = n.slice(0, i) + String((Number(n[i]) + delta) % 10) + n.slice(i + 1);
          return !isValidOrgNumber(changed) && !isValidOrgNumber(formatOrgNumber(changed));
        },
      ),
    );
  });

  it('rejects Luhn-valid numbers of any other length', () => {
    fc.assert(
      fc.property(
        valid(1, 20).filter((n) => n.length !== 10),
        (n) => !isValidOrgNumber(n) && normaliseOrgNumber(n) === null,
      ),
    );
  });

  it('rejects letters and other separators', () => {
    for (const s of ['', '202100 5521', '202100/5521', '20210O5521', '2021005521x', '+2021005521']) {
      expect(isValidOrgNumber(s)).toBe(false);
    }
  });
});
