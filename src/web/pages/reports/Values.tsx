/**
 * How a report figure is shown. A value hidden by small-number protection is never shown as 0: it
 * reads "–*" on screen, "not shown (small numbers)" to a screen reader, and the page carries the
 * footnote that explains the star. A value that does not exist (a share of no exits) is a plain dash.
 */
import { useTranslation } from 'react-i18next';
import { isSuppressed, type FigureKind, type Figures, type FigureField, GOAL_FIGURES } from './model';

const integer = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 0 });
const decimal1 = new Intl.NumberFormat('sv-SE', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 0.35678 → "35,7 %", 0.35 → "35,0 %" (shares are fractions 0–1 in the API). */
export function formatShare(fraction: number): string {
  return `${decimal1.format(fraction * 100)}\u00a0%`;
}

export function formatCount(n: number): string {
  return integer.format(n);
}

export function formatValue(value: number, kind: FigureKind): string {
  return kind === 'share' ? formatShare(value) : formatCount(value);
}

/** What kind of number a figure is, for formatting. */
export function kindOf(field: FigureField | 'shareMovedToSelfSupport'): FigureKind {
  if (field in GOAL_FIGURES) return GOAL_FIGURES[field as keyof typeof GOAL_FIGURES];
  return 'count';
}

/** "2025-01-01 – 2025-08-31" */
export function formatPeriod(p: { from: string; to: string }): string {
  return `${p.from}\u2009–\u2009${p.to}`;
}

export function Suppressed() {
  const { t } = useTranslation();
  return (
    <span className="suppressed">
      <span aria-hidden="true">–*</span>
      <span className="visually-hidden">{t('reports.suppressed.cell')}</span>
    </span>
  );
}

export function NoValue() {
  const { t } = useTranslation();
  return (
    <>
      <span aria-hidden="true">–</span>
      <span className="visually-hidden">{t('reports.noValue')}</span>
    </>
  );
}

/** A number, or the protected mark, or a dash for no value. */
export function Value({
  value,
  kind = 'count',
  suppressed,
}: {
  value: number | null;
  kind?: FigureKind;
  suppressed: boolean;
}) {
  if (value !== null) return <>{formatValue(value, kind)}</>;
  return suppressed ? <Suppressed /> : <NoValue />;
}

/** One field of a group's figures. */
export function FigureValue({ figures, field }: { figures: Figures; field: FigureField }) {
  return <Value value={figures[field]} kind={kindOf(field)} suppressed={isSuppressed(figures, field)} />;
}

/** The footnote under every protected table: what the star means. */
export function SuppressionNote() {
  const { t } = useTranslation();
  return (
    <p className="table-note">
      <span aria-hidden="true">* </span>
      {t('reports.suppressed.note')}
    </p>
  );
}
