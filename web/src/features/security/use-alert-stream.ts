import { useEffect, useRef, useState } from 'react';

import { parseAlertEvent } from './live-alerts.js';
import { ALERT_STREAM_PATH, type Alert } from './security.api.js';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

interface AlertStreamHandlers {
  onAlert: (alert: Alert) => void;
  /** Runs when the feed is back after a break, so the page can reload what it missed meanwhile. */
  onResume: () => void;
}

const FIRST_RETRY_MILLISECONDS = 1000;
const MAX_RETRY_MILLISECONDS = 30_000;

/**
 * Keeps the live alert feed open while the page is mounted and reports its state. The browser
 * reconnects a dropped feed by itself but gives up for good after an error status (a restart
 * behind a proxy, a lapsed session), so a closed feed is reopened here with a growing delay.
 */
export function useAlertStream({ onAlert, onResume }: AlertStreamHandlers): StreamState {
  const [state, setState] = useState<StreamState>('connecting');

  // The handlers change on every render, and the feed must not reconnect for that.
  const handlers = useRef({ onAlert, onResume });
  handlers.current = { onAlert, onResume };

  useEffect(() => {
    let source: EventSource | null = null;
    let retryTimer: number | undefined;
    let failures = 0;
    let openedBefore = false;
    let stopped = false;

    const connect = () => {
      source = new EventSource(ALERT_STREAM_PATH);

      source.onopen = () => {
        failures = 0;
        setState('live');
        if (openedBefore) handlers.current.onResume();
        openedBefore = true;
      };

      source.addEventListener('alert', (event) => {
        const alert = parseAlertEvent((event as MessageEvent<string>).data);
        if (alert !== undefined) handlers.current.onAlert(alert);
      });

      source.onerror = () => {
        if (stopped || source === null) return;
        setState('reconnecting');
        if (source.readyState !== EventSource.CLOSED) return;

        source.close();
        const delay = Math.min(MAX_RETRY_MILLISECONDS, FIRST_RETRY_MILLISECONDS * 2 ** failures);
        failures += 1;
        retryTimer = window.setTimeout(connect, delay);
      };
    };

    connect();
    return () => {
      stopped = true;
      window.clearTimeout(retryTimer);
      source?.close();
    };
  }, []);

  return state;
}
