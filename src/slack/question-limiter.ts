/**
 * Per-person question rate limit (QUESTIONS_PER_MINUTE_PER_USER; 0 turns it off): a token bucket that holds a
 * minute's worth of questions and refills continuously, so a burst is fine and a steady flood is slowed down.
 * In memory: a restart forgives everyone, which is harmless for a per-minute limit.
 */
import { LRUCache } from 'lru-cache';

/** A refusal says when the next question will be taken, and the limit it enforces (for the message). */
export type LimitDecision = { ok: true } | { ok: false; retryAfterMs: number; perMinute: number };

export interface QuestionLimiter {
  take(userId: string, nowMs: number): LimitDecision;
}

export function createQuestionLimiter(perMinute: number): QuestionLimiter {
  if (perMinute <= 0) return { take: () => ({ ok: true }) };
  const refillPerMs = perMinute / 60_000;
  // A bucket left alone for a minute is full again, so forgetting it then loses nothing; the size bound keeps a
  // large workspace from growing the map without limit.
  const buckets = new LRUCache<string, { tokens: number; at: number }>({ max: 10_000, ttl: 60_000 });
  return {
    take(userId, nowMs) {
      const b = buckets.get(userId) ?? { tokens: perMinute, at: nowMs };
      const tokens = Math.min(perMinute, b.tokens + Math.max(0, nowMs - b.at) * refillPerMs);
      if (tokens < 1) {
        buckets.set(userId, { tokens, at: nowMs });
        return { ok: false, retryAfterMs: Math.ceil((1 - tokens) / refillPerMs), perMinute };
      }
      buckets.set(userId, { tokens: tokens - 1, at: nowMs });
      return { ok: true };
    },
  };
}
