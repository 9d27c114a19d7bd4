/**
 * Small-number protection (domain.md §8). Counts of 1–4 are suppressed (primary), and further cells
 * are suppressed (secondary) until no suppressed cell can be derived from a published total or from
 * the other cells of its row or column. Zero is published: it reveals no individual.
 */

export const MIN_PUBLISHED_COUNT = 5;

export function isSensitive(n: number): boolean {
  return n >= 1 && n < MIN_PUBLISHED_COUNT;
}

/**
 * One additive line: `total = sum(parts)`. Indices refer to a flat cell list; `total` may be
 * undefined when the line's total is not published.
 */
export interface Line {
  parts: number[];
  total?: number;
}

/**
 * The hidden cells whose value follows exactly from the published cells and the additive lines.
 * Each line with a published total gives an equation over its hidden members; a hidden cell is
 * determined when its unit vector lies in the row space of those equations (Gaussian elimination).
 */
export function determinedCells(values: number[], lines: Line[], hidden: Set<number>): number[] {
  return determinedAmong(
    lines.filter((l) => l.total !== undefined).map((l) => ({ parts: l.parts, total: l.total! })),
    hidden,
    values.length,
  );
}

/**
 * `determinedCells` over the lines that have a total, for cells 0…size−1. The matrix is one flat
 * array and rows are swapped through an index; the elimination touches only the non-zero entries
 * of each pivot row. Skipping an entry that is zero leaves every other entry exactly as dividing or
 * subtracting it would (x − f·0 = x), so the result is that of the full dense elimination, with the
 * same pivots in the same order, at a fraction of the work on these sparse 0/±1 systems.
 */
function determinedAmong(lines: readonly Required<Line>[], hidden: Set<number>, size: number): number[] {
  const vars = [...hidden];
  const n = vars.length;
  const col = new Int32Array(size).fill(-1);
  vars.forEach((v, i) => (col[v] = i));
  // sum(parts) - total = 0, restricted to hidden cells (published ones move to the constant side):
  // one row per line with a hidden member.
  const rowLines = lines.filter((l) => col[l.total]! >= 0 || l.parts.some((p) => col[p]! >= 0));
  const m = rowLines.length;
  const a = new Float64Array(m * n);
  rowLines.forEach((line, i) => {
    for (const p of line.parts) if (col[p]! >= 0) a[i * n + col[p]!]! += 1;
    if (col[line.total]! >= 0) a[i * n + col[line.total]!]! -= 1;
  });
  // Row i of the current order starts at a[row[i]].
  const row = Int32Array.from({ length: m }, (_, i) => i * n);
  // Reduced row echelon form.
  const pivots: number[] = [];
  const nz = new Int32Array(n);
  let r = 0;
  for (let c = 0; c < n && r < m; c++) {
    let best = -1;
    for (let i = r; i < m; i++)
      if (Math.abs(a[row[i]! + c]!) > 1e-9) {
        best = i;
        break;
      }
    if (best < 0) continue;
    [row[r], row[best]] = [row[best]!, row[r]!];
    const pr = row[r]!;
    const pv = a[pr + c]!;
    let nnz = 0;
    for (let k = 0; k < n; k++)
      if (a[pr + k] !== 0) {
        a[pr + k]! /= pv;
        nz[nnz++] = k;
      }
    for (let i = 0; i < m; i++) {
      if (i === r) continue;
      const ri = row[i]!;
      const f = a[ri + c]!;
      if (Math.abs(f) > 1e-9) for (let j = 0; j < nnz; j++) a[ri + nz[j]!]! -= f * a[pr + nz[j]!]!;
    }
    pivots.push(c);
    r++;
  }
  // A variable is determined iff some reduced row has it as its only non-zero entry.
  const determined: number[] = [];
  for (let i = 0; i < r; i++) {
    let count = 0;
    for (let k = 0; k < n && count < 2; k++) if (Math.abs(a[row[i]! + k]!) > 1e-9) count++;
    if (count === 1) determined.push(vars[pivots[i]!]!);
  }
  return determined;
}

/**
 * Protects a set of cells that are linked by additive lines (rows, columns, totals).
 * Returns the set of suppressed cell indices: every count of 1–4, plus the fewest further cells
 * (smallest first, deterministic) needed so that no suppressed cell can be derived exactly from the
 * published cells through any combination of the lines.
 */
export function suppressCells(
  values: number[],
  lines: Line[],
  opts: {
    /** Cells already hidden in another view of the same data (kept hidden here). */
    preHidden?: Set<number>;
    /** Cells another view has settled: hide them only when nothing else on the line can be hidden. */
    frozen?: Set<number>;
    /**
     * How much a reader loses when a cell is hidden (lower is hidden first): e.g. the anonymous
     * sub-count before the split by sex. Default 0 for every cell.
     */
    cost?: number[];
  } = {},
): Set<number> {
  const hidden = new Set<number>(opts.preHidden ?? []);
  const frozen = opts.frozen ?? new Set<number>();
  const cost = (i: number) => opts.cost?.[i] ?? 0;
  values.forEach((v, i) => {
    if (isSensitive(v)) hidden.add(i);
  });
  if (hidden.size === 0) return hidden;
  const withTotal = lines
    .filter((l) => l.total !== undefined)
    .map((l) => ({ parts: l.parts, total: l.total! }));
  const members = withTotal.map((l) => [...l.parts, l.total]);
  // The lines (with a total) each cell is on.
  const linesOf = new Map<number, number[]>();
  members.forEach((ms, li) => {
    for (const m of ms) {
      const list = linesOf.get(m);
      if (!list) linesOf.set(m, [li]);
      else if (list[list.length - 1] !== li) list.push(li);
    }
  });
  for (let guard = 0; guard < values.length + 1; guard++) {
    const determined = determinedAmong(withTotal, hidden, values.length);
    if (determined.length === 0) return hidden;
    const target = determined[0]!;
    // The exposure comes from lines linking hidden cells: find the hidden cells connected to the
    // target through lines with a published total, and hide the smallest published positive cell
    // on those lines.
    const component = new Set([target]);
    const touched = new Set<number>();
    const queue = [target];
    while (queue.length) {
      for (const li of linesOf.get(queue.pop()!) ?? []) {
        if (touched.has(li)) continue;
        touched.add(li);
        for (const m of members[li]!)
          if (hidden.has(m) && !component.has(m)) {
            component.add(m);
            queue.push(m);
          }
      }
    }
    // The smallest by (cost, value, index): a strict order, so the pick does not depend on the
    // order in which the lines are visited.
    const smallest = (eligible: (m: number) => boolean) => {
      let best: number | undefined;
      for (const li of touched)
        for (const m of members[li]!)
          if (
            !hidden.has(m) &&
            eligible(m) &&
            (best === undefined ||
              cost(m) < cost(best) ||
              (cost(m) === cost(best) &&
                (values[m]! < values[best]! || (values[m] === values[best] && m < best))))
          )
            best = m;
      return best;
    };
    // Prefer cells no other view has settled, so that views of the same data stay consistent:
    // a positive one, else a zero (publishing a zero reveals nothing, but it pins the sum), and
    // only then a settled cell.
    const pick =
      smallest((m) => !frozen.has(m) && values[m]! > 0) ??
      smallest((m) => !frozen.has(m)) ??
      smallest((m) => values[m]! > 0) ??
      smallest(() => true);
    if (pick === undefined) break;
    hidden.add(pick);
  }
  return hidden;
}

/** A published count: the number, or null with suppressed=true. */
export interface Cell {
  value: number | null;
  suppressed: boolean;
}

export function cell(value: number, hidden: boolean): Cell {
  return hidden ? { value: null, suppressed: true } : { value, suppressed: false };
}

/** A share is published only when its base is at least 5 and its numerator is published. */
export function shareCell(
  numerator: Cell,
  base: Cell,
  rawNumerator: number,
  rawBase: number,
): { value: number | null; suppressed: boolean } {
  if (rawBase === 0) return { value: null, suppressed: false };
  if (numerator.suppressed || base.suppressed || rawBase < MIN_PUBLISHED_COUNT)
    return { value: null, suppressed: true };
  return { value: rawNumerator / rawBase, suppressed: false };
}
