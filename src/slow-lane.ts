/**
 * Work that may run after Slack has been acked waits here, and is let through one piece per event-loop turn.
 * Under a burst of commands, every request already queued on the socket is acked first (Node runs pending I/O
 * before the next turn), so post-ack parsing and querying cannot push a later ack past Slack's 3 s deadline.
 */
export class SlowLane {
  readonly #waiting: Array<() => void> = [];
  #scheduled = false;

  /** Resolves on a later event-loop turn, after I/O that is already pending. */
  enter(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#waiting.shift()?.();
      if (this.#waiting.length > 0) this.#schedule();
    });
  }
}

/** One lane per process: the event loop it protects is shared too. */
export const slowLane = new SlowLane();
