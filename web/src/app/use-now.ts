import { useEffect, useState } from 'react';

/**
 * Returns the current time in milliseconds, updated every `intervalMs` while `enabled` is true.
 * One timer serves a whole table of countdowns, so rows stay in step and cost no timer each.
 */
export function useNow({ intervalMs = 1000, enabled = true }: { intervalMs?: number; enabled?: boolean } = {}): number {
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (!enabled) return undefined;

    // Sets the time at once, so a table that starts ticking again does not show a stale second.
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs, enabled]);

  return now;
}
