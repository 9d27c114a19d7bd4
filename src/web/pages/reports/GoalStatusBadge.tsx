/**
 * A goal's traffic light. Colour is never the only signal: every status has its own icon shape
 * (circle with a tick, triangle with an exclamation mark, octagon with a cross, dashed circle with
 * a question mark, empty square) and its name in words.
 */
import { useTranslation } from 'react-i18next';
import type { GoalStatus } from './model';

export function StatusIcon({ status, size = 20 }: { status: GoalStatus; size?: number }) {
  const common = {
    width: size,
    height: size,
    viewBox: '0 0 20 20',
    'aria-hidden': true,
    focusable: false,
  } as const;
  switch (status) {
    case 'met':
      return (
        <svg {...common} className="status-icon status-icon--met">
          <circle cx="10" cy="10" r="9" fill="currentColor" />
          <path d="M5.5 10.5l3 3 6-7" fill="none" stroke="#fff" strokeWidth="2.4" strokeLinecap="round" />
        </svg>
      );
    case 'near':
      return (
        <svg {...common} className="status-icon status-icon--near">
          <path d="M10 1.5L19 18H1z" fill="currentColor" />
          <path d="M10 7v5.5" stroke="#fff" strokeWidth="2.2" strokeLinecap="round" />
          <circle cx="10" cy="15.2" r="1.3" fill="#fff" />
        </svg>
      );
    case 'not_met':
      return (
        <svg {...common} className="status-icon status-icon--not_met">
          <path d="M6.3 1h7.4L19 6.3v7.4L13.7 19H6.3L1 13.7V6.3z" fill="currentColor" />
          <path d="M6.5 6.5l7 7M13.5 6.5l-7 7" stroke="#fff" strokeWidth="2.4" strokeLinecap="round" />
        </svg>
      );
    case 'too_few':
      return (
        <svg {...common} className="status-icon status-icon--too_few">
          <circle
            cx="10"
            cy="10"
            r="8.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeDasharray="3 2"
          />
          <text x="10" y="14.5" textAnchor="middle" fontSize="12" fontWeight="700" fill="currentColor">
            ?
          </text>
        </svg>
      );
    case 'no_data':
      return (
        <svg {...common} className="status-icon status-icon--no_data">
          <rect x="2" y="2" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M6 10h8" stroke="currentColor" strokeWidth="2" />
        </svg>
      );
  }
}

export function GoalStatusBadge({ status }: { status: GoalStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`goal-status goal-status--${status}`}>
      <StatusIcon status={status} />
      <span>{t(`reports.goalStatus.${status}`)}</span>
    </span>
  );
}
