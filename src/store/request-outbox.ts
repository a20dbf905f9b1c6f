/**
 * The data-request outbox: every submission is stored before GitHub is called. Each side effect of filing it (the
 * issue, the board item, the requester's DM, the #analytics announcement, and a "saved" notice while GitHub is down)
 * is a step with its own state, attempts, backoff and claim: a step that is done is never redone, and one failing
 * never repeats another. Claims carry the instance id of the process working on them (see instances.ts).
 */

import type { FiledIssue } from '../github/tracker.js';
import type { DataRequest } from '../requests/data-request.js';
import type { Db } from './database.js';
import { InstanceRegistry } from './instances.js';

export const STEPS = ['issue', 'board', 'dm', 'announce', 'saved_notice'] as const;
export type StepName = (typeof STEPS)[number];
export type StepState = 'pending' | 'done' | 'failed' | 'skipped';

export interface StepRow {
  key: string;
  step: StepName;
  state: StepState;
  /** Attempts started so far (a claim counts as one). */
  attempts: number;
  nextAttemptAt: number;
  claimedBy: string | null;
  /** An earlier attempt may have had its effect (crash, timeout, 5xx): look before doing it again. */
  maybeDone: boolean;
  /** When the first attempt whose outcome is unknown started (where to look from). */
  uncertainSince: number | null;
  lastError: string | null;
  result: unknown;
}

interface RawStep {
  request_key: string;
  step: StepName;
  state: StepState;
  attempts: number;
  next_attempt_at: number;
  claimed_by: string | null;
  maybe_done: number;
  uncertain_since: number | null;
  last_error: string | null;
  result: string | null;
}

const toStep = (r: RawStep): StepRow => ({
  key: r.request_key,
  step: r.step,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  claimedBy: r.claimed_by,
  maybeDone: r.maybe_done === 1,
  uncertainSince: r.uncertain_since,
  lastError: r.last_error,
  result: r.result ? (JSON.parse(r.result) as unknown) : null,
});

export interface StepFailure {
  error: string;
  /** The attempt may have taken effect: the next one checks first. */
  ambiguous: boolean;
  /** The other side said how long to wait (Retry-After). */
  retryAfterMs?: number;
  /** Attempts after which the step is given up (state 'failed'). */
  maxAttempts: number;
}

export interface OutboxRow {
  key: string;
  /** Summary of the issue step, for App Home and /analytics my. */
  request: DataRequest;
  status: 'pending' | 'filed';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  issue: FiledIssue | null;
  notifiedSaved: boolean;
  notifiedFiled: boolean;
  createdAt: number;
  /** What GitHub last told us: issue state, board status, when it closed. */
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

/** How long a claim holds without being renewed; the worker renews it while the attempt runs. */
export const CLAIM_LEASE_MS = 60_000;

export class RequestOutbox {
  constructor(private readonly db: Db) {}

  /**
   * Stores a submission and its steps; false when the key was already stored (double click, redelivery). `announce`
   * is false when there is nowhere to announce.
   */
  save(request: DataRequest, now: number, opts: { announce?: boolean } = {}): boolean {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT OR IGNORE INTO data_requests (key, payload, status, next_attempt_at, requester, created_at, updated_at)
           VALUES (?, ?, 'pending', ?, ?, ?, ?)`,
        )
        .run(request.key, JSON.stringify(request), now, request.requester.id, now, now);
      if (info.changes !== 1) return false;
      const step = this.db.prepare(
        `INSERT INTO request_steps (request_key, step, state, next_attempt_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
      );
      for (const name of ['issue', 'board', 'dm', 'announce'] as const) {
        step.run(request.key, name, name === 'announce' && opts.announce === false ? 'skipped' : 'pending', now, now);
      }
      return true;
    })();
  }

  get(key: string): OutboxRow | undefined {
    const r = this.db.prepare('SELECT * FROM data_requests WHERE key = ?').get(key) as RawRow | undefined;
    return r ? toRow(r) : undefined;
  }

  steps(key: string): Partial<Record<StepName, StepRow>> {
    const rows = this.db.prepare('SELECT * FROM request_steps WHERE request_key = ?').all(key) as RawStep[];
    return Object.fromEntries(rows.map((r) => [r.step, toStep(r)]));
  }

  /** Adds a step that is not created at save time (the "saved" notice); no-op when it exists. */
  addStep(key: string, step: StepName, now: number): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO request_steps (request_key, step, state, next_attempt_at, updated_at)
         VALUES (?, ?, 'pending', ?, ?)`,
      )
      .run(key, step, now, now);
  }

  /**
   * Takes a due step for `instance`, atomically: only one worker (the submit path or a retry pass, in this process
   * or another) gets it. Returns the step as it was before the claim, or undefined when it is not due, done, or held
   * by a live instance. The claim counts as an attempt and marks the step as possibly done until the attempt ends.
   */
  claimStep(key: string, step: StepName, instance: InstanceRegistry, now: number): StepRow | undefined {
    return this.db.transaction(() => {
      const raw = this.db
        .prepare(
          `SELECT * FROM request_steps WHERE request_key = :key AND step = :step AND state = 'pending'
             AND next_attempt_at <= :now
             AND (claim_expires_at IS NULL OR claim_expires_at < :now OR ${InstanceRegistry.claimableSql('claimed_by')})`,
        )
        .get({ key, step, now, stale: instance.staleBefore(now) }) as RawStep | undefined;
      if (!raw) return undefined;
      this.db
        .prepare(
          `UPDATE request_steps SET claimed_by = ?, claim_expires_at = ?, attempts = attempts + 1, maybe_done = 1,
             uncertain_since = COALESCE(uncertain_since, ?), updated_at = ? WHERE request_key = ? AND step = ?`,
        )
        .run(instance.id, now + CLAIM_LEASE_MS, now, now, key, step);
      return toStep(raw);
    })();
  }

  /** Extends a claim while its attempt runs; false when the claim was lost (taken over, or finished). */
  renewClaim(key: string, step: StepName, instanceId: string, now: number): boolean {
    const info = this.db
      .prepare(
        `UPDATE request_steps SET claim_expires_at = ? WHERE request_key = ? AND step = ? AND claimed_by = ?
           AND state = 'pending'`,
      )
      .run(now + CLAIM_LEASE_MS, key, step, instanceId);
    return info.changes === 1;
  }

  /** Records a step as done (or skipped: nothing to do) with its result, and releases the claim. */
  completeStep(key: string, step: StepName, result: unknown, now: number, state: 'done' | 'skipped' = 'done'): void {
    this.db
      .prepare(
        `UPDATE request_steps SET state = ?, result = ?, claimed_by = NULL, claim_expires_at = NULL, maybe_done = 0,
           uncertain_since = NULL, last_error = NULL, updated_at = ? WHERE request_key = ? AND step = ?`,
      )
      .run(state, result === undefined ? null : JSON.stringify(result), now, key, step);
  }

  /** Records a failed attempt: retried after the backoff (or Retry-After), or given up after `maxAttempts`. */
  failStep(key: string, step: StepName, failure: StepFailure, now: number): StepRow {
    const row = this.steps(key)[step];
    const attempts = row?.attempts ?? 1;
    const giveUp = attempts >= failure.maxAttempts;
    const wait = failure.retryAfterMs !== undefined ? Math.max(1000, failure.retryAfterMs) : backoffMs(attempts);
    this.db
      .prepare(
        `UPDATE request_steps SET state = ?, next_attempt_at = ?, last_error = ?, claimed_by = NULL,
           claim_expires_at = NULL, maybe_done = ?, uncertain_since = CASE WHEN ? THEN uncertain_since END,
           updated_at = ? WHERE request_key = ? AND step = ?`,
      )
      .run(
        giveUp ? 'failed' : 'pending',
        now + wait,
        failure.error.slice(0, 1000),
        failure.ambiguous ? 1 : 0,
        failure.ambiguous ? 1 : 0,
        now,
        key,
        step,
      );
    if (step === 'issue') {
      this.db
        .prepare(
          'UPDATE data_requests SET attempts = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE key = ?',
        )
        .run(attempts, failure.error.slice(0, 1000), now + wait, now, key);
    }
    return this.steps(key)[step]!;
  }

  /** Keys of requests with a step that may be worked on now, oldest first. */
  due(now: number, instance: InstanceRegistry, limit = 20): string[] {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT s.request_key AS key FROM request_steps s JOIN data_requests d ON d.key = s.request_key
         WHERE s.state = 'pending' AND s.next_attempt_at <= :now
           AND (s.claim_expires_at IS NULL OR s.claim_expires_at < :now OR ${InstanceRegistry.claimableSql('s.claimed_by')})
         ORDER BY d.created_at LIMIT :limit`,
      )
      .all({ now, limit, stale: instance.staleBefore(now) }) as Array<{ key: string }>;
    return rows.map((r) => r.key);
  }

  /** Steps given up after their attempt cap, for the log and for an operator. */
  failedSteps(limit = 100): StepRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM request_steps WHERE state = 'failed' ORDER BY updated_at DESC LIMIT ?`)
      .all(limit) as RawStep[];
    return rows.map(toStep);
  }

  /** Gives steps that hit their attempt cap another round (a restart after an operator fixed the cause). */
  reviveFailed(now: number): number {
    return this.db
      .prepare(`UPDATE request_steps SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE state = 'failed'`)
      .run(now).changes;
  }

  /** Records the filed issue on the request (status, number, the issue with its tracker) for App Home and webhooks. */
  markFiled(key: string, issue: Omit<FiledIssue, 'tracker'> & { tracker?: string }, now: number): void {
    this.db
      .prepare(
        `UPDATE data_requests SET status = 'filed', issue_number = ?, issue_url = ?,
           result = ?, locked_until = NULL, last_error = NULL, updated_at = ? WHERE key = ?`,
      )
      .run(issue.number, issue.url, JSON.stringify(issue), now, key);
  }

  /** Records a failed filing attempt on the request's summary (what App Home shows while it retries). */
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

  /** A requester's requests, newest first (App Home, /analytics my). */
  byRequester(userId: string, limit = 50): OutboxRow[] {
    const rows = this.db
      .prepare('SELECT * FROM data_requests WHERE requester = ? ORDER BY created_at DESC LIMIT ?')
      .all(userId, limit) as RawRow[];
    return rows.map(toRow);
  }

  /** Records what the tracker said about the request stored under `key` (keyed, so tracker numbers never collide). */
  recordIssueState(
    key: string,
    change: { state?: 'open' | 'closed'; boardStatus?: string | null; closedAt?: number | null },
    now: number,
  ): void {
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
  }

  /**
   * The filed request behind issue `number` of `tracker` (GitHub: `owner/name`, any case), from the bot's own
   * records: where notifications go is decided here, never by anything written in the issue.
   */
  findByIssue(tracker: string, number: number): OutboxRow | undefined {
    const rows = this.db
      .prepare(`SELECT * FROM data_requests WHERE issue_number = ? AND status = 'filed' ORDER BY created_at`)
      .all(number) as RawRow[];
    const wanted = tracker.toLowerCase();
    return rows.map(toRow).find((r) => {
      const stored = r.issue?.tracker ?? (r.issue ? trackerOfIssueUrl(r.issue.url) : null);
      return stored?.toLowerCase() === wanted;
    });
  }

  /** Requests whose issue is not filed yet. */
  pendingCount(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM data_requests WHERE status = 'pending'`).get() as { n: number })
      .n;
  }
}
