/**
 * Work that may run after Slack has been acked waits here. It is let through one piece per event-loop turn, and
 * only once requests stop arriving for a moment (or after `maxWaitMs`, so it always progresses): under a burst of
 * commands every incoming request is acked first, and post-ack parsing and querying cannot push a later ack past
 * Slack's 3 s deadline. Outside bursts it adds nothing but one event-loop turn.
 */
export interface SlowLaneOptions {
  /** Requests arriving less than this apart count as a burst. */
  quietMs?: number;
  /** The longest a piece of work waits for a burst to end. */
  maxWaitMs?: number;
}

export class SlowLane {
  readonly #waiting: Array<{ release: () => void; since: number }> = [];
  readonly #quietMs: number;
  readonly #maxWaitMs: number;
  #lastArrival = Number.NEGATIVE_INFINITY;
  #scheduled = false;

  constructor(opts: SlowLaneOptions = {}) {
    this.#quietMs = opts.quietMs ?? 12;
    this.#maxWaitMs = opts.maxWaitMs ?? 1000;
  }

  /** Called for every incoming request (the app's instrumentation point). */
  noteArrival(): void {
    this.#lastArrival = performance.now();
  }

  /** Resolves on a later event-loop turn, after pending I/O and any burst of arrivals. */
  enter(): Promise<void> {
    return new Promise((release) => {
      this.#waiting.push({ release, since: performance.now() });
      this.#schedule(0);
    });
  }

  #schedule(delayMs: number): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const tick = () => {
      this.#scheduled = false;
      const head = this.#waiting[0];
      if (!head) return;
      const now = performance.now();
      if (now - this.#lastArrival < this.#quietMs && now - head.since < this.#maxWaitMs) {
        this.#schedule(this.#quietMs);
        return;
      }
      this.#waiting.shift()!.release();
      if (this.#waiting.length > 0) this.#schedule(0);
    };
    if (delayMs > 0) setTimeout(tick, delayMs).unref();
    else setImmediate(tick);
  }
}
