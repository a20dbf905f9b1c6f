import { openDatabase } from '../../src/store/database.js';
import { DeliveryDedupe } from '../../src/store/delivery-dedupe.js';
import { ThreadStore } from '../../src/store/thread-store.js';

const DAY = 24 * 60 * 60_000;

describe('thread memory and delivery dedupe keep their tables bounded', () => {
  it('drop thread questions and handled ids older than a week, each store its own table', () => {
    const db = openDatabase(':memory:');
    const threads = new ThreadStore(db);
    const slackEvents = new DeliveryDedupe(db, 'slack_events');
    const webhookDeliveries = new DeliveryDedupe(db, 'github_deliveries');
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    threads.rememberQuestion('C1', '1.0001', 'old-question', t0);
    webhookDeliveries.markHandled('old-delivery', t0);
    slackEvents.firstSighting('old-event', t0);

    const later = t0 + 8 * DAY;
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    threads.rememberQuestion('C1', '2.0001', 'new-question', later);
    expect(count('threads')).toBe(1);
    expect(count('seen_events')).toBe(1);
    slackEvents.firstSighting('new-event', later);
    webhookDeliveries.markHandled('new-delivery', later);
    expect(count('seen_events')).toBe(1);
    expect(count('seen_deliveries')).toBe(1);
    expect(threads.lastQuestion('C1', '2.0001', later)).toBe('new-question');
    expect(threads.lastQuestion('C1', '1.0001', later)).toBeUndefined();
  });

  it('records a delivery as handled only when told to, and keeps senders apart', () => {
    const db = openDatabase(':memory:');
    const webhookDeliveries = new DeliveryDedupe(db, 'github_deliveries');
    const slackEvents = new DeliveryDedupe(db, 'slack_events');
    expect(webhookDeliveries.handled('d-1')).toBe(false);
    webhookDeliveries.markHandled('d-1', Date.now());
    expect(webhookDeliveries.handled('d-1')).toBe(true);
    expect(slackEvents.handled('d-1')).toBe(false);
    expect(slackEvents.firstSighting('d-1', Date.now())).toBe(true);
    expect(slackEvents.firstSighting('d-1', Date.now())).toBe(false);
  });
});
