import type { Logger } from 'pino';

interface Job {
  readonly name: string;
  readonly everyMs: number;
  readonly run: () => Promise<unknown>;
}

/**
 * The server's periodic work (detectors, checkpoints, deliveries, deadlines). Nothing runs until
 * `start()`, so one-shot commands and tests that drive each step themselves stay deterministic.
 * A job never overlaps itself: the next run is scheduled only after the previous one settles.
 */
export class BackgroundWork {
  readonly #logger: Logger;
  readonly #jobs: Job[] = [];
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Set<Promise<unknown>>();
  #started = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  add(name: string, everyMs: number, run: () => Promise<unknown>): void {
    this.#jobs.push({ name, everyMs, run });
    if (this.#started) this.#schedule(this.#jobs[this.#jobs.length - 1]!, 0);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const job of this.#jobs) this.#schedule(job, 0);
  }

  /** Stops scheduling and waits for the runs in progress, so the database can close after. */
  async stop(): Promise<void> {
    this.#started = false;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#running]);
  }

  #schedule(job: Job, delayMs: number): void {
    const timer = setTimeout(() => {
      const run = job.run().catch((error: unknown) => this.#logger.error({ err: error, job: job.name }, 'background job failed'));
      this.#running.add(run);
      void run.finally(() => {
        this.#running.delete(run);
        if (this.#started) this.#schedule(job, job.everyMs);
      });
    }, delayMs);
    // Background work never keeps the process alive on its own.
    timer.unref();
    this.#timers.set(job.name, timer);
  }
}
