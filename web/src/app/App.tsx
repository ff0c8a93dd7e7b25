import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntdApp } from 'antd';
import { RouterProvider } from 'react-router';

import { isApiError } from '../api/index.js';
import { I18nProvider, type Locale } from '../i18n/index.js';
import { AuthProvider } from './auth-context.js';
import { router } from './router.js';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Retrying cannot change a 4xx response, so only network and server errors get another try.
      retry: (failureCount, error) => failureCount < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

export function App({ initialLocale }: { initialLocale: Locale }) {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider initialLocale={initialLocale}>
        <AntdApp>
          <AuthProvider>
            <RouterProvider router={router} />
          </AuthProvider>
        </AntdApp>
      </I18nProvider>
    </QueryClientProvider>
  );
}
