/**
 * Form error handling after the GOV.UK pattern: an error summary at the top of the form that takes
 * focus and links to each field at fault, and the same message inline next to the field.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldIssue } from '../../shared/errors';
import { ApiError } from '../api';
import { errorMessage, fieldErrorMessage } from '../errors';

export type Issue = Pick<FieldIssue, 'path' | 'code'>;

export interface FormErrors {
  issues: Issue[];
  /** An error that is not about a field (wrong credentials, forbidden, network…). */
  failure: unknown;
  /** Changes on every report, so the summary takes focus again after each failed submit. */
  focusKey: number;
  report(issues: Issue[], failure?: unknown): void;
  /** Reports an error thrown by the API: its field issues, or the error itself when it has none. */
  reportError(err: unknown): void;
  clear(): void;
  /** The translated message for exactly this path, if any. */
  messageFor(path: string): string | undefined;
  /** The translated message of one issue. */
  message(issue: Issue): string;
}

/** `area`: the catalogue area whose reason codes this form's issues may use (see fieldErrorMessage). */
export function useFormErrors(area?: string): FormErrors {
  const { t } = useTranslation();
  const [state, setState] = useState<{ issues: Issue[]; failure: unknown; focusKey: number }>({
    issues: [],
    failure: null,
    focusKey: 0,
  });
  const report = useCallback((issues: Issue[], failure: unknown = null) => {
    setState((s) => ({ issues, failure, focusKey: s.focusKey + 1 }));
  }, []);
  const reportError = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.issues.length > 0) report(err.issues);
      else report([], err);
    },
    [report],
  );
  const clear = useCallback(() => setState((s) => ({ issues: [], failure: null, focusKey: s.focusKey })), []);
  const message = (issue: Issue) => fieldErrorMessage(t, issue, area);
  const messageFor = (path: string) => {
    const issue = state.issues.find((i) => i.path === path);
    return issue ? message(issue) : undefined;
  };
  return { ...state, report, reportError, clear, messageFor, message };
}

export interface SummaryTarget {
  /** Id of the control the summary links to. */
  id: string;
  /** Prefix naming the field when the message alone would not, e.g. the member a share belongs to. */
  label?: string;
}

interface Props {
  errors: FormErrors;
  /** Where an issue's path points in this form; undefined for a path with no control. */
  target: (path: string) => SummaryTarget | undefined;
}

export function ErrorSummary({ errors, target }: Props) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const { issues, failure, focusKey } = errors;
  const visible = issues.length > 0 || failure !== null;

  useEffect(() => {
    if (focusKey > 0) ref.current?.focus();
  }, [focusKey]);

  if (!visible) return null;
  const seen = new Set<string>();
  const items = issues.flatMap((issue) => {
    // One line per field: zod may report several problems with one value.
    if (seen.has(issue.path)) return [];
    seen.add(issue.path);
    const tgt = target(issue.path);
    const message = errors.message(issue);
    return [{ key: issue.path, id: tgt?.id, text: tgt?.label ? `${tgt.label}: ${message}` : message }];
  });

  return (
    <div className="error-summary" ref={ref} tabIndex={-1}>
      <div role="alert">
        <h2 className="error-summary__title">{t('errors.summaryTitle')}</h2>
        {failure !== null ? <p>{errorMessage(t, failure)}</p> : null}
        {items.length > 0 ? (
          <ul className="error-summary__list">
            {items.map((item) => (
              <li key={item.key}>
                {item.id ? (
                  <a
                    href={`#${item.id}`}
                    onClick={(e) => {
                      const el = document.getElementById(item.id as string);
                      if (!el) return;
                      e.preventDefault();
                      el.scrollIntoView({ block: 'center' });
                      el.focus();
                    }}
                  >
                    {item.text}
                  </a>
                ) : (
                  item.text
                )}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
