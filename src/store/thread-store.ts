/** Each thread's last metric question, so a follow-up in the thread ("and last month?") refines it. */
import type { ThreadMemory } from '../ask/ask-service.js';
import type { Db } from './database.js';

const KEEP_MS = 7 * 24 * 60 * 60_000;

export class ThreadStore implements ThreadMemory {
  #lastPrune = 0;

  constructor(private readonly db: Db) {}

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

  /** People follow up within days: a week of threads, pruned at most hourly, keeps the table bounded. */
  #prune(now: number): void {
    if (now - this.#lastPrune <= 60 * 60_000) return;
    this.#lastPrune = now;
    this.db.prepare('DELETE FROM threads WHERE updated_at < ?').run(now - KEEP_MS);
  }
}
