/**
 * The building blocks of the dashboard, the report page and the outcome explorer: key figures,
 * outcome by sex, the income-source matrix, volumes over time, time in insats and a breakdown.
 * Every chart has a data table under it with the same figures (the accessible alternative, and the
 * only place protected values are marked), and every table of protected figures a footnote.
 */
import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { TableScroll } from '../../components/TableScroll';
import { BarsChart, COLORS, VolumesChart } from './lazyCharts';
import {
  DAY_BANDS,
  INCOME_GROUPS,
  SEXES,
  type FigureField,
  type Figures,
  type GroupFigures,
  type IncomeMatrixCell,
  type MonthVolumes,
  type OutcomeReport,
  type Sex,
} from './model';
import { FigureValue, formatCount, formatShare, SuppressionNote, Value } from './Values';

const GROUPS = ['total', ...SEXES] as const;
type Group = (typeof GROUPS)[number];

function pick(f: GroupFigures, g: Group): Figures {
  return g === 'total' ? f.total : f.bySex[g];
}

/** Percent 0–100 for a chart, or null (left out of the chart; the table marks why). */
function pct(v: number | null): number | null {
  return v === null ? null : Math.round(v * 1000) / 10;
}

/** Whether any of the fields (all when none are named) is hidden in any group, so the footnote is needed. */
export function anySuppressed(groups: GroupFigures[], fields?: string[]): boolean {
  return groups.some((g) =>
    [g.total, ...SEXES.map((s) => g.bySex[s])].some((f) =>
      fields ? f.suppressedFields.some((x) => fields.includes(x)) : f.suppressed,
    ),
  );
}

/** No exits in the period (a published 0): the outcome sections have nothing to show. */
function noExits(report: OutcomeReport): boolean {
  return report.total.exitsExcludingErrors === 0;
}

/** An outcome section for a period without exits: heading, intro and a sentence instead of a chart. */
function NoExitsSection({ headingId, area }: { headingId: string; area: 'outcome' | 'income' | 'days' }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t(`reports.${area}.title`)}</h2>
      <p className="section-intro">{t(`reports.${area}.intro`)}</p>
      <p>{t('reports.noExits')}</p>
    </section>
  );
}

/** Notice at the top of a page whose figures are protected; `always` for views that are protected for everyone. */
export function ProtectedNotice({ always = false }: { always?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="notice notice--info protected-notice">
      <p>
        <strong>{t('reports.protected.title')}</strong>{' '}
        {always ? t('reports.protected.always') : t('reports.protected.text')}
      </p>
    </div>
  );
}

/**
 * A table's caption, which also names its scroll region. Its text stays in view when a wide table
 * scrolls sideways on a narrow screen.
 */
export function Caption({ id, children }: { id: string; children: ReactNode }) {
  return (
    <caption id={id} className="table-caption">
      <span className="table-caption__text">{children}</span>
    </caption>
  );
}

/**
 * Column headers for measures split by sex: a first row with each measure spanning Totalt, Kvinnor
 * and Män, and a second row with those three. `first` heads the row-header column.
 */
function SexColumnHeaders({ first, measures }: { first: string; measures: string[] }) {
  const { t } = useTranslation();
  return (
    <>
      <colgroup />
      {measures.map((m) => (
        <colgroup key={m} span={3} />
      ))}
      <thead>
        <tr>
          <th scope="col" rowSpan={2}>
            {first}
          </th>
          {measures.map((m) => (
            <th key={m} scope="colgroup" colSpan={3} className="group-head">
              {m}
            </th>
          ))}
        </tr>
        <tr>
          {measures.flatMap((m) =>
            GROUPS.map((g) => (
              <th key={`${m}-${g}`} scope="col" className="num">
                {t(`reports.sex.${g}`)}
              </th>
            )),
          )}
        </tr>
      </thead>
    </>
  );
}

function sexCells(f: GroupFigures, field: FigureField, key: string) {
  return GROUPS.map((g) => (
    <td key={`${key}-${g}`} className="num">
      <FigureValue figures={pick(f, g)} field={field} />
    </td>
  ));
}

// ---------------------------------------------------------------------------------------------
// Key figures

const CARD_FIELDS: FigureField[] = [
  'uniquePersons',
  'entries',
  'exits',
  'shareToWorkOrStudies',
  'ongoingAtEnd',
  'returners',
  'medianDaysInInsats',
];

/** The year's key figures as cards, each with women and men. */
export function KeyFigureCards({ figures }: { figures: GroupFigures }) {
  const { t } = useTranslation();
  return (
    <>
      <ul className="kpis">
        {CARD_FIELDS.map((field) => (
          <li key={field} className="kpi">
            <h3 className="kpi__title">{t(`reports.fig.${field}`)}</h3>
            <p className="kpi__value">
              <FigureValue figures={figures.total} field={field} />
            </p>
            <dl className="kpi__split">
              {SEXES.map((s) => (
                <div key={s}>
                  <dt>{t(`reports.sex.${s}`)}</dt>
                  <dd>
                    <FigureValue figures={figures.bySex[s]} field={field} />
                  </dd>
                </div>
              ))}
            </dl>
          </li>
        ))}
      </ul>
      {anySuppressed([figures], CARD_FIELDS) ? <SuppressionNote /> : null}
    </>
  );
}

const TABLE_FIELDS: FigureField[] = [
  'entries',
  'anonymousEntries',
  'uniquePersons',
  'exits',
  'exitsExcludingErrors',
  'toWorkOrStudies',
  'shareToWorkOrStudies',
  'ongoingAtEnd',
  'returners',
  'shareReturners',
  'medianDaysInInsats',
];

/** Every key figure as rows, with Totalt, Kvinnor and Män as columns. */
export function KeyFiguresTable({ report, caption }: { report: OutcomeReport; caption: string }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <>
      <TableScroll labelledBy={id}>
        <table className="table">
          <Caption id={id}>{caption}</Caption>
          <thead>
            <tr>
              <th scope="col">{t('reports.col.figure')}</th>
              {GROUPS.map((g) => (
                <th key={g} scope="col" className="num">
                  {t(`reports.sex.${g}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {TABLE_FIELDS.map((field) => (
              <tr key={field}>
                <th scope="row">{t(`reports.fig.${field}`)}</th>
                {sexCells(report, field, field)}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {anySuppressed([report], TABLE_FIELDS) ? <SuppressionNote /> : null}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Outcome by sex

export function OutcomeBySex({ report, headingId }: { report: OutcomeReport; headingId: string }) {
  const { t } = useTranslation();
  const id = useId();
  const data = GROUPS.map((g) => ({
    name: t(`reports.sex.${g}`),
    share: pct(pick(report, g).shareToWorkOrStudies),
  }));
  if (noExits(report)) return <NoExitsSection headingId={headingId} area="outcome" />;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t('reports.outcome.title')}</h2>
      <p className="section-intro">{t('reports.outcome.intro')}</p>
      <figure className="chart-figure">
        <BarsChart
          data={data}
          series={[{ key: 'share', label: t('reports.fig.shareToWorkOrStudies'), color: COLORS.kvinna }]}
          horizontal
          unit="percent"
          labels
          categoryWidth={80}
        />
        <figcaption>{t('reports.outcome.chartCaption')}</figcaption>
      </figure>
      <TableScroll labelledBy={id}>
        <table className="table table--compact">
          <Caption id={id}>{t('reports.outcome.tableCaption')}</Caption>
          <thead>
            <tr>
              <th scope="col">{t('reports.col.group')}</th>
              <th scope="col" className="num">
                {t('reports.fig.exitsExcludingErrors')}
              </th>
              <th scope="col" className="num">
                {t('reports.fig.toWorkOrStudies')}
              </th>
              <th scope="col" className="num">
                {t('reports.fig.shareToWorkOrStudies')}
              </th>
            </tr>
          </thead>
          <tbody>
            {GROUPS.map((g) => {
              const f = pick(report, g);
              return (
                <tr key={g}>
                  <th scope="row">{t(`reports.sex.${g}`)}</th>
                  <td className="num">
                    <FigureValue figures={f} field="exitsExcludingErrors" />
                  </td>
                  <td className="num">
                    <FigureValue figures={f} field="toWorkOrStudies" />
                  </td>
                  <td className="num">
                    <FigureValue figures={f} field="shareToWorkOrStudies" />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
      {anySuppressed([report], ['exitsExcludingErrors', 'toWorkOrStudies', 'shareToWorkOrStudies']) ? (
        <SuppressionNote />
      ) : null}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Income-source matrix

function heatClass(share: number | null): string {
  if (share === null || share === 0) return '';
  if (share >= 0.2) return 'heat heat--4';
  if (share >= 0.1) return 'heat heat--3';
  if (share >= 0.05) return 'heat heat--2';
  return 'heat heat--1';
}

export function IncomeMatrix({ report, headingId }: { report: OutcomeReport; headingId: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [group, setGroup] = useState<'total' | Sex>('total');
  const m = report.incomeMatrix;
  const cells: IncomeMatrixCell[] = group === 'total' ? m.total : m.bySex[group];
  const cell = (eg: string, xg: string) => cells.find((c) => c.entryGroup === eg && c.exitGroup === xg);
  const suppressed = (c: IncomeMatrixCell | undefined) => report.protected && (c?.count ?? null) === null;
  const chartData = INCOME_GROUPS.map((eg) => ({
    name: t(`reports.income.${eg}`),
    ...Object.fromEntries(INCOME_GROUPS.map((xg) => [xg, cell(eg, xg)?.count ?? null])),
  }));
  const groupName = t(`reports.sex.${group}`);
  if (noExits(report)) return <NoExitsSection headingId={headingId} area="income" />;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t('reports.income.title')}</h2>
      <p className="section-intro">{t('reports.income.intro')}</p>
      <p>
        {m.publicSupportAtEntry === 0
          ? t('reports.income.noPublic')
          : m.movedToSelfSupport !== null && m.publicSupportAtEntry !== null
            ? t('reports.income.moved', {
                moved: formatCount(m.movedToSelfSupport),
                base: formatCount(m.publicSupportAtEntry),
              })
            : t('reports.income.movedHidden')}{' '}
        {m.shareMovedToSelfSupport !== null ? (
          <strong>{t('reports.income.movedShare', { share: formatShare(m.shareMovedToSelfSupport) })}</strong>
        ) : null}
      </p>
      <div className="segmented" role="group" aria-label={t('reports.income.showFor')}>
        {GROUPS.map((g) => (
          <button
            key={g}
            type="button"
            className="segmented__button"
            aria-pressed={group === g}
            onClick={() => setGroup(g)}
          >
            {t(`reports.sex.${g}`)}
          </button>
        ))}
      </div>
      <figure className="chart-figure">
        <BarsChart
          data={chartData}
          series={INCOME_GROUPS.map((xg) => ({
            key: xg,
            label: t(`reports.income.${xg}`),
            color: COLORS.income[xg] ?? COLORS.total,
          }))}
          horizontal
          stacked
          categoryWidth={170}
        />
        <figcaption>{t('reports.income.chartCaption', { group: groupName })}</figcaption>
      </figure>
      <TableScroll labelledBy={id}>
        <table className="table table--matrix">
          <Caption id={id}>{t('reports.income.tableCaption', { group: groupName })}</Caption>
          <colgroup />
          <colgroup span={INCOME_GROUPS.length} />
          <thead>
            <tr>
              <th scope="col" rowSpan={2}>
                {t('reports.income.atEntry')}
              </th>
              <th scope="colgroup" colSpan={INCOME_GROUPS.length} className="group-head">
                {t('reports.income.atExit')}
              </th>
            </tr>
            <tr>
              {INCOME_GROUPS.map((xg) => (
                <th key={xg} scope="col" className="num">
                  {t(`reports.income.${xg}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {INCOME_GROUPS.map((eg) => (
              <tr key={eg}>
                <th scope="row">{t(`reports.income.${eg}`)}</th>
                {INCOME_GROUPS.map((xg) => {
                  const c = cell(eg, xg);
                  return (
                    <td key={xg} className={`num ${heatClass(c?.share ?? null)}`}>
                      <Value value={c?.count ?? null} suppressed={suppressed(c)} />
                      {c && c.share !== null && c.count !== null ? (
                        <span className="cell-share"> ({formatShare(c.share)})</span>
                      ) : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <p className="table-note">{t('reports.income.note')}</p>
      {cells.some(suppressed) ? <SuppressionNote /> : null}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Volumes over time

const monthFormats = {
  sv: new Intl.DateTimeFormat('sv-SE', { month: 'short', year: 'numeric', timeZone: 'UTC' }),
  en: new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }),
};

function hasNull(v: MonthVolumes): boolean {
  const all = [v, ...SEXES.map((s) => v.bySex[s])];
  return all.some((x) => x.entries === null || x.exits === null || x.ongoingAtEnd === null);
}

export function Volumes({
  volumes,
  protectedFigures,
  headingId,
}: {
  volumes: MonthVolumes[];
  protectedFigures: boolean;
  headingId: string;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const fmt = i18n.language === 'en' ? monthFormats.en : monthFormats.sv;
  const label = (month: string) => fmt.format(new Date(`${month}-01T00:00:00Z`));
  const data = volumes.map((v) => ({
    name: label(v.month),
    entries: v.entries,
    exits: v.exits,
    ongoing: v.ongoingAtEnd,
  }));
  const measures = ['entries', 'exits', 'ongoingAtEnd'] as const;
  const value = (v: number | null) => <Value value={v} suppressed={protectedFigures && v === null} />;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t('reports.volumes.title')}</h2>
      <p className="section-intro">{t('reports.volumes.intro')}</p>
      {volumes.length === 0 ? (
        <p>{t('reports.volumes.none')}</p>
      ) : (
        <>
          <figure className="chart-figure">
            <VolumesChart
              data={data}
              entries={{ key: 'entries', label: t('reports.volumes.entries'), color: COLORS.entries }}
              exits={{ key: 'exits', label: t('reports.volumes.exits'), color: COLORS.exits }}
              ongoing={{ key: 'ongoing', label: t('reports.volumes.ongoing'), color: COLORS.ongoing }}
            />
            <figcaption>{t('reports.volumes.chartCaption')}</figcaption>
          </figure>
          <TableScroll labelledBy={id}>
            <table className="table table--compact">
              <Caption id={id}>{t('reports.volumes.tableCaption')}</Caption>
              <SexColumnHeaders
                first={t('reports.col.month')}
                measures={measures.map((m) => t(`reports.volumes.${m === 'ongoingAtEnd' ? 'ongoing' : m}`))}
              />
              <tbody>
                {volumes.map((v) => (
                  <tr key={v.month}>
                    <th scope="row" className="nowrap">
                      {label(v.month)}
                    </th>
                    {measures.flatMap((m) => [
                      <td key={`${m}-t`} className="num">
                        {value(v[m])}
                      </td>,
                      ...SEXES.map((s) => (
                        <td key={`${m}-${s}`} className="num">
                          {value(v.bySex[s][m])}
                        </td>
                      )),
                    ])}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {protectedFigures && volumes.some((v) => hasNull(v)) ? <SuppressionNote /> : null}
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Time in insats

export function DaysInInsats({ report, headingId }: { report: OutcomeReport; headingId: string }) {
  const { t } = useTranslation();
  const id = useId();
  const count = (f: Figures, band: string) => f.daysDistribution.find((d) => d.band === band)?.count ?? null;
  const hidden = (f: Figures, band: string) => f.suppressedFields.includes(`days.${band}`);
  const data = DAY_BANDS.map((band) => ({
    name: t(`reports.days.${band}`),
    kvinna: count(report.bySex.kvinna, band),
    man: count(report.bySex.man, band),
  }));
  if (noExits(report)) return <NoExitsSection headingId={headingId} area="days" />;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t('reports.days.title')}</h2>
      <p className="section-intro">{t('reports.days.intro')}</p>
      <figure className="chart-figure">
        <BarsChart
          data={data}
          series={SEXES.map((s) => ({ key: s, label: t(`reports.sex.${s}`), color: COLORS[s] }))}
        />
        <figcaption>{t('reports.days.chartCaption')}</figcaption>
      </figure>
      <TableScroll labelledBy={id}>
        <table className="table table--compact">
          <Caption id={id}>{t('reports.days.tableCaption')}</Caption>
          <thead>
            <tr>
              <th scope="col">{t('reports.col.daysBand')}</th>
              {GROUPS.map((g) => (
                <th key={g} scope="col" className="num">
                  {t(`reports.sex.${g}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {DAY_BANDS.map((band) => (
              <tr key={band}>
                <th scope="row">{t(`reports.days.${band}`)}</th>
                {GROUPS.map((g) => {
                  const f = pick(report, g);
                  return (
                    <td key={g} className="num">
                      <Value value={count(f, band)} suppressed={hidden(f, band)} />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('reports.fig.medianDaysInInsats')}</th>
              {GROUPS.map((g) => (
                <td key={g} className="num">
                  <FigureValue figures={pick(report, g)} field="medianDaysInInsats" />
                </td>
              ))}
            </tr>
          </tfoot>
        </table>
      </TableScroll>
      {anySuppressed([report], ['medianDaysInInsats', ...DAY_BANDS.map((b) => `days.${b}`)]) ? (
        <SuppressionNote />
      ) : null}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Breakdown (age band, municipality, insats)

export function Breakdown({
  report,
  headingId,
  labelOf,
}: {
  report: OutcomeReport;
  headingId: string;
  /** The name shown for a row key (age band, kommunkod, insats id). */
  labelOf: (key: string) => string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const b = report.breakdown;
  if (!b) return null;
  const dimension = t(`reports.breakdown.${b.dimension}`);
  const lower = t(`reports.breakdown.lower.${b.dimension}`);
  const fields: FigureField[] = ['entries', 'exitsExcludingErrors', 'shareToWorkOrStudies'];
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t('reports.breakdown.title', { dimension: lower })}</h2>
      {b.rows.length === 0 ? (
        <p>{t('reports.breakdown.none')}</p>
      ) : (
        <>
          <TableScroll labelledBy={id}>
            <table className="table table--compact">
              <Caption id={id}>{t('reports.breakdown.tableCaption', { dimension: lower })}</Caption>
              <SexColumnHeaders first={dimension} measures={fields.map((f) => t(`reports.fig.${f}`))} />
              <tbody>
                {b.rows.map((row) => (
                  <tr key={row.key}>
                    <th scope="row">{labelOf(row.key)}</th>
                    {fields.flatMap((f) => sexCells(row, f, f))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {anySuppressed(b.rows, fields) ? <SuppressionNote /> : null}
        </>
      )}
    </section>
  );
}
