/**
 * The income summary stored on each participation (migration 0007), per phase: the national group
 * of the main income source, and the flags the income matrix needs. Reports group by these columns
 * instead of reading every exit's income lines.
 *
 * The rule (domain.md §5; the income matrix's definition):
 * - a phase's main source is its line with the largest extent; on a tie, the source code first in
 *   order. It is rolled up to its national group (INCOME_GROUP); a phase without lines is 'okand';
 * - public support at entry: some entry line is public support;
 * - self-supporting at exit: some exit line is a known source (not 'unknown') and none is public
 *   support. "Moved to self-support" = public support at entry and self-supporting at exit.
 *
 * Every write of income lines sets the columns from the same lines, in the same statement or
 * transaction: `replaceIncome` (entry, exit, corrections, the demo seed), the import's set-based
 * inserts and exits, and the undo of an import. Migration 0007 computes the same rule in SQL for
 * rows that existed before it; tests compare both with the lateral aggregate the matrix used to be.
 *
 * The tie-break compares source codes by UTF-16 code units. The codes are lower-case ASCII words
 * joined by '_' and none is a prefix of another, so every collation orders them the same way (a
 * test checks the database's order).
 */
import { INCOME_GROUP, type IncomeGroup, type IncomeSource } from '../../../shared/participants.js';

/** Sources that count as public support (the three national groups). */
export const PUBLIC_SUPPORT_SOURCES: ReadonlySet<IncomeSource> = new Set<IncomeSource>([
  'unemployment_insurance',
  'activity_support',
  'establishment_benefit',
  'sickness_benefit',
  'rehabilitation_benefit',
  'sickness_compensation',
  'activity_compensation',
  'social_assistance',
]);

export interface IncomeLine {
  source: IncomeSource;
  extentPct: number;
}

/** The national group of the main source of one phase's lines; 'okand' without lines. */
export function mainIncomeGroup(lines: readonly IncomeLine[]): IncomeGroup {
  let main: IncomeLine | undefined;
  for (const l of lines)
    if (!main || l.extentPct > main.extentPct || (l.extentPct === main.extentPct && l.source < main.source))
      main = l;
  // A code outside the list (never written: the schemas validate it) falls in 'ingen', as in SQL.
  return main ? (INCOME_GROUP[main.source] ?? 'ingen') : 'okand';
}

export interface EntryIncomeSummary {
  entry_income_group: IncomeGroup;
  public_support_at_entry: boolean;
}

export interface ExitIncomeSummary {
  exit_income_group: IncomeGroup;
  self_supporting_at_exit: boolean;
}

export function entryIncomeSummary(lines: readonly IncomeLine[]): EntryIncomeSummary {
  return {
    entry_income_group: mainIncomeGroup(lines),
    public_support_at_entry: lines.some((l) => PUBLIC_SUPPORT_SOURCES.has(l.source)),
  };
}

export function exitIncomeSummary(lines: readonly IncomeLine[]): ExitIncomeSummary {
  return {
    exit_income_group: mainIncomeGroup(lines),
    self_supporting_at_exit:
      lines.some((l) => l.source !== 'unknown') && !lines.some((l) => PUBLIC_SUPPORT_SOURCES.has(l.source)),
  };
}

/** The columns of one phase, for an UPDATE of the participation. */
export function phaseIncomeSummary(
  phase: 'entry' | 'exit',
  lines: readonly IncomeLine[],
): EntryIncomeSummary | ExitIncomeSummary {
  return phase === 'entry' ? entryIncomeSummary(lines) : exitIncomeSummary(lines);
}

/** A participation without exit lines (ongoing, reopened, or exited as a registration error). */
export const NO_EXIT_INCOME: ExitIncomeSummary = exitIncomeSummary([]);
