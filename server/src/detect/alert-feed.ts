import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { findAlertsChangedAfter, findLatestAlertRevision } from './alert.repository.js';
import { type AlertView, presentAlert } from './alert.presenter.js';

export interface AlertChange {
  /** The alert's revision; the stream sends it as the event id, so a reconnect resumes after it. */
  readonly revision: number;
  readonly alert: AlertView;
}

type Listener = (change: AlertChange) => void;

const PAGE = 200;
/** Most changes replayed to a reconnecting browser; older ones it reloads through the list. */
const CATCH_UP_LIMIT = 500;

/**
 * Follows alert changes for the live streams of this process. While anyone listens it polls the
 * alerts table by revision, so changes written by another server instance arrive within one
 * poll interval. A change made in this process calls `nudge()` and goes out at once. Each poll
 * is one short query, and no connection stays open for a listener.
 */
export class AlertFeed {
  readonly #db: Db;
  readonly #pollMs: number;
  readonly #logger: Logger | undefined;
  readonly #listeners = new Set<Listener>();
  #lastRevision = 0;
  #timer: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;
  #polling = false;
  #pollAgain = false;

  constructor({ db, pollMs = 250, logger }: { db: Db; pollMs?: number; logger?: Logger | undefined }) {
    this.#db = db;
    this.#pollMs = pollMs;
    this.#logger = logger;
  }

  /**
   * Adds a listener for changes from now on, or from just after `after` (a revision the listener
   * saw before reconnecting). Returns the function that removes it.
   */
  async subscribe(listener: Listener, { after }: { after?: number | undefined } = {}): Promise<() => void> {
    await this.#start();
    // Listening first and catching up second may send an alert twice but never skips one. Each
    // message carries the alert's whole current state, so a repeat is harmless.
    this.#listeners.add(listener);
    if (after !== undefined && after < this.#lastRevision) {
      const missed = await findAlertsChangedAfter(this.#db, after, CATCH_UP_LIMIT);
      for (const row of missed) listener({ revision: row.revision, alert: presentAlert(row) });
    }

    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  /** Polls now instead of at the next tick; called after this process committed an alert change. */
  nudge(): void {
    if (this.#timer !== undefined) void this.#poll();
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  close(): void {
    this.#listeners.clear();
    this.#stop();
  }

  async #start(): Promise<void> {
    if (this.#timer !== undefined) return;
    this.#starting ??= (async () => {
      this.#lastRevision = await findLatestAlertRevision(this.#db);
      this.#timer = setInterval(() => void this.#poll(), this.#pollMs);
      this.#timer.unref();
    })().finally(() => {
      this.#starting = undefined;
    });
    await this.#starting;
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #poll(): Promise<void> {
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    this.#polling = true;
    try {
      do {
        this.#pollAgain = false;
        const rows = await findAlertsChangedAfter(this.#db, this.#lastRevision, PAGE);
        for (const row of rows) {
          this.#lastRevision = Math.max(this.#lastRevision, row.revision);
          const change = { revision: row.revision, alert: presentAlert(row) };
          for (const listener of this.#listeners) listener(change);
        }
        if (rows.length === PAGE) this.#pollAgain = true;
      } while (this.#pollAgain && this.#listeners.size > 0);
    } catch (error) {
      this.#logger?.error({ err: error }, 'alert feed poll failed');
    } finally {
      this.#polling = false;
    }
  }
}
