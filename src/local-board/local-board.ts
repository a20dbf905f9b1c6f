/**
 * The embedded board: when no GitHub credentials are set, data requests are filed here instead of on GitHub. It
 * implements the same two ports as the GitHub adapters (IssueTracker for filing, BoardReader for the digest), so
 * the filer, the digest, `/analytics my` and App Home run unchanged on it. It keeps its own SQLite file in DATA_DIR
 * (not the bot's state database): the board stands in for GitHub, an outside system.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { BoardItem, BoardReader, BoardSnapshot } from '../github/board.js';
import {
  type BoardPlacement,
  type IssueDraft,
  type IssueRef,
  type IssueTracker,
  LOCAL_TRACKER,
  type RelatedIssue,
} from '../github/tracker.js';
import type { DataRequest } from '../requests/data-request.js';
import { seedBacklog } from './seed.js';

export const LOCAL_BOARD_FILE = 'local-board.sqlite';
export const LOCAL_BOARD_TITLE = 'Local board';

export interface LocalBoardOptions {
  /** DATA_DIR, or ':memory:' (tests). */
  dataDir: string;
  /** Base of the links the bot shows (the bot's own HTTP server serves /board). */
  baseUrl: string;
  /** Board field names, as on GitHub (GITHUB_STATUS_FIELD and friends), so the filer reads fieldsSet the same way. */
  fields: { status: string; neededBy: string; necessity: string };
  /** The status new requests get (GITHUB_TRIAGE_STATUS). */
  triageStatus: string;
  clock: () => Date;
  /** Seed a realistic backlog when the board is created (default true). */
  seed?: boolean;
}

export interface LocalComment {
  author: string;
  body: string;
  createdAt: string;
}

export interface LocalIssue extends BoardItem {
  /** The data request's idempotency key when the bot filed it (null for the seeded backlog). */
  requestKey: string | null;
  purpose: string | null;
  deliverable: string | null;
  comments: LocalComment[];
}

interface IssueRow {
  number: number;
  request_key: string | null;
  title: string;
  body: string;
  purpose: string | null;
  deliverable: string | null;
  needed_by: string | null;
  necessity: string | null;
  status: string | null;
  state: 'OPEN' | 'CLOSED';
  author: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS issues (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    request_key TEXT UNIQUE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    purpose TEXT,
    deliverable TEXT,
    needed_by TEXT,
    necessity TEXT,
    status TEXT,
    state TEXT NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'CLOSED')),
    author TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT
  );
  CREATE TABLE IF NOT EXISTS assignees (
    number INTEGER NOT NULL REFERENCES issues (number),
    login TEXT NOT NULL,
    PRIMARY KEY (number, login)
  );
  CREATE TABLE IF NOT EXISTS labels (
    number INTEGER NOT NULL REFERENCES issues (number),
    name TEXT NOT NULL,
    PRIMARY KEY (number, name)
  );
  CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number INTEGER NOT NULL REFERENCES issues (number),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** The statuses the local board offers, in board order; the first is replaced by the configured triage status. */
export const LOCAL_STATUSES = ['Triage', 'Backlog', 'In progress', 'In review', 'Done'] as const;

/** A request the local board cannot act on (unknown number, unknown status): shown to the person as is. */
export class LocalBoardError extends Error {
  override readonly name = 'LocalBoardError';
}

/** What a new issue on the board is made of (filed requests and the seed alike). */
export interface NewIssue {
  key?: string;
  title: string;
  body: string;
  purpose?: string;
  deliverable?: string;
  neededBy?: string | null;
  necessity?: string | null;
  status?: string | null;
  author: string;
  labels?: string[];
  assignees?: string[];
  createdAt: string;
  updatedAt?: string;
  closedAt?: string | null;
  comments?: Array<{ author: string; body: string; createdAt: string }>;
}

export class LocalBoard implements IssueTracker, BoardReader {
  readonly kind = 'local' as const;
  readonly cheapReads = true;
  readonly tracker = LOCAL_TRACKER;
  readonly statuses: readonly string[];
  readonly file: string;
  readonly #db: Database.Database;

  constructor(private readonly opts: LocalBoardOptions) {
    this.file = opts.dataDir === ':memory:' ? ':memory:' : path.join(opts.dataDir, LOCAL_BOARD_FILE);
    if (this.file !== ':memory:') mkdirSync(opts.dataDir, { recursive: true });
    this.#db = new Database(this.file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    this.statuses = [opts.triageStatus, ...LOCAL_STATUSES.slice(1)];
    if (opts.seed !== false && !this.#meta('created_at')) {
      const now = opts.clock();
      this.#db.transaction(() => {
        this.#setMeta('created_at', now.toISOString());
        for (const issue of seedBacklog(now, { triageStatus: opts.triageStatus })) this.insert(issue);
      })();
    }
  }

  get url(): string {
    return `${this.opts.baseUrl}/board`;
  }

  issueUrl(number: number): string {
    return `${this.opts.baseUrl}/board/${number}`;
  }

  /** How many issues the board holds (the banner says so). */
  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM issues').get() as { n: number }).n;
  }

  /** Adds an issue as is (the seed, and filing). */
  insert(issue: NewIssue): number {
    const info = this.#db
      .prepare(
        `INSERT INTO issues (request_key, title, body, purpose, deliverable, needed_by, necessity, status, state,
           author, created_at, updated_at, closed_at)
         VALUES (@key, @title, @body, @purpose, @deliverable, @neededBy, @necessity, @status, @state, @author,
           @createdAt, @updatedAt, @closedAt)`,
      )
      .run({
        key: issue.key ?? null,
        title: issue.title,
        body: issue.body,
        purpose: issue.purpose ?? null,
        deliverable: issue.deliverable ?? null,
        neededBy: issue.neededBy ?? null,
        necessity: issue.necessity ?? null,
        status: issue.status ?? null,
        state: issue.closedAt ? 'CLOSED' : 'OPEN',
        author: issue.author,
        createdAt: issue.createdAt,
        updatedAt: issue.updatedAt ?? issue.createdAt,
        closedAt: issue.closedAt ?? null,
      });
    const number = Number(info.lastInsertRowid);
    for (const name of issue.labels ?? []) this.#addLabel(number, name);
    for (const login of issue.assignees ?? []) this.#addAssignee(number, login);
    for (const c of issue.comments ?? []) {
      this.#db
        .prepare('INSERT INTO comments (number, author, body, created_at) VALUES (?, ?, ?, ?)')
        .run(number, c.author, c.body, c.createdAt);
    }
    return number;
  }

  // --- IssueTracker ---------------------------------------------------------------------------------------------

  async findFiled(request: DataRequest): Promise<IssueRef | undefined> {
    const existing = this.#db.prepare('SELECT number FROM issues WHERE request_key = ?').get(request.key) as
      | { number: number }
      | undefined;
    return existing && this.#ref(existing.number);
  }

  /** Files the issue with its board fields; a second call for the same request returns the first issue. */
  async createIssue(request: DataRequest, draft: IssueDraft): Promise<IssueRef> {
    const existing = await this.findFiled(request);
    if (existing) return existing;
    const number = this.insert({
      key: request.key,
      title: draft.title,
      body: draft.body,
      purpose: request.purpose,
      deliverable: request.deliverable,
      neededBy: request.neededBy,
      necessity: request.necessity === 'necessity' ? 'Necessity' : 'Nice-to-have',
      status: this.opts.triageStatus,
      author: 'analytics-bot',
      labels: draft.labels,
      createdAt: this.opts.clock().toISOString(),
    });
    return this.#ref(number);
  }

  /** Issues are on this board as soon as they exist, with their fields. */
  async placeOnBoard(_request: DataRequest, issue: IssueRef): Promise<BoardPlacement> {
    const { status, neededBy, necessity } = this.opts.fields;
    return {
      itemId: `local-item-${issue.number}`,
      fieldsSet: [status, neededBy, necessity],
      fieldsMissing: [],
      boardUrl: this.url,
    };
  }

  #ref(number: number): IssueRef {
    return { tracker: LOCAL_TRACKER, number, url: this.issueUrl(number), nodeId: `local-issue-${number}` };
  }

  async findRelated(title: string, excludeNumber?: number): Promise<RelatedIssue[]> {
    const words = significantWords(title);
    if (words.size === 0) return [];
    const rows = this.#db
      .prepare(`SELECT number, title FROM issues WHERE state = 'OPEN' AND number IS NOT ?`)
      .all(excludeNumber ?? null) as Array<{ number: number; title: string }>;
    return rows
      .map((r) => ({ r, shared: [...significantWords(r.title)].filter((w) => words.has(w)).length }))
      .filter((x) => x.shared >= Math.min(2, words.size))
      .sort((a, b) => b.shared - a.shared || b.r.number - a.r.number)
      .slice(0, 3)
      .map(({ r }) => ({ number: r.number, title: r.title, url: this.issueUrl(r.number) }));
  }

  // --- BoardReader ----------------------------------------------------------------------------------------------

  async read(): Promise<BoardSnapshot> {
    const rows = this.#db.prepare('SELECT * FROM issues ORDER BY number').all() as IssueRow[];
    const assignees = this.#grouped('SELECT number, login AS v FROM assignees ORDER BY login');
    const labels = this.#grouped('SELECT number, name AS v FROM labels ORDER BY name');
    return {
      title: LOCAL_BOARD_TITLE,
      url: this.url,
      items: rows.map((r) => this.#item(r, assignees, labels)),
      missingFields: [],
      requests: 0,
    };
  }

  // --- Moving requests (the console's :close, :comment, :status, :assign) ------------------------------------

  get(number: number): LocalIssue | undefined {
    const row = this.#db.prepare('SELECT * FROM issues WHERE number = ?').get(number) as IssueRow | undefined;
    if (!row) return undefined;
    const one = (sql: string) =>
      new Map([[number, (this.#db.prepare(sql).all(number) as Array<{ v: string }>).map((x) => x.v)]]);
    const item = this.#item(
      row,
      one('SELECT login AS v FROM assignees WHERE number = ? ORDER BY login'),
      one('SELECT name AS v FROM labels WHERE number = ? ORDER BY name'),
    );
    const comments = (
      this.#db
        .prepare('SELECT author, body, created_at FROM comments WHERE number = ? ORDER BY id')
        .all(number) as Array<{ author: string; body: string; created_at: string }>
    ).map((c) => ({ author: c.author, body: c.body, createdAt: c.created_at }));
    return { ...item, requestKey: row.request_key, purpose: row.purpose, deliverable: row.deliverable, comments };
  }

  /** Closes an issue; false when it was closed already. */
  close(number: number, opts: { notPlanned?: boolean } = {}): boolean {
    const issue = this.#must(number);
    if (issue.issue.state === 'CLOSED') return false;
    const now = this.#now();
    this.#db
      .prepare(`UPDATE issues SET state = 'CLOSED', closed_at = ?, updated_at = ? WHERE number = ?`)
      .run(now, now, number);
    if (opts.notPlanned) this.#addLabel(number, 'not planned');
    return true;
  }

  /** Reopens an issue; false when it was open. */
  reopen(number: number): boolean {
    const issue = this.#must(number);
    if (issue.issue.state === 'OPEN') return false;
    this.#db
      .prepare(`UPDATE issues SET state = 'OPEN', closed_at = NULL, updated_at = ? WHERE number = ?`)
      .run(this.#now(), number);
    return true;
  }

  comment(number: number, author: string, body: string): void {
    this.#must(number);
    const now = this.#now();
    this.#db
      .prepare('INSERT INTO comments (number, author, body, created_at) VALUES (?, ?, ?, ?)')
      .run(number, author, body, now);
    this.#touch(number, now);
  }

  /** Moves the item to a status of the board (matched case-insensitively); returns the status as the board names it. */
  setStatus(number: number, wanted: string): { status: string; changed: boolean } {
    const issue = this.#must(number);
    const status = this.statuses.find((s) => s.toLowerCase() === wanted.trim().toLowerCase());
    if (!status) {
      throw new LocalBoardError(
        `"${wanted}" is not a status on the local board. Use one of: ${this.statuses.join(', ')}`,
      );
    }
    if (issue.status === status) return { status, changed: false };
    const now = this.#now();
    this.#db.prepare('UPDATE issues SET status = ?, updated_at = ? WHERE number = ?').run(status, now, number);
    return { status, changed: true };
  }

  /** Assigns a login; false when it was assigned already. */
  assign(number: number, login: string): boolean {
    this.#must(number);
    if (!/^[A-Za-z0-9-]{1,39}$/.test(login)) {
      throw new LocalBoardError(`"${login}" is not a GitHub-style login (letters, digits and dashes)`);
    }
    const added = this.#addAssignee(number, login);
    if (added) this.#touch(number, this.#now());
    return added;
  }

  stop(): void {
    if (this.#db.open) this.#db.close();
  }

  // --- internals ------------------------------------------------------------------------------------------------

  #item(r: IssueRow, assignees: Map<number, string[]>, labels: Map<number, string[]>): BoardItem {
    return {
      id: `local-item-${r.number}`,
      issue: {
        number: r.number,
        title: r.title,
        url: this.issueUrl(r.number),
        state: r.state,
        author: r.author,
        assignees: assignees.get(r.number) ?? [],
        labels: labels.get(r.number) ?? [],
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        closedAt: r.closed_at,
        body: r.body,
      },
      status: r.status,
      neededBy: r.needed_by,
      necessity: r.necessity,
    };
  }

  #grouped(sql: string): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const { number, v } of this.#db.prepare(sql).all() as Array<{ number: number; v: string }>) {
      const list = out.get(number);
      if (list) list.push(v);
      else out.set(number, [v]);
    }
    return out;
  }

  #must(number: number): BoardItem {
    const issue = this.get(number);
    if (!issue) throw new LocalBoardError(`There is no request #${number} on the local board`);
    return issue;
  }

  #addLabel(number: number, name: string): boolean {
    return this.#db.prepare('INSERT OR IGNORE INTO labels (number, name) VALUES (?, ?)').run(number, name).changes > 0;
  }

  #addAssignee(number: number, login: string): boolean {
    return (
      this.#db.prepare('INSERT OR IGNORE INTO assignees (number, login) VALUES (?, ?)').run(number, login).changes > 0
    );
  }

  #touch(number: number, now: string): void {
    this.#db.prepare('UPDATE issues SET updated_at = ? WHERE number = ?').run(now, number);
  }

  #now(): string {
    return this.opts.clock().toISOString();
  }

  #meta(key: string): string | undefined {
    return (this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  #setMeta(key: string, value: string): void {
    this.#db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }
}

const STOP_WORDS = new Set(['the', 'and', 'for', 'with', 'from', 'per', 'by', 'of', 'a', 'an', 'in', 'on', 'to']);

function significantWords(title: string): Set<string> {
  return new Set(
    title
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 2 && !STOP_WORDS.has(w)),
  );
}
