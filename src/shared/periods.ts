/** Report and goal periods. No dependencies, so the web app can use it without zod. */
export const PERIOD_TYPES = ['year', 'tertial', 'half_year', 'quarter'] as const;
export type PeriodType = (typeof PERIOD_TYPES)[number];

/** The periods of a type within a year. Tertial reports are cumulative (Jan–Apr, Jan–Aug, full year) as förbund report them. */
export function periodsOfYear(type: PeriodType, year: number): { key: string; from: string; to: string }[] {
  const y = String(year);
  switch (type) {
    case 'year':
      return [{ key: `${y}`, from: `${y}-01-01`, to: `${y}-12-31` }];
    case 'tertial':
      return [
        { key: `${y}-T1`, from: `${y}-01-01`, to: `${y}-04-30` },
        { key: `${y}-T2`, from: `${y}-01-01`, to: `${y}-08-31` },
        { key: `${y}-T3`, from: `${y}-01-01`, to: `${y}-12-31` },
      ];
    case 'half_year':
      return [
        { key: `${y}-H1`, from: `${y}-01-01`, to: `${y}-06-30` },
        { key: `${y}-H2`, from: `${y}-01-01`, to: `${y}-12-31` },
      ];
    case 'quarter':
      return [
        { key: `${y}-Q1`, from: `${y}-01-01`, to: `${y}-03-31` },
        { key: `${y}-Q2`, from: `${y}-04-01`, to: `${y}-06-30` },
        { key: `${y}-Q3`, from: `${y}-07-01`, to: `${y}-09-30` },
        { key: `${y}-Q4`, from: `${y}-10-01`, to: `${y}-12-31` },
      ];
  }
}
