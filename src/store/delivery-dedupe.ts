/**
 * Ids of deliveries already handled, per sender, so a redelivery does nothing twice: Slack resends an event it
 * thinks was not acked (same event_id), GitHub resends a webhook on failure or on "Redeliver" (same delivery id).
 */
import type { Db } from './database.js';

const KEEP_MS = 7 * 24 * 60 * 60_000;

/** The table each sender's ids live in. */
const TABLES = { slack_events: 'seen_events', github_deliveries: 'seen_deliveries' } as const;

export class DeliveryDedupe {
  #lastPrune = 0;
  readonly #table: (typeof TABLES)[keyof typeof TABLES];

  constructor(
    private readonly db: Db,
    sender: keyof typeof TABLES,
  ) {
    this.#table = TABLES[sender];
  }

  /** True the first time an id is seen, recording it at once (for work that must not start twice). */
  firstSighting(id: string, now: number): boolean {
    this.#prune(now);
    return (
      this.db.prepare(`INSERT OR IGNORE INTO ${this.#table} (id, seen_at) VALUES (?, ?)`).run(id, now).changes === 1
    );
  }

  /** True when the id was recorded as handled (see markHandled). */
  handled(id: string): boolean {
    return this.db.prepare(`SELECT 1 FROM ${this.#table} WHERE id = ?`).get(id) !== undefined;
  }

  /** Records an id once its handling finished; a crash before this leaves the sender's redelivery to be processed. */
  markHandled(id: string, now: number): void {
    this.#prune(now);
    this.db.prepare(`INSERT OR IGNORE INTO ${this.#table} (id, seen_at) VALUES (?, ?)`).run(id, now);
  }

  /** Senders redeliver within hours: a week of ids, pruned at most hourly, keeps the table bounded. */
  #prune(now: number): void {
    if (now - this.#lastPrune <= 60 * 60_000) return;
    this.#lastPrune = now;
    this.db.prepare(`DELETE FROM ${this.#table} WHERE seen_at < ?`).run(now - KEEP_MS);
  }
}
