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
  const vars = [...hidden];
  const col = new Map(vars.map((v, i) => [v, i]));
  const rows: number[][] = [];
  for (const line of lines) {
    if (line.total === undefined) continue;
    // sum(parts) - total = 0, restricted to hidden cells (published ones move to the constant side).
    const row = new Array<number>(vars.length).fill(0);
    let any = false;
    for (const p of line.parts) {
      const c = col.get(p);
      if (c !== undefined) {
        row[c]! += 1;
        any = true;
      }
    }
    const t = col.get(line.total);
    if (t !== undefined) {
      row[t]! -= 1;
      any = true;
    }
    if (any) rows.push(row);
  }
  // Reduced row echelon form.
  const pivots: number[] = [];
  let r = 0;
  for (let c = 0; c < vars.length && r < rows.length; c++) {
    let best = -1;
    for (let i = r; i < rows.length; i++)
      if (Math.abs(rows[i]![c]!) > 1e-9) {
        best = i;
        break;
      }
    if (best < 0) continue;
    [rows[r], rows[best]] = [rows[best]!, rows[r]!];
    const pv = rows[r]![c]!;
    for (let k = 0; k < vars.length; k++) rows[r]![k]! /= pv;
    for (let i = 0; i < rows.length; i++) {
      if (i === r) continue;
      const f = rows[i]![c]!;
      if (Math.abs(f) > 1e-9) for (let k = 0; k < vars.length; k++) rows[i]![k]! -= f * rows[r]![k]!;
    }
    pivots.push(c);
    r++;
  }
  // A variable is determined iff some reduced row has it as its only non-zero entry.
  const determined: number[] = [];
  for (let i = 0; i < r; i++) {
    const nz = rows[i]!.reduce((n, x) => n + (Math.abs(x) > 1e-9 ? 1 : 0), 0);
    if (nz === 1) determined.push(vars[pivots[i]!]!);
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
  for (let guard = 0; guard < values.length + 1; guard++) {
    const determined = determinedCells(values, lines, hidden);
    if (determined.length === 0) return hidden;
    const target = determined[0]!;
    // The exposure comes from lines linking hidden cells: find the hidden cells connected to the
    // target through lines with a published total, and hide the smallest published positive cell
    // on those lines.
    const withTotal = lines.filter((l) => l.total !== undefined).map((l) => [...l.parts, l.total!]);
    const component = new Set([target]);
    const touched = new Set<number>();
    for (let grew = true; grew;) {
      grew = false;
      withTotal.forEach((members, li) => {
        if (touched.has(li) || !members.some((m) => component.has(m))) return;
        touched.add(li);
        for (const m of members)
          if (hidden.has(m) && !component.has(m)) {
            component.add(m);
            grew = true;
          }
      });
    }
    const smallest = (eligible: (m: number) => boolean) => {
      let best: number | undefined;
      for (const li of touched)
        for (const m of withTotal[li]!)
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
