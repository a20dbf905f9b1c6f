/**
 * 👍 / 👎 on answers. Every answer the bot gives is recorded under a random id that travels in the buttons; feedback
 * is stored against that record, so the question and interpretation kept with it are ours, never a button's content.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './database.js';

const DAY_MS = 24 * 60 * 60_000;
/** Answers nobody rated are kept this long (long enough to rate an answer from last week). */
const ANSWER_RETENTION_MS = 30 * DAY_MS;

export type Rating = 'up' | 'down';

export interface AnswerRecord {
  id: string;
  /** The question as typed, or a restatement when the answer came from a button. */
  question: string;
  /** The interpretation the answer was computed for, as JSON. */
  interpretation: string;
  /** The same, as the one line people read. */
  reading: string;
  userId: string;
  channelId: string | null;
  /** Posted where everyone in the channel sees it (a shared answer, a thread reply): anyone there may rate it. */
  visible: boolean;
  createdAt: number;
}

export interface FeedbackRecord {
  answerId: string;
  userId: string;
  rating: Rating;
  /** What was wrong (👎), as typed; null until the modal is submitted. */
  comment: string | null;
  reasons: string[];
  question: string;
  interpretation: string;
  reading: string;
  channelId: string | null;
  createdAt: number;
  updatedAt: number;
}

interface FeedbackRow {
  answer_id: string;
  user_id: string;
  rating: Rating;
  comment: string | null;
  reasons: string;
  question: string;
  interpretation: string;
  reading: string;
  channel_id: string | null;
  created_at: number;
  updated_at: number;
}

export class FeedbackStore {
  #lastPrune = 0;

  constructor(private readonly db: Db) {}

  /** Records an answer about to be shown and returns the id its buttons carry. */
  recordAnswer(answer: Omit<AnswerRecord, 'id' | 'createdAt'>, now: number): string {
    if (now - this.#lastPrune > 60 * 60_000) {
      this.#lastPrune = now;
      this.db
        .prepare('DELETE FROM answers WHERE created_at < ? AND id NOT IN (SELECT answer_id FROM answer_feedback)')
        .run(now - ANSWER_RETENTION_MS);
    }
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO answers (id, question, interpretation, reading, user_id, channel_id, visible, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        answer.question,
        answer.interpretation,
        answer.reading,
        answer.userId,
        answer.channelId,
        answer.visible ? 1 : 0,
        now,
      );
    return id;
  }

  /**
   * The answer behind a button, if `userId` clicking in `channelId` may rate it: the person it was shown to, or
   * anyone in the channel where it was posted for all to see. Anything else (an unknown, expired or foreign id) is
   * undefined.
   */
  answerFor(id: string, userId: string, channelId: string | undefined): AnswerRecord | undefined {
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    const row = this.db.prepare('SELECT * FROM answers WHERE id = ?').get(id) as
      | {
          id: string;
          question: string;
          interpretation: string;
          reading: string;
          user_id: string;
          channel_id: string | null;
          visible: number;
          created_at: number;
        }
      | undefined;
    if (!row) return undefined;
    const allowed =
      row.user_id === userId || (row.visible === 1 && row.channel_id !== null && row.channel_id === channelId);
    if (!allowed) return undefined;
    return {
      id: row.id,
      question: row.question,
      interpretation: row.interpretation,
      reading: row.reading,
      userId: row.user_id,
      channelId: row.channel_id,
      visible: row.visible === 1,
      createdAt: row.created_at,
    };
  }

  /** One rating per person and answer: a later click replaces the earlier one (and its comment). */
  rate(answerId: string, userId: string, rating: Rating, now: number): void {
    this.db
      .prepare(
        `INSERT INTO answer_feedback (answer_id, user_id, rating, comment, reasons, created_at, updated_at)
         VALUES (?, ?, ?, NULL, '[]', ?, ?)
         ON CONFLICT (answer_id, user_id) DO UPDATE SET
           rating = excluded.rating, comment = NULL, reasons = '[]', updated_at = excluded.updated_at`,
      )
      .run(answerId, userId, rating, now, now);
  }

  /** Adds what was wrong to this person's 👎; false when they have none on that answer. */
  explain(answerId: string, userId: string, comment: string | null, reasons: string[], now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE answer_feedback SET comment = ?, reasons = ?, updated_at = ?
           WHERE answer_id = ? AND user_id = ? AND rating = 'down'`,
        )
        .run(comment, JSON.stringify(reasons), now, answerId, userId).changes === 1
    );
  }

  /** This person's feedback on one answer, with the answer's own question and interpretation. */
  get(answerId: string, userId: string): FeedbackRecord | undefined {
    const row = this.db.prepare(`${SELECT_FEEDBACK} WHERE f.answer_id = ? AND f.user_id = ?`).get(answerId, userId) as
      | FeedbackRow
      | undefined;
    return row && toRecord(row);
  }

  /** Most recent first. */
  recent(opts: { limit: number; rating?: Rating }): FeedbackRecord[] {
    const rows = (
      opts.rating
        ? this.db
            .prepare(`${SELECT_FEEDBACK} WHERE f.rating = ? ORDER BY f.updated_at DESC, f.rowid DESC LIMIT ?`)
            .all(opts.rating, opts.limit)
        : this.db.prepare(`${SELECT_FEEDBACK} ORDER BY f.updated_at DESC, f.rowid DESC LIMIT ?`).all(opts.limit)
    ) as FeedbackRow[];
    return rows.map(toRecord);
  }
}

const SELECT_FEEDBACK = `SELECT f.answer_id, f.user_id, f.rating, f.comment, f.reasons, a.question, a.interpretation,
    a.reading, a.channel_id, f.created_at, f.updated_at
  FROM answer_feedback f JOIN answers a ON a.id = f.answer_id`;

function toRecord(row: FeedbackRow): FeedbackRecord {
  let reasons: string[] = [];
  try {
    const parsed: unknown = JSON.parse(row.reasons);
    if (Array.isArray(parsed)) reasons = parsed.filter((r): r is string => typeof r === 'string');
  } catch {
    // Stored by us as JSON; an unreadable value just shows no reasons.
  }
  return {
    answerId: row.answer_id,
    userId: row.user_id,
    rating: row.rating,
    comment: row.comment,
    reasons,
    question: row.question,
    interpretation: row.interpretation,
    reading: row.reading,
    channelId: row.channel_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
