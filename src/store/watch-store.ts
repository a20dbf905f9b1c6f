/** Watches and alerts in DATA_DIR, and a ledger of runs: one row per watch and period, so none runs twice. */
import { randomBytes } from 'node:crypto';
import type { Condition, Destination } from '../watches/grammar.js';
import type { StoredSchedule } from '../watches/schedule.js';
import type { Db } from './database.js';

export type WatchKind = 'watch' | 'alert';
export type WatchStatus = 'draft' | 'active' | 'paused' | 'deleted';

export interface WatchSpec {
  /** The command as typed after `watch`/`alert`, for listings. */
  text: string;
  /** The question part, read by the question pipeline at every run. */
  question: string;
  schedule: StoredSchedule;
  destination: Destination;
  condition?: Condition;
  floor?: number;
}

export interface WatchRow {
  id: string;
  kind: WatchKind;
  status: WatchStatus;
  creator: string;
  /** Conversation the command was typed in. */
  createdIn: string;
  /** Where runs post: a channel id, or the creator's user id for a DM. Only ever from our own records. */
  destination: string;
  spec: WatchSpec;
  /** Periods scheduled before this instant never run (creation, resume). */
  activeSince: number;
  snoozedUntil: number | null;
  pauseReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export type RunStatus = 'running' | 'posting' | 'posted' | 'quiet' | 'failed' | 'unknown' | 'paused';

export interface RunRow {
  watchId: string;
  period: string;
  status: RunStatus;
  attempts: number;
  claimedAt: number;
  finishedAt: number | null;
  ts: string | null;
  detail: string | null;
}

interface RawWatch {
  id: string;
  kind: WatchKind;
  status: WatchStatus;
  creator: string;
  created_in: string;
  destination: string;
  spec: string;
  active_since: number;
  snoozed_until: number | null;
  pause_reason: string | null;
  created_at: number;
  updated_at: number;
}

const toWatch = (r: RawWatch): WatchRow => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  creator: r.creator,
  createdIn: r.created_in,
  destination: r.destination,
  spec: JSON.parse(r.spec) as WatchSpec,
  activeSince: r.active_since,
  snoozedUntil: r.snoozed_until,
  pauseReason: r.pause_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** A claim older than this belongs to a process that died. */
const STALE_CLAIM_MS = 10 * 60_000;
/** Failed runs (warehouse errors, Slack refusals that posted nothing) are retried this many times per period. */
export const MAX_RUN_ATTEMPTS = 3;
/** Run history kept for listings and audits; longer than the longest period (a month), so a period never repeats. */
const RUN_RETENTION_MS = 90 * 86_400_000;
/** Unconfirmed drafts are forgotten after a day. */
const DRAFT_TTL_MS = 24 * 3600_000;

export type Claim = 'claimed' | 'done' | 'busy';

export class WatchStore {
  constructor(private readonly db: Db) {}

  static newId(): string {
    return `w${randomBytes(6).toString('hex')}`;
  }

  createDraft(row: Omit<WatchRow, 'status' | 'snoozedUntil' | 'pauseReason' | 'updatedAt'>): WatchRow {
    this.db
      .prepare('DELETE FROM watches WHERE status = ? AND created_at < ?')
      .run('draft', row.createdAt - DRAFT_TTL_MS);
    this.db
      .prepare(
        `INSERT INTO watches (id, kind, status, creator, created_in, destination, spec, active_since, created_at, updated_at)
         VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.id,
        row.kind,
        row.creator,
        row.createdIn,
        row.destination,
        JSON.stringify(row.spec),
        row.activeSince,
        row.createdAt,
        row.createdAt,
      );
    return this.get(row.id)!;
  }

  get(id: string): WatchRow | undefined {
    if (!/^w[0-9a-f]{12}$/.test(id)) return undefined;
    const r = this.db.prepare('SELECT * FROM watches WHERE id = ?').get(id) as RawWatch | undefined;
    return r ? toWatch(r) : undefined;
  }

  /** A draft becomes active; false when it expired or was already confirmed. */
  activate(id: string, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE watches SET status = 'active', active_since = ?, updated_at = ? WHERE id = ? AND status = 'draft' AND created_at >= ?`,
        )
        .run(now, now, id, now - DRAFT_TTL_MS).changes === 1
    );
  }

  /** Pauses an active watch; false when it was not active (so a pause is announced once). */
  pause(id: string, reason: string | null, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE watches SET status = 'paused', pause_reason = ?, updated_at = ? WHERE id = ? AND status = 'active'`,
        )
        .run(reason, now, id).changes === 1
    );
  }

  /** Periods scheduled while it was paused are not caught up. */
  resume(id: string, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE watches SET status = 'active', pause_reason = NULL, active_since = ?, updated_at = ? WHERE id = ? AND status = 'paused'`,
        )
        .run(now, now, id).changes === 1
    );
  }

  snooze(id: string, until: number, now: number): boolean {
    return (
      this.db
        .prepare(`UPDATE watches SET snoozed_until = ?, updated_at = ? WHERE id = ? AND status IN ('active', 'paused')`)
        .run(until, now, id).changes === 1
    );
  }

  delete(id: string, now: number): boolean {
    return (
      this.db
        .prepare(`UPDATE watches SET status = 'deleted', updated_at = ? WHERE id = ? AND status != 'deleted'`)
        .run(now, id).changes === 1
    );
  }

  active(): WatchRow[] {
    return (
      this.db.prepare(`SELECT * FROM watches WHERE status = 'active' ORDER BY created_at`).all() as RawWatch[]
    ).map(toWatch);
  }

  /** What `/analytics watches` lists: the person's own, and those of the conversation it is typed in. */
  visibleTo(userId: string, channelId: string): WatchRow[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM watches WHERE status IN ('active', 'paused')
             AND (creator = ? OR destination = ? OR (created_in = ? AND destination = created_in))
           ORDER BY created_at`,
        )
        .all(userId, channelId, channelId) as RawWatch[]
    ).map(toWatch);
  }

  byCreator(userId: string): WatchRow[] {
    return (
      this.db
        .prepare(`SELECT * FROM watches WHERE status IN ('active', 'paused') AND creator = ? ORDER BY created_at`)
        .all(userId) as RawWatch[]
    ).map(toWatch);
  }

  /** Takes one period of one watch for this process; 'done' when it already ran (or may have posted). */
  claimRun(watchId: string, period: string, now: number): Claim {
    return this.db.transaction((): Claim => {
      const run = this.run(watchId, period);
      if (!run) {
        this.db
          .prepare(`INSERT INTO watch_runs (watch_id, period, status, claimed_at) VALUES (?, ?, 'running', ?)`)
          .run(watchId, period, now);
        return 'claimed';
      }
      const stale = now - run.claimedAt >= STALE_CLAIM_MS;
      switch (run.status) {
        case 'running':
          if (!stale) return 'busy';
          break; // the process died before posting anything: take it over
        case 'posting':
          if (!stale) return 'busy';
          // It died while posting: the message may be in Slack. Never risk a second post.
          this.finishRun(watchId, period, 'unknown', now, { detail: 'crashed while posting' });
          return 'done';
        case 'failed':
          if (run.attempts >= MAX_RUN_ATTEMPTS) return 'done';
          break;
        default:
          return 'done';
      }
      this.db
        .prepare(
          `UPDATE watch_runs SET status = 'running', attempts = attempts + 1, claimed_at = ? WHERE watch_id = ? AND period = ?`,
        )
        .run(now, watchId, period);
      return 'claimed';
    })();
  }

  /** Recorded before the Slack call: from here on a crash means "maybe posted". */
  markPosting(watchId: string, period: string): void {
    this.db.prepare(`UPDATE watch_runs SET status = 'posting' WHERE watch_id = ? AND period = ?`).run(watchId, period);
  }

  finishRun(
    watchId: string,
    period: string,
    status: Exclude<RunStatus, 'running' | 'posting'>,
    now: number,
    /** `final`: a failure not to retry in this period. */
    extra: { ts?: string; detail?: string; final?: boolean } = {},
  ): void {
    this.db
      .prepare(
        `UPDATE watch_runs SET status = ?, finished_at = ?, ts = ?, detail = ?,
           attempts = CASE WHEN ? THEN max(attempts, ?) ELSE attempts END
         WHERE watch_id = ? AND period = ?`,
      )
      .run(
        status,
        now,
        extra.ts ?? null,
        extra.detail?.slice(0, 500) ?? null,
        extra.final ? 1 : 0,
        MAX_RUN_ATTEMPTS,
        watchId,
        period,
      );
  }

  /**
   * Forgets finished runs older than `keepMs` (only the latest period is ever due, so old rows guard nothing) and
   * deleted watches that no longer have runs.
   */
  prune(now: number, keepMs = RUN_RETENTION_MS): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM watch_runs WHERE finished_at IS NOT NULL AND finished_at < ?`).run(now - keepMs);
      this.db
        .prepare(
          `DELETE FROM watches WHERE status = 'deleted' AND updated_at < ?
             AND NOT EXISTS (SELECT 1 FROM watch_runs r WHERE r.watch_id = watches.id)`,
        )
        .run(now - keepMs);
    })();
  }

  run(watchId: string, period: string): RunRow | undefined {
    const r = this.db.prepare('SELECT * FROM watch_runs WHERE watch_id = ? AND period = ?').get(watchId, period) as
      | {
          watch_id: string;
          period: string;
          status: RunStatus;
          attempts: number;
          claimed_at: number;
          finished_at: number | null;
          ts: string | null;
          detail: string | null;
        }
      | undefined;
    return r
      ? {
          watchId: r.watch_id,
          period: r.period,
          status: r.status,
          attempts: r.attempts,
          claimedAt: r.claimed_at,
          finishedAt: r.finished_at,
          ts: r.ts,
          detail: r.detail,
        }
      : undefined;
  }

  runs(watchId: string): RunRow[] {
    return (
      this.db.prepare('SELECT period FROM watch_runs WHERE watch_id = ? ORDER BY claimed_at').all(watchId) as Array<{
        period: string;
      }>
    ).map((r) => this.run(watchId, r.period)!);
  }
}
