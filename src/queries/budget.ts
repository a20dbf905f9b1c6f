/**
 * Daily warehouse bytes budgets, per person and for the whole bot (BYTES_BUDGET_PER_USER_DAILY, BYTES_BUDGET_DAILY;
 * 0 turns one off). A question that would start a new warehouse job is refused once a budget is spent; answers
 * from the cache cost nothing and are always given. Days are UTC, so "resets at" is the next 00:00 UTC.
 */
import type { BytesLedger } from '../store/bytes-ledger.js';

export type BudgetScope = 'user' | 'bot';

export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  constructor(
    readonly scope: BudgetScope,
    readonly limitBytes: number,
    readonly spentBytes: number,
    readonly resetsAt: Date,
  ) {
    super(`${scope === 'user' ? 'Personal' : 'Bot-wide'} daily bytes budget reached`);
  }
}

export interface QueryBudget {
  /** Throws BudgetExceededError when `userId` (or the bot) has spent a budget for `now`'s day. */
  check(userId: string, now: Date): void;
  /** Adds the bytes a job billed to `userId`'s and the bot's day. */
  record(userId: string, bytes: number, now: Date): void;
}

export interface BudgetLimits {
  bytesPerUserDaily: number;
  bytesDaily: number;
}

const utcDay = (now: Date) => now.toISOString().slice(0, 10);

/** The next 00:00 UTC after `now`. */
export function nextUtcMidnight(now: Date): Date {
  const d = new Date(now);
  d.setUTCHours(24, 0, 0, 0);
  return d;
}

export function createQueryBudget(ledger: BytesLedger, limits: BudgetLimits): QueryBudget {
  return {
    check(userId, now) {
      const day = utcDay(now);
      if (limits.bytesPerUserDaily > 0) {
        const spent = ledger.spent(day, userId);
        if (spent >= limits.bytesPerUserDaily) {
          throw new BudgetExceededError('user', limits.bytesPerUserDaily, spent, nextUtcMidnight(now));
        }
      }
      if (limits.bytesDaily > 0) {
        const spent = ledger.total(day);
        if (spent >= limits.bytesDaily)
          throw new BudgetExceededError('bot', limits.bytesDaily, spent, nextUtcMidnight(now));
      }
    },
    record(userId, bytes, now) {
      ledger.add(utcDay(now), userId, bytes);
    },
  };
}
