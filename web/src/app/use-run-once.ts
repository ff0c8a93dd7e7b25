import { useEffect, useRef } from 'react';

/**
 * Calls `run` once after the component mounts. React's development mode mounts every component
 * twice, but the ref survives the second mount. So a call that creates something on the server,
 * such as a new TOTP secret, still happens once.
 */
export function useRunOnce(run: () => void): void {
  const done = useRef(false);

  useEffect(() => {
    if (done.current) return;
    done.current = true;
    run();
  }, [run]);
}
