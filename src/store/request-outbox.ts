/**
 * The data-request outbox: every submission is stored before GitHub is called, filed at most once (by key),
 * retried with backoff until it is, across restarts. A lease stops two workers filing the same row at once.
 */
import type { DataRequest, FiledIssue } from '../github/tracker.js';
import type { Db } from './database.js';

export interface OutboxRow {
  key: string;
  request: DataRequest;
  status: 'pending' | 'filed';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  issue: FiledIssue | null;
  notifiedSaved: boolean;
  notifiedFiled: boolean;
  createdAt: number;
  /** What GitHub last told us (#7): issue state, board status, when it closed. */
  issueState: 'open' | 'closed' | null;
  boardStatus: string | null;
  closedAt: number | null;
}

interface RawRow {
  issue_url: string | null;
  key: string;
  payload: string;
  status: 'pending' | 'filed';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  result: string | null;
  notified_saved: number;
  notified_filed: number;
  created_at: number;
  issue_state: 'open' | 'closed' | null;
  board_status: string | null;
  closed_at: number | null;
}

const toRow = (r: RawRow): OutboxRow => ({
  key: r.key,
  request: JSON.parse(r.payload) as DataRequest,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  issue: r.result ? (JSON.parse(r.result) as FiledIssue) : null,
  notifiedSaved: r.notified_saved === 1,
  notifiedFiled: r.notified_filed === 1,
  createdAt: r.created_at,
  issueState: r.issue_state,
  boardStatus: r.board_status,
  closedAt: r.closed_at,
});

/** `owner/name` (lower case) of an issue URL like https://github.com/OWNER/NAME/issues/N; null for other URLs. */
export function trackerOfIssueUrl(url: string): string | null {
  try {
    const match = /^\/([^/]+)\/([^/]+)\/issues\/\d+\/?$/.exec(new URL(url).pathname);
    return match ? `${match[1]}/${match[2]}`.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** Backoff after the n-th failed attempt: 15 s, 30 s, 1 min … capped at 30 min. */
export function backoffMs(attempts: number): number {
  return Math.min(15_000 * 2 ** Math.max(0, attempts - 1), 30 * 60_000);
}

export class RequestOutbox {
  constructor(private readonly db: Db) {}

  /** Stores a submission; false when the key was already stored (double click, redelivery). */
  save(request: DataRequest, now: number): boolean {
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO data_requests (key, payload, status, next_attempt_at, requester, created_at, updated_at)
         VALUES (?, ?, 'pending', ?, ?, ?, ?)`,
      )
      .run(request.key, JSON.stringify(request), now, request.requester.id, now, now);
    return info.changes === 1;
  }

  get(key: string): OutboxRow | undefined {
    const r = this.db.prepare('SELECT * FROM data_requests WHERE key = ?').get(key) as RawRow | undefined;
    return r ? toRow(r) : undefined;
  }

  /** Takes the row for `leaseMs` if it is pending and nobody else holds it. */
  claim(key: string, now: number, leaseMs: number): boolean {
    const info = this.db
      .prepare(
        `UPDATE data_requests SET locked_until = ?, updated_at = ?
         WHERE key = ? AND status = 'pending' AND (locked_until IS NULL OR locked_until < ?)`,
      )
      .run(now + leaseMs, now, key, now);
    return info.changes === 1;
  }

  markFiled(key: string, issue: FiledIssue, now: number): void {
    this.db
      .prepare(
        `UPDATE data_requests SET status = 'filed', issue_number = ?, issue_url = ?, result = ?, locked_until = NULL,
           attempts = attempts + 1, last_error = NULL, updated_at = ? WHERE key = ?`,
      )
      .run(issue.number, issue.url, JSON.stringify(issue), now, key);
  }

  markFailed(key: string, error: string, now: number): OutboxRow {
    const row = this.get(key);
    const attempts = (row?.attempts ?? 0) + 1;
    this.db
      .prepare(
        `UPDATE data_requests SET attempts = ?, last_error = ?, next_attempt_at = ?, locked_until = NULL, updated_at = ?
         WHERE key = ?`,
      )
      .run(attempts, error.slice(0, 1000), now + backoffMs(attempts), now, key);
    return this.get(key)!;
  }

  markNotified(key: string, which: 'saved' | 'filed', now: number): void {
    const column = which === 'saved' ? 'notified_saved' : 'notified_filed';
    this.db.prepare(`UPDATE data_requests SET ${column} = 1, updated_at = ? WHERE key = ?`).run(now, key);
  }

  /** Pending rows whose retry time has come, and filed rows whose requester was not told yet. */
  due(now: number, limit = 20): OutboxRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM data_requests
         WHERE (status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until < ?))
            OR (status = 'filed' AND notified_filed = 0)
         ORDER BY created_at LIMIT ?`,
      )
      .all(now, now, limit) as RawRow[];
    return rows.map(toRow);
  }

  /** A requester's requests, newest first (App Home, /analytics my). */
  byRequester(userId: string, limit = 50): OutboxRow[] {
    const rows = this.db
      .prepare('SELECT * FROM data_requests WHERE requester = ? ORDER BY created_at DESC LIMIT ?')
      .all(userId, limit) as RawRow[];
    return rows.map(toRow);
  }

  /** Records what a webhook said about a filed issue; returns the row it belongs to, if the bot filed it. */
  updateIssue(
    issueNumber: number,
    change: { state?: 'open' | 'closed'; boardStatus?: string | null; closedAt?: number | null },
    now: number,
  ): OutboxRow | undefined {
    const row = this.db
      .prepare(`SELECT key FROM data_requests WHERE issue_number = ? AND status = 'filed'`)
      .get(issueNumber) as { key: string } | undefined;
    if (!row) return undefined;
    return this.recordIssueState(row.key, change, now);
  }

  /** Records what the tracker said about the request stored under `key` (keyed, so tracker numbers never collide). */
  recordIssueState(
    key: string,
    change: { state?: 'open' | 'closed'; boardStatus?: string | null; closedAt?: number | null },
    now: number,
  ): OutboxRow | undefined {
    if (change.state !== undefined) {
      this.db
        .prepare('UPDATE data_requests SET issue_state = ?, closed_at = ?, updated_at = ? WHERE key = ?')
        .run(change.state, change.state === 'closed' ? (change.closedAt ?? now) : null, now, key);
    }
    if (change.boardStatus !== undefined) {
      this.db
        .prepare('UPDATE data_requests SET board_status = ?, updated_at = ? WHERE key = ?')
        .run(change.boardStatus, now, key);
    }
    return this.get(key);
  }

  /**
   * The filed request behind issue `number` of `tracker` (GitHub: `owner/name`, any case), from the bot's own
   * records: where notifications go is decided here, never by anything written in the issue.
   */
  filedByIssue(tracker: string, number: number): OutboxRow | undefined {
    const rows = this.db
      .prepare(`SELECT * FROM data_requests WHERE issue_number = ? AND status = 'filed' ORDER BY created_at`)
      .all(number) as RawRow[];
    const wanted = tracker.toLowerCase();
    return rows.map(toRow).find((r) => {
      const stored = r.issue?.tracker ?? (r.issue ? trackerOfIssueUrl(r.issue.url) : null);
      return stored?.toLowerCase() === wanted;
    });
  }

  pendingCount(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM data_requests WHERE status = 'pending'`).get() as { n: number })
      .n;
  }
}
