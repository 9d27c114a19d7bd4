import type { ReactNode } from 'react';

/**
 * Lets a wide table scroll sideways on a narrow screen instead of widening the page. The wrapper is
 * a named region that keyboard users can focus and scroll with the arrow keys.
 */
export function TableScroll({
  labelledBy,
  focusable = true,
  children,
}: {
  /** Id of the table's caption or heading. */
  labelledBy: string;
  /** False when the table holds form controls: they already make the region reachable by keyboard. */
  focusable?: boolean;
  children: ReactNode;
}) {
  return (
    <div
      className="table-scroll"
      role="region"
      aria-labelledby={labelledBy}
      tabIndex={focusable ? 0 : undefined}
    >
      {children}
    </div>
  );
}
