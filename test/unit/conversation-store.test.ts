import { ConversationStore } from '../../src/store/conversation-store.js';
import { openDatabase } from '../../src/store/database.js';

const DAY = 24 * 60 * 60_000;

describe('ConversationStore keeps its tables bounded', () => {
  it('drops thread memory and handled ids older than a week', () => {
    const db = openDatabase(':memory:');
    const store = new ConversationStore(db);
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    store.rememberQuestion('C1', '1.0001', 'old-question', t0);
    store.markHandled('seen_deliveries', 'old-delivery', t0);
    store.firstSighting('seen_events', 'old-event', t0);

    const later = t0 + 8 * DAY;
    store.rememberQuestion('C1', '2.0001', 'new-question', later);
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('threads')).toBe(1);
    expect(count('seen_deliveries')).toBe(0);
    expect(count('seen_events')).toBe(0);
    expect(store.lastQuestion('C1', '2.0001', later)).toBe('new-question');
    expect(store.lastQuestion('C1', '1.0001', later)).toBeUndefined();
  });

  it('records a delivery as handled only when told to', () => {
    const store = new ConversationStore(openDatabase(':memory:'));
    expect(store.handled('seen_deliveries', 'd-1')).toBe(false);
    store.markHandled('seen_deliveries', 'd-1', Date.now());
    expect(store.handled('seen_deliveries', 'd-1')).toBe(true);
  });
});
