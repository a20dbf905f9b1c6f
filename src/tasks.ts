/** Tracks work still running after Slack was acked, so shutdown can finish it (bounded) instead of dropping it. */
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
