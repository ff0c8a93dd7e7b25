import { createContext, lazy, Suspense, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

import { isApiError, renewCsrfToken } from '../../api/index.js';

// The prompt and the WebAuthn library load only when a step-up is first needed.
const StepUpModal = lazy(() => import('./StepUpModal.js').then((module) => ({ default: module.StepUpModal })));

/**
 * Runs an action and, when the server returns `step_up_required`, prompts for a second factor and
 * runs the action once more. Rejects with the original error when the member cancels the prompt.
 */
export type RunWithStepUp = <Result>(action: () => Promise<Result>) => Promise<Result>;

const StepUpContext = createContext<RunWithStepUp | null>(null);

interface Prompt {
  methods: readonly string[];
  settle: (verified: boolean) => void;
}

export function isStepUpRequired(error: unknown): boolean {
  return isApiError(error) && error.code === 'step_up_required';
}

/** Provides `useStepUp()` to the signed-in pages and shows the step-up prompt above them. */
export function StepUpProvider({ children }: { children: ReactNode }) {
  const [prompt, setPrompt] = useState<Prompt | null>(null);

  // Actions that hit the requirement together share one prompt, so the member confirms once.
  const pending = useRef<Promise<boolean> | null>(null);

  const confirmSecondFactor = useCallback((methods: readonly string[]): Promise<boolean> => {
    if (pending.current !== null) return pending.current;

    const answer = new Promise<boolean>((resolve) => {
      setPrompt({
        methods,
        settle: (verified) => {
          pending.current = null;
          setPrompt(null);
          resolve(verified);
        },
      });
    });
    pending.current = answer;
    return answer;
  }, []);

  const runWithStepUp = useCallback<RunWithStepUp>(
    async (action) => {
      try {
        return await action();
      } catch (error) {
        if (!isApiError(error) || !isStepUpRequired(error)) throw error;

        const verified = await confirmSecondFactor(error.methods);
        if (!verified) throw error;

        // The server may renew the session on a confirmed second factor, as on sign-in.
        renewCsrfToken();

        // Only one retry: a second `step_up_required` goes to the caller rather than into a loop.
        return action();
      }
    },
    [confirmSecondFactor],
  );

  const value = useMemo(() => runWithStepUp, [runWithStepUp]);
  return (
    <StepUpContext.Provider value={value}>
      {children}
      {prompt !== null && (
        <Suspense fallback={null}>
          <StepUpModal methods={prompt.methods} onVerified={() => prompt.settle(true)} onCancel={() => prompt.settle(false)} />
        </Suspense>
      )}
    </StepUpContext.Provider>
  );
}

export function useStepUp(): RunWithStepUp {
  const context = useContext(StepUpContext);
  if (context === null) throw new Error('useStepUp() must be called inside <StepUpProvider>.');
  return context;
}
