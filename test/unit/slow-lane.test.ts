import { SlowLane } from '../../src/slow-lane.js';

describe('SlowLane', () => {
  it('lets waiters through in order, one per event-loop turn, after I/O already queued', async () => {
    const lane = new SlowLane();
    const order: string[] = [];
    const a = lane.enter().then(() => order.push('a'));
    const b = lane.enter().then(() => order.push('b'));
    // Queued after the lane scheduled its first turn: runs before the second waiter, as pending I/O would.
    setImmediate(() => order.push('io'));
    const c = lane.enter().then(() => order.push('c'));
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a', 'io', 'b', 'c']);
  });
});
