import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { suppressCells, isSensitive, type Line } from './suppression.js';

/**
 * A 2×2 table with row, column and grand totals: cells 0–3 inner (r0c0, r0c1, r1c0, r1c1),
 * 4–5 row totals, 6–7 column totals, 8 grand total.
 */
function table(inner: [number, number, number, number]) {
  const [a, b, c, d] = inner;
  const values = [a, b, c, d, a + b, c + d, a + c, b + d, a + b + c + d];
  const lines: Line[] = [
    { parts: [0, 1], total: 4 },
    { parts: [2, 3], total: 5 },
    { parts: [0, 2], total: 6 },
    { parts: [1, 3], total: 7 },
    { parts: [4, 5], total: 8 },
    { parts: [6, 7], total: 8 },
  ];
  return { values, lines };
}

/**
 * Independent check by brute force: every non-negative integer table that agrees with the published
 * cells. A suppressed cell is safe when at least two values remain possible for it.
 */
function possibleValues(values: number[], hidden: Set<number>): Map<number, Set<number>> {
  const max = values[8]! + 10;
  const out = new Map<number, Set<number>>([...hidden].map((h) => [h, new Set<number>()]));
  for (let a = 0; a <= max; a++)
    for (let b = 0; b <= max; b++)
      for (let c = 0; c <= max; c++)
        for (let d = 0; d <= max; d++) {
          const cand = table([a, b, c, d]).values;
          if (cand.some((v, i) => !hidden.has(i) && v !== values[i])) continue;
          for (const h of hidden) out.get(h)!.add(cand[h]!);
        }
  return out;
}

describe('small-number suppression', () => {
  it('hides every count of 1–4 and leaves 0 and ≥ 5 alone when nothing else is needed', () => {
    const { values, lines } = table([0, 0, 7, 8]);
    expect(suppressCells(values, lines).size).toBe(0);
    const hidden = suppressCells(...(Object.values(table([3, 9, 7, 8])) as [number[], Line[]]));
    expect(hidden.has(0)).toBe(true);
  });

  it('suppresses a second cell so the first cannot be derived from the total (kvinna + man = total)', () => {
    // total 10 = kvinna 6 + man 4: hiding only "man" would reveal it as 10 − 6.
    const hidden = suppressCells([10, 6, 4], [{ parts: [1, 2], total: 0 }]);
    expect([...hidden].sort()).toEqual([1, 2]);
  });

  it('property: no suppressed cell of a 2×2 table with margins can be derived, and all 1–4 are suppressed', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(6), fc.nat(6), fc.nat(6), fc.nat(6)), (inner) => {
        const { values, lines } = table(inner);
        const hidden = suppressCells(values, lines);
        values.forEach((v, i) => {
          if (isSensitive(v)) expect(hidden.has(i)).toBe(true);
        });
        for (const [cell, possible] of possibleValues(values, hidden)) {
          expect(
            possible.size,
            `cell ${cell} of ${JSON.stringify(values)} hidden ${JSON.stringify([...hidden])}`,
          ).toBeGreaterThan(1);
        }
      }),
      { numRuns: 60, seed: 20261128 },
    );
  });
});
