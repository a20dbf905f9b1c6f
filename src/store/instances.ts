/**
 * Which bot processes are alive on this DATA_DIR. Every claim (a request step, the day's digest) names the instance
 * that holds it; a claim whose instance is gone can be taken over at once instead of waiting out a lease.
 *
 * An instance is gone when it stopped cleanly (its row is deleted), when its heartbeat is older than `staleMs`
 * (another host, or a hung process), or, on the same host, when its process no longer exists. A process is matched
 * by pid and its start time, so a container restart that reuses pid 1 is not mistaken for the old process.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Logger } from '../logger.js';
import { TaskTracker } from '../tasks.js';
import type { Db } from './database.js';

export interface InstanceOptions {
  clock: () => Date;
  logger?: Logger;
  /** How often the heartbeat is written (default 5 s). */
  heartbeatMs?: number;
  /** A heartbeat older than this means the instance is dead (default 30 s). */
  staleMs?: number;
  /** Heartbeats are tracked here, like every timer's run. */
  tasks?: TaskTracker;
}

/** The start time of process `pid` (Linux: /proc/<pid>/stat field 22), or null where that cannot be read. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; the fields after its closing ')' do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface InstanceRow {
  id: string;
  host: string;
  pid: number;
  proc_start: string | null;
  heartbeat_at: number;
}

export class InstanceRegistry {
  /** This process's instance id: every claim it takes carries it. */
  readonly id = randomUUID();
  readonly staleMs: number;
  readonly #host = os.hostname();
  readonly #heartbeatMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly opts: InstanceOptions,
  ) {
    this.staleMs = opts.staleMs ?? 30_000;
    this.#heartbeatMs = opts.heartbeatMs ?? 5_000;
    const now = this.now();
    this.reap();
    db.prepare(
      `INSERT INTO instances (id, host, pid, proc_start, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(this.id, this.#host, process.pid, processStart(process.pid), now, now);
  }

  private now(): number {
    return this.opts.clock().getTime();
  }

  /**
   * SQL that is true when the claim in `column` may be taken: nobody holds it, or its holder is not a live instance.
   * Bind `staleBefore(now)` to `:stale`.
   */
  static claimableSql(column: string): string {
    return `(${column} IS NULL OR NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = ${column} AND i.heartbeat_at >= :stale))`;
  }

  staleBefore(now: number): number {
    return now - this.staleMs;
  }

  /** Forgets instances whose process is gone: same host and the pid is dead or now belongs to another process. */
  reap(): void {
    const rows = this.db
      .prepare('SELECT id, host, pid, proc_start, heartbeat_at FROM instances')
      .all() as InstanceRow[];
    const dead = rows.filter((r) => {
      if (r.id === this.id) return false;
      if (r.heartbeat_at < this.now() - 24 * 3_600_000) return true;
      if (r.host !== this.#host) return false;
      if (!processExists(r.pid)) return true;
      const started = processStart(r.pid);
      return started !== null && r.proc_start !== null && started !== r.proc_start;
    });
    const forget = this.db.prepare('DELETE FROM instances WHERE id = ?');
    for (const r of dead) forget.run(r.id);
    if (dead.length > 0) {
      this.opts.logger?.info({ instances: dead.map((r) => r.id) }, 'taking over the claims of stopped bot processes');
    }
  }

  beat(): void {
    const info = this.db.prepare('UPDATE instances SET heartbeat_at = ? WHERE id = ?').run(this.now(), this.id);
    if (info.changes === 0) {
      // Reaped by another process after a long pause (a stopped VM): come back under the same id.
      this.db
        .prepare(
          `INSERT INTO instances (id, host, pid, proc_start, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(this.id, this.#host, process.pid, processStart(process.pid), this.now(), this.now());
    }
  }

  /** Beats every `heartbeatMs` until stop(). */
  start(): void {
    if (this.#timer) return;
    const warn = (error: unknown) => this.opts.logger?.warn({ err: error }, 'could not write the heartbeat');
    const tasks = this.opts.tasks ?? new TaskTracker();
    this.#timer = setInterval(() => void tasks.run(async () => this.beat(), warn), this.#heartbeatMs);
    this.#timer.unref();
  }

  /** A clean stop: the row goes, so whatever this instance still holds is free for the next one at once. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.db.prepare('DELETE FROM instances WHERE id = ?').run(this.id);
  }
}
