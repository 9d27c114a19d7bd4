import { useCallback, useEffect, useRef, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../errors';

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

/** A failed load, with a retry button. */
export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="notice notice--error" role="alert">
      <p>
        {t('errors.loadFailed')} {errorMessage(t, error)}
      </p>
      {retry ? (
        <button type="button" className="button button--secondary" onClick={retry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}

export interface FeedbackMessage {
  kind: 'success' | 'error';
  text: string;
}

/**
 * The outcome of an action (saved, removed, refused). Both live regions are always in the page so
 * a new message is announced; the wrapper can take focus, e.g. after the row a button was in is gone.
 */
export function Feedback({ message, ref }: { message: FeedbackMessage | null; ref?: Ref<HTMLDivElement> }) {
  return (
    <div className="feedback" tabIndex={-1} ref={ref}>
      <div role="status">
        {message?.kind === 'success' ? <p className="notice notice--success">{message.text}</p> : null}
      </div>
      <div role="alert">
        {message?.kind === 'error' ? <p className="notice notice--error">{message.text}</p> : null}
      </div>
    </div>
  );
}

/**
 * Moves focus after the next render has been committed, when the target exists and a modal
 * dialog that would block focus has closed.
 */
export function useFocusAfterRender(): (target: () => HTMLElement | null | undefined) => void {
  const pending = useRef<(() => HTMLElement | null | undefined) | null>(null);
  useEffect(() => {
    const target = pending.current;
    if (target) {
      pending.current = null;
      target()?.focus();
    }
  });
  return useCallback((target) => {
    pending.current = target;
  }, []);
}
