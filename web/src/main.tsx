import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './app/App.js';
import { applyLocale, readStoredLocale } from './i18n/index.js';

// The language must be set before the first request, so the server writes its messages in it.
const initialLocale = readStoredLocale();
applyLocale(initialLocale);

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element to render into.');

createRoot(container).render(
  <StrictMode>
    <App initialLocale={initialLocale} />
  </StrictMode>,
);
