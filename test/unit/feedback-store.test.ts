/** The feedback store on its own (in-memory SQLite): one rating per person and answer, and what is kept how long. */
import { openDatabase } from '../../src/store/database.js';
import { FeedbackStore } from '../../src/store/feedback-store.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-29T10:00:00Z');

function answer(store: FeedbackStore, at: number, extra: { userId?: string; visible?: boolean } = {}) {
  return store.recordAnswer(
    {
      question: 'signups last week',
      interpretation: '{"metric":"signups"}',
      reading: 'New sign-ups · 2026-11-16 – 2026-11-22 (UTC) · by day',
      userId: extra.userId ?? 'U1',
      channelId: 'C1',
      visible: extra.visible ?? false,
    },
    at,
  );
}

describe('FeedbackStore', () => {
  it('keeps one rating per person and answer; a later click replaces the earlier one and its comment', () => {
    const store = new FeedbackStore(openDatabase(':memory:'));
    const id = answer(store, T0);
    store.rate(id, 'U1', 'down', T0 + 1);
    expect(store.explain(id, 'U1', 'wrong dates', ['wrong_dates'], T0 + 2)).toBe(true);
    store.rate(id, 'U1', 'up', T0 + 3);
    expect(store.get(id, 'U1')).toMatchObject({ rating: 'up', comment: null, reasons: [], createdAt: T0 + 1 });
    // Only a 👎 takes an explanation.
    expect(store.explain(id, 'U1', 'x', [], T0 + 4)).toBe(false);
    expect(store.recent({ limit: 10 })).toHaveLength(1);
  });

  it('lets the person it was shown to rate it, or anyone in the channel when it was posted for all', () => {
    const store = new FeedbackStore(openDatabase(':memory:'));
    const privateId = answer(store, T0);
    const sharedId = answer(store, T0, { visible: true });
    expect(store.answerFor(privateId, 'U1', 'C9')?.question).toBe('signups last week');
    expect(store.answerFor(privateId, 'U2', 'C1')).toBeUndefined();
    expect(store.answerFor(sharedId, 'U2', 'C1')).toBeDefined();
    expect(store.answerFor(sharedId, 'U2', 'C2')).toBeUndefined();
    expect(store.answerFor("' OR 1=1 --", 'U1', 'C1')).toBeUndefined();
  });

  it('forgets unrated answers after 30 days but keeps rated ones with their question', () => {
    const store = new FeedbackStore(openDatabase(':memory:'));
    const rated = answer(store, T0);
    const unrated = answer(store, T0);
    store.rate(rated, 'U1', 'down', T0);
    answer(store, T0 + 31 * DAY); // the next answer recorded prunes (at most hourly)
    expect(store.answerFor(unrated, 'U1', 'C1')).toBeUndefined();
    expect(store.get(rated, 'U1')?.question).toBe('signups last week');
  });
});
