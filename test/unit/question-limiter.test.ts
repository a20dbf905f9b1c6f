import { createQuestionLimiter } from '../../src/slack/question-limiter.js';

describe('question limiter (token bucket)', () => {
  it('allows a minute’s worth at once, then one more per refill interval, per person', () => {
    const limiter = createQuestionLimiter(20);
    const t0 = 1_000_000;
    for (let i = 0; i < 20; i++) expect(limiter.take('U1', t0).ok).toBe(true);
    const refused = limiter.take('U1', t0);
    expect(refused).toEqual({ ok: false, retryAfterMs: 3000, perMinute: 20 }); // 20 a minute: one every 3 s
    expect(limiter.take('U2', t0).ok).toBe(true);
    expect(limiter.take('U1', t0 + 2999).ok).toBe(false);
    expect(limiter.take('U1', t0 + 3000 + 2999).ok).toBe(true);
    // After a quiet minute the bucket is full again, never fuller.
    const later = t0 + 10 * 60_000;
    for (let i = 0; i < 20; i++) expect(limiter.take('U1', later).ok).toBe(true);
    expect(limiter.take('U1', later).ok).toBe(false);
  });

  it('0 turns it off', () => {
    const limiter = createQuestionLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('U1', 0).ok).toBe(true);
  });
});
