/** The durable store in DATA_DIR: one SQLite file (better-sqlite3), WAL mode, versioned migrations. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

const MIGRATIONS: string[] = [
  // 1: data requests outbox (#4). A row exists before GitHub is called, so nothing typed is ever lost.
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
  // 2: the triage digest ledger (#5): one row per day, so restarts never post twice.
  `CREATE TABLE digests (
     day TEXT PRIMARY KEY,
     status TEXT NOT NULL CHECK (status IN ('posting', 'posted', 'failed')),
     claimed_at INTEGER NOT NULL,
     posted_at INTEGER,
     ts TEXT,
     notice_ts TEXT,
     last_error TEXT
   );`,
  // 3: conversations (#6): Slack event ids already handled (redeliveries) and each thread's last metric question.
  `CREATE TABLE seen_events (id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
   CREATE TABLE threads (
     channel TEXT NOT NULL,
     thread_ts TEXT NOT NULL,
     question TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (channel, thread_ts)
   );`,
  // 4: closing the loop (#7): GitHub deliveries already handled, and what the board last said about each request.
  `CREATE TABLE seen_deliveries (id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
   ALTER TABLE data_requests ADD COLUMN issue_state TEXT;
   ALTER TABLE data_requests ADD COLUMN board_status TEXT;
   ALTER TABLE data_requests ADD COLUMN closed_at INTEGER;
   CREATE INDEX data_requests_issue ON data_requests (issue_number);`,
  // 5: watches and alerts (#13), and one row per watch and period, so a period is never posted twice.
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
