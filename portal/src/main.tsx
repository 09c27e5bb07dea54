import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './app/App';
import { I18nProvider } from './i18n/i18n';
import { SessionProvider } from './auth/session';
import { inlineRuntimeConfig } from './auth/auth';
import { prefetchLanding } from './api/prefetch';

// Before React renders: /api/me (and the page's data when the customer is known) beside the page's chunk.
prefetchLanding(inlineRuntimeConfig()?.authMode);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <SessionProvider>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </SessionProvider>
    </I18nProvider>
  </StrictMode>,
);
