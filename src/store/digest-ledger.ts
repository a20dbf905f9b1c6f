/** One row per day in DATA_DIR: which digest was posted (and its Slack ts), so restarts never post twice (#5). */
import type { Db } from './database.js';

export interface LedgerRow {
  day: string;
  status: 'posting' | 'posted' | 'failed';
  claimedAt: number;
  postedAt: number | null;
  ts: string | null;
  noticeTs: string | null;
}

interface Raw {
  day: string;
  status: LedgerRow['status'];
  claimed_at: number;
  posted_at: number | null;
  ts: string | null;
  notice_ts: string | null;
}

const toRow = (r: Raw): LedgerRow => ({
  day: r.day,
  status: r.status,
  claimedAt: r.claimed_at,
  postedAt: r.posted_at,
  ts: r.ts,
  noticeTs: r.notice_ts,
});

/** A claim older than this is a crashed attempt and may be taken over. */
const STALE_CLAIM_MS = 10 * 60_000;

export class DigestLedger {
  constructor(private readonly db: Db) {}

  get(day: string): LedgerRow | undefined {
    const r = this.db.prepare('SELECT * FROM digests WHERE day = ?').get(day) as Raw | undefined;
    return r ? toRow(r) : undefined;
  }

  /** Takes the day for this process; false when it was posted, or another attempt is under way. */
  claim(day: string, now: number): boolean {
    return this.db.transaction(() => {
      const row = this.get(day);
      if (!row) {
        this.db.prepare(`INSERT INTO digests (day, status, claimed_at) VALUES (?, 'posting', ?)`).run(day, now);
        return true;
      }
      if (row.status === 'posted') return false;
      if (row.status === 'posting' && now - row.claimedAt < STALE_CLAIM_MS) return false;
      this.db.prepare(`UPDATE digests SET status = 'posting', claimed_at = ? WHERE day = ?`).run(now, day);
      return true;
    })();
  }

  markPosted(day: string, ts: string, now: number): void {
    this.db
      .prepare(`UPDATE digests SET status = 'posted', ts = ?, posted_at = ?, last_error = NULL WHERE day = ?`)
      .run(ts, now, day);
  }

  markFailed(day: string, error: string, noticeTs?: string): void {
    this.db
      .prepare(`UPDATE digests SET status = 'failed', last_error = ?, notice_ts = COALESCE(?, notice_ts) WHERE day = ?`)
      .run(error.slice(0, 1000), noticeTs ?? null, day);
  }

  /** When the most recent digest before `day` went out. */
  lastPostedBefore(day: string): number | null {
    const r = this.db
      .prepare(`SELECT posted_at FROM digests WHERE status = 'posted' AND day < ? ORDER BY day DESC LIMIT 1`)
      .get(day) as { posted_at: number } | undefined;
    return r?.posted_at ?? null;
  }
}
