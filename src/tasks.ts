/**
 * Tracks work still running after Slack was acked, and every background run (a timer's or a schedule's), so
 * shutdown can finish it (bounded) instead of dropping it, and tests can wait for it instead of sleeping.
 */
export class TaskTracker {
  readonly #running = new Set<Promise<unknown>>();

  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#running.add(settled);
    void settled.finally(() => this.#running.delete(settled));
    return work;
  }

  /**
   * Starts background work off any request (a cron run, a retry, a refresh): tracked like request work, and a
   * failure goes to `onError` rather than becoming an unhandled rejection. Resolves when the work is over.
   */
  run(work: () => Promise<unknown>, onError: (error: unknown) => void): Promise<void> {
    // Started at once, as a direct call would be: a stop() right after sees the run under way.
    let started: Promise<unknown>;
    try {
      started = work();
    } catch (error) {
      started = Promise.reject(error);
    }
    return this.track(
      started.then(
        () => undefined,
        (error: unknown) => onError(error),
      ),
    );
  }

  get size(): number {
    return this.#running.size;
  }

  /** Resolves true when nothing is running, or false once `timeoutMs` passes first. */
  async idle(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.min(left, 2 ** 31 - 1));
      });
      await Promise.race([Promise.all(this.#running), timeout]);
      clearTimeout(timer);
    }
    return true;
  }
}
