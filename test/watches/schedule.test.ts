/** Periods and due times in the watch's own zone, across DST changes. */
import { latestOccurrence, nextOccurrence, periodKey, type StoredSchedule } from '../../src/watches/schedule.js';

const ny: StoredSchedule = { every: 'daily', weekday: 1, hour: 9, minute: 0, timezone: 'America/New_York' };

describe('watch schedule', () => {
  it('keeps 9:00 local across the spring DST change (14:00Z before, 13:00Z after)', () => {
    expect(latestOccurrence(ny, new Date('2027-03-13T15:00:00Z')).toUTC().toISO()).toBe('2027-03-13T14:00:00.000Z');
    expect(latestOccurrence(ny, new Date('2027-03-15T13:30:00Z')).toUTC().toISO()).toBe('2027-03-15T13:00:00.000Z');
    expect(nextOccurrence(ny, new Date('2027-03-13T15:00:00Z')).toUTC().toISO()).toBe('2027-03-14T13:00:00.000Z');
  });

  it('names periods by day, ISO week and month', () => {
    const at = new Date('2026-12-02T15:00:00Z');
    expect(periodKey(ny, latestOccurrence(ny, at))).toBe('2026-12-02');
    const weekly = { ...ny, every: 'weekly' as const, weekday: 1 };
    expect(latestOccurrence(weekly, at).toISODate()).toBe('2026-11-30');
    expect(periodKey(weekly, latestOccurrence(weekly, at))).toBe('2026-W49');
    const monthly = { ...ny, every: 'monthly' as const };
    expect(periodKey(monthly, latestOccurrence(monthly, new Date('2026-12-01T13:59:00Z')))).toBe('2026-11');
  });
});

describe('run ledger pruning', () => {
  it('forgets finished runs after 90 days but never a running claim', async () => {
    const { openDatabase } = await import('../../src/store/database.js');
    const { WatchStore } = await import('../../src/store/watch-store.js');
    const store = new WatchStore(openDatabase(':memory:'));
    const id = WatchStore.newId();
    const t0 = Date.UTC(2026, 0, 1);
    store.createDraft({
      id,
      kind: 'watch',
      creator: 'U1',
      createdIn: 'C1',
      destination: 'C1',
      activeSince: t0,
      createdAt: t0,
      spec: { text: 'x daily', question: 'x', schedule: { ...ny, timezone: 'UTC' }, destination: 'here' },
    });
    store.activate(id, t0);
    expect(store.claimRun(id, '2026-01-01', t0)).toBe('claimed');
    store.finishRun(id, '2026-01-01', 'posted', t0);
    expect(store.claimRun(id, '2026-01-02', t0 + 86_400_000)).toBe('claimed');
    store.prune(t0 + 91 * 86_400_000);
    expect(store.runs(id).map((r) => r.period)).toEqual(['2026-01-02']);
  });
});
