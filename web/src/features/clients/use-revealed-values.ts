import { useCallback, useEffect, useRef, useState } from 'react';

/** How long a revealed value stays on screen before it is masked again. */
export const REVEAL_SECONDS = 60;

export interface RevealedValue {
  value: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/**
 * Keeps plain values revealed on this page, each for `REVEAL_SECONDS`. An expired value is
 * dropped from state, not just hidden, so it does not linger in memory. All of them are dropped
 * when the page unmounts.
 */
export function useRevealedValues() {
  const [values, setValues] = useState<ReadonlyMap<string, RevealedValue>>(() => new Map());
  const timers = useRef(new Map<string, number>());

  useEffect(() => {
    const pending = timers.current;
    return () => {
      pending.forEach((timer) => window.clearTimeout(timer));
      pending.clear();
    };
  }, []);

  const forget = useCallback((field: string) => {
    window.clearTimeout(timers.current.get(field));
    timers.current.delete(field);

    setValues((previous) => {
      const next = new Map(previous);
      next.delete(field);
      return next;
    });
  }, []);

  const remember = useCallback(
    (field: string, value: string) => {
      window.clearTimeout(timers.current.get(field));

      const expiresAt = Date.now() + REVEAL_SECONDS * 1000;
      setValues((previous) => new Map(previous).set(field, { value, expiresAt }));
      timers.current.set(
        field,
        window.setTimeout(() => forget(field), REVEAL_SECONDS * 1000),
      );
    },
    [forget],
  );

  return { values, remember, forget };
}
