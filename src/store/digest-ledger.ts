/** One row per day in DATA_DIR: which digest was posted (and its Slack ts), so restarts never post twice. */
import type { Db } from './database.js';
import { InstanceRegistry } from './instances.js';

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

/**
 * A claim older than this is taken over even from a live instance (a hung post). A claim whose instance is gone
 * (crashed or stopped) is taken over at once, so a restart right after a crash mid-post still posts today.
 */
const STALE_CLAIM_MS = 10 * 60_000;

export class DigestLedger {
  constructor(private readonly db: Db) {}

  get(day: string): LedgerRow | undefined {
    const r = this.db.prepare('SELECT * FROM digests WHERE day = ?').get(day) as Raw | undefined;
    return r ? toRow(r) : undefined;
  }

  /** Takes the day for `instance`; false when it was posted, or a live instance is posting it right now. */
  claim(day: string, now: number, instance: InstanceRegistry): boolean {
    return this.db.transaction(() => {
      const row = this.get(day);
      if (!row) {
        this.db
          .prepare(`INSERT INTO digests (day, status, claimed_at, claimed_by) VALUES (?, 'posting', ?, ?)`)
          .run(day, now, instance.id);
        return true;
      }
      if (row.status === 'posted') return false;
      if (row.status === 'posting' && now - row.claimedAt < STALE_CLAIM_MS && this.heldByLive(day, now, instance)) {
        return false;
      }
      this.db
        .prepare(`UPDATE digests SET status = 'posting', claimed_at = ?, claimed_by = ? WHERE day = ?`)
        .run(now, instance.id, day);
      return true;
    })();
  }

  private heldByLive(day: string, now: number, instance: InstanceRegistry): boolean {
    const free = this.db
      .prepare(`SELECT 1 FROM digests WHERE day = :day AND ${InstanceRegistry.claimableSql('claimed_by')}`)
      .get({ day, stale: instance.staleBefore(now) });
    return !free;
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
