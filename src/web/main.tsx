import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import './i18n';
import './styles.css';
import { ApiError, onApiError } from './api';
import { keys } from './queries';
import { App } from './App';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // Retry only what may be passing trouble: no answer, or a server error.
      retry: (count, err) =>
        count < 2 && (!(err instanceof ApiError) || err.status === 0 || err.status >= 500),
    },
  },
});

onApiError((err) => {
  // The session ended (idle timeout, signed out elsewhere): forget it; the guard then shows the login page.
  if (err.code === 'UNAUTHENTICATED') queryClient.setQueryData(keys.session, null);
  // The session's state or CSRF token changed under us (e.g. a sign-in in another tab): reload it, so a retry works.
  if (err.code === 'PASSWORD_CHANGE_REQUIRED' || err.code === 'CSRF')
    void queryClient.invalidateQueries({ queryKey: keys.session });
});

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
