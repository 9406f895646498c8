import type { Worker } from '@temporalio/worker';

// The incident worker is two Temporal workers in one process: the incident's own task queue, and the
// senior alert's beside it (seniorAlertTaskQueue) with its own slots. They start, stop and fail together,
// so callers run them as one, as they ran the single worker before.

export class WorkerPair {
  constructor(
    /** The incident workflow and every activity, on config.temporal.taskQueue. */
    readonly main: Worker,
    /** The senior alert's mail alone, on its own queue. */
    readonly senior: Worker,
  ) {}

  /** Runs both until shut down; when one stops (or fails) the other is stopped too. */
  async run(): Promise<void> {
    const stopping = (other: Worker) => () => {
      if (other.getState() === 'RUNNING') other.shutdown();
    };
    const results = await Promise.allSettled([
      this.main.run().finally(stopping(this.senior)),
      this.senior.run().finally(stopping(this.main)),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The incident worker's state (the senior alert's worker follows it). */
  getState(): ReturnType<Worker['getState']> {
    return this.main.getState();
  }

  shutdown(): void {
    for (const w of [this.main, this.senior]) if (w.getState() === 'RUNNING') w.shutdown();
  }

  /** Runs both while `fn` runs, then shuts them down, as Worker.runUntil does for one worker. */
  async runUntil<R>(fnOrPromise: Promise<R> | (() => Promise<R>)): Promise<R> {
    const running = this.run();
    let outcome: { value: R } | { error: unknown } | undefined;
    void (async () => {
      try {
        outcome = { value: await (typeof fnOrPromise === 'function' ? fnOrPromise() : fnOrPromise) };
      } catch (error) {
        outcome = { error };
      } finally {
        this.shutdown();
      }
    })();
    await running;
    if (!outcome) throw new Error('The incident worker stopped before the work it was running finished.');
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }
}
