/** The durable store in DATA_DIR: one SQLite file (better-sqlite3), WAL mode, versioned migrations. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export const MIGRATIONS: string[] = [
  // 1: data requests outbox. A row exists before GitHub is called, so nothing typed is ever lost.
  `CREATE TABLE data_requests (
     key TEXT PRIMARY KEY,
     payload TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending', 'filed')),
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     locked_until INTEGER,
     last_error TEXT,
     issue_number INTEGER,
     issue_url TEXT,
     result TEXT,
     notified_saved INTEGER NOT NULL DEFAULT 0,
     notified_filed INTEGER NOT NULL DEFAULT 0,
     requester TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX data_requests_due ON data_requests (status, next_attempt_at);
   CREATE INDEX data_requests_requester ON data_requests (requester, created_at);`,
  // 2: the triage digest ledger: one row per day, so restarts never post twice.
  `CREATE TABLE digests (
     day TEXT PRIMARY KEY,
     status TEXT NOT NULL CHECK (status IN ('posting', 'posted', 'failed')),
     claimed_at INTEGER NOT NULL,
     posted_at INTEGER,
     ts TEXT,
     notice_ts TEXT,
     last_error TEXT
   );`,
  // 3: conversations: Slack event ids already handled (redeliveries) and each thread's last metric question.
  `CREATE TABLE seen_events (id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
   CREATE TABLE threads (
     channel TEXT NOT NULL,
     thread_ts TEXT NOT NULL,
     question TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (channel, thread_ts)
   );`,
  // 4: closing the loop: GitHub deliveries already handled, and what the board last said about each request.
  `CREATE TABLE seen_deliveries (id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
   ALTER TABLE data_requests ADD COLUMN issue_state TEXT;
   ALTER TABLE data_requests ADD COLUMN board_status TEXT;
   ALTER TABLE data_requests ADD COLUMN closed_at INTEGER;
   CREATE INDEX data_requests_issue ON data_requests (issue_number);`,
  // 5: watches and alerts, and one row per watch and period, so a period is never posted twice.
  `CREATE TABLE watches (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('watch', 'alert')),
     status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'deleted')),
     creator TEXT NOT NULL,
     created_in TEXT NOT NULL,
     destination TEXT NOT NULL,
     spec TEXT NOT NULL,
     active_since INTEGER NOT NULL,
     snoozed_until INTEGER,
     pause_reason TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX watches_status ON watches (status);
   CREATE INDEX watches_creator ON watches (creator);
   CREATE INDEX watches_destination ON watches (destination);
   CREATE TABLE watch_runs (
     watch_id TEXT NOT NULL REFERENCES watches (id),
     period TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('running', 'posting', 'posted', 'quiet', 'failed', 'unknown', 'paused')),
     attempts INTEGER NOT NULL DEFAULT 1,
     claimed_at INTEGER NOT NULL,
     finished_at INTEGER,
     ts TEXT,
     detail TEXT,
     PRIMARY KEY (watch_id, period)
   );`,
  // 6: answer feedback: each answer shown (its question and interpretation, ours to trust) and 👍/👎 on it.
  `CREATE TABLE answers (
     id TEXT PRIMARY KEY,
     question TEXT NOT NULL,
     interpretation TEXT NOT NULL,
     reading TEXT NOT NULL,
     user_id TEXT NOT NULL,
     channel_id TEXT,
     visible INTEGER NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX answers_created ON answers (created_at);
   CREATE TABLE answer_feedback (
     answer_id TEXT NOT NULL REFERENCES answers (id),
     user_id TEXT NOT NULL,
     rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
     comment TEXT,
     reasons TEXT NOT NULL DEFAULT '[]',
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (answer_id, user_id)
   );
   CREATE INDEX answer_feedback_recent ON answer_feedback (updated_at);`,
  // 7: exactly-once side effects. Each side effect of filing a request is its own step with its own state, attempts,
  // backoff and claim; claims name the bot instance holding them, and instances beat a heartbeat, so a restarted bot
  // takes over a dead one's claims at once while a live one keeps its own. Requests stored before this get their
  // steps from what their row says.
  `CREATE TABLE instances (
     id TEXT PRIMARY KEY,
     host TEXT NOT NULL,
     pid INTEGER NOT NULL,
     proc_start TEXT,
     started_at INTEGER NOT NULL,
     heartbeat_at INTEGER NOT NULL
   );
   CREATE TABLE request_steps (
     request_key TEXT NOT NULL REFERENCES data_requests (key) ON DELETE CASCADE,
     step TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     claimed_by TEXT,
     claim_expires_at INTEGER,
     maybe_done INTEGER NOT NULL DEFAULT 0,
     uncertain_since INTEGER,
     last_error TEXT,
     result TEXT,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (request_key, step)
   );
   CREATE INDEX request_steps_due ON request_steps (state, next_attempt_at);
   ALTER TABLE digests ADD COLUMN claimed_by TEXT;
   INSERT INTO request_steps (request_key, step, state, attempts, next_attempt_at, maybe_done, last_error, result,
       updated_at)
     SELECT key, 'issue', CASE status WHEN 'filed' THEN 'done' ELSE 'pending' END, attempts, next_attempt_at,
            CASE WHEN status = 'pending' AND attempts > 0 THEN 1 ELSE 0 END, last_error, result, updated_at
     FROM data_requests;
   INSERT INTO request_steps (request_key, step, state, next_attempt_at, updated_at)
     SELECT key, 'board', CASE status WHEN 'filed' THEN 'done' ELSE 'pending' END, next_attempt_at, updated_at
     FROM data_requests;
   INSERT INTO request_steps (request_key, step, state, next_attempt_at, updated_at)
     SELECT key, 'dm', CASE notified_filed WHEN 1 THEN 'done' ELSE 'pending' END, next_attempt_at, updated_at
     FROM data_requests;
   INSERT INTO request_steps (request_key, step, state, next_attempt_at, updated_at)
     SELECT key, 'announce', CASE notified_filed WHEN 1 THEN 'done' ELSE 'pending' END, next_attempt_at, updated_at
     FROM data_requests;
   INSERT INTO request_steps (request_key, step, state, next_attempt_at, updated_at)
     SELECT key, 'saved_notice', 'done', next_attempt_at, updated_at FROM data_requests WHERE notified_saved = 1;`,
  // 8: daily warehouse bytes per person (budgets), kept across restarts so a restart never resets a spend.
  `CREATE TABLE bytes_spent (
     day TEXT NOT NULL,
     user TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     PRIMARY KEY (day, user)
   );`,
];

export function openDatabase(dataDir: string, file = 'analytics-bot.sqlite'): Db {
  const target = dataDir === ':memory:' ? ':memory:' : path.join(dataDir, file);
  if (target !== ':memory:') mkdirSync(dataDir, { recursive: true });
  const db = new Database(target);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
