import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

import { renewCsrfToken, setSessionLossHandler, type Me } from '../api/index.js';
import { fetchMe, logout } from '../features/auth/auth.api.js';

type AuthState =
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  /** `signedOut` is true after the member chose to sign out, as opposed to a lost session. */
  | { status: 'ready'; me: Me | null; signedOut?: boolean };

interface Auth {
  state: AuthState;
  /** Stores the member a sign-in or set-up call returned. */
  signedIn: (me: Me) => void;
  signOut: () => Promise<void>;
  reload: () => void;
}

const AuthContext = createContext<Auth | null>(null);

/**
 * Stores who is signed in. The member is kept in React state rather than in the query cache,
 * because the cache contains client data and is cleared whenever the session ends.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<AuthState>({ status: 'loading' });

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    fetchMe().then(
      (me) => setState({ status: 'ready', me }),
      (error: unknown) => setState({ status: 'failed', error }),
    );
  }, []);

  useEffect(reload, [reload]);

  // Clears the cache before the state change, so no client data stays in memory once the session
  // is gone. Clearing afterwards, in an effect, would cancel the queries the sign-in page starts.
  const endSession = useCallback(
    (signedOut: boolean) => {
      queryClient.clear();
      setState({ status: 'ready', me: null, signedOut });
    },
    [queryClient],
  );

  useEffect(() => setSessionLossHandler(() => endSession(false)), [endSession]);

  const signedIn = useCallback((me: Me) => {
    renewCsrfToken();
    setState({ status: 'ready', me });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await logout();
    } finally {
      renewCsrfToken();
      endSession(true);
    }
  }, [endSession]);

  const value = useMemo<Auth>(() => ({ state, signedIn, signOut, reload }), [state, signedIn, signOut, reload]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const context = useContext(AuthContext);
  if (context === null) throw new Error('useAuth() must be called inside <AuthProvider>.');
  return context;
}

/** Returns the signed-in member. Call it only in components rendered behind `RequireAuth`. */
export function useMe(): Me {
  const { state } = useAuth();
  if (state.status !== 'ready' || state.me === null) throw new Error('useMe() was called without a signed-in member.');
  return state.me;
}
