/** Durable conversation state (#6): which Slack events were handled, and each thread's last metric question. */
import type { Db } from './database.js';

const DAY_MS = 24 * 60 * 60_000;
const KEEP_MS = 7 * DAY_MS;

export class ConversationStore {
  #lastPrune = 0;

  constructor(private readonly db: Db) {}

  /** True the first time an id is seen; Slack redelivers events it thinks were not acked (same event_id). */
  firstSighting(table: 'seen_events' | 'seen_deliveries', id: string, now: number): boolean {
    this.#prune(now);
    return this.db.prepare(`INSERT OR IGNORE INTO ${table} (id, seen_at) VALUES (?, ?)`).run(id, now).changes === 1;
  }

  /** True when the id was recorded as handled (see markHandled). */
  handled(table: 'seen_events' | 'seen_deliveries', id: string): boolean {
    return this.db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(id) !== undefined;
  }

  /** Records an id once its handling finished; a crash before this leaves the sender's redelivery to be processed. */
  markHandled(table: 'seen_events' | 'seen_deliveries', id: string, now: number): void {
    this.#prune(now);
    this.db.prepare(`INSERT OR IGNORE INTO ${table} (id, seen_at) VALUES (?, ?)`).run(id, now);
  }

  /** Undoes a sighting whose handling failed, so the sender's retry (or "Redeliver") is processed. */
  forget(table: 'seen_events' | 'seen_deliveries', id: string): void {
    this.db.prepare(`DELETE FROM ${table} WHERE id = ?`).run(id);
  }

  /**
   * Ids only matter while Slack or GitHub might redeliver, and a thread's question only while people follow up:
   * keep a week of each, pruned at most hourly, so the tables stay bounded.
   */
  #prune(now: number): void {
    if (now - this.#lastPrune <= 60 * 60_000) return;
    this.#lastPrune = now;
    this.db.prepare('DELETE FROM seen_events WHERE seen_at < ?').run(now - KEEP_MS);
    this.db.prepare('DELETE FROM seen_deliveries WHERE seen_at < ?').run(now - KEEP_MS);
    this.db.prepare('DELETE FROM threads WHERE updated_at < ?').run(now - KEEP_MS);
  }

  rememberQuestion(channel: string, threadTs: string, encoded: string, now: number): void {
    this.#prune(now);
    this.db
      .prepare(
        `INSERT INTO threads (channel, thread_ts, question, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (channel, thread_ts) DO UPDATE SET question = excluded.question, updated_at = excluded.updated_at`,
      )
      .run(channel, threadTs, encoded, now);
  }

  /** The thread's last question, if asked within the last week. */
  lastQuestion(channel: string, threadTs: string, now: number): string | undefined {
    const row = this.db
      .prepare('SELECT question, updated_at FROM threads WHERE channel = ? AND thread_ts = ?')
      .get(channel, threadTs) as { question: string; updated_at: number } | undefined;
    return row && now - row.updated_at < KEEP_MS ? row.question : undefined;
  }
}
