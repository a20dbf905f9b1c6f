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

  it('holds work while requests keep arriving, and releases it when they stop', async () => {
    // A wide quiet window keeps this deterministic on a loaded CI machine (timers there can fire late).
    const lane = new SlowLane({ quietMs: 300, maxWaitMs: 10_000 });
    let released = false;
    lane.noteArrival();
    const work = lane.enter().then(() => {
      released = true;
    });
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 20));
      expect(released).toBe(false);
      lane.noteArrival();
    }
    await work;
    expect(released).toBe(true);
  });

  it('never holds work longer than maxWaitMs', async () => {
    const lane = new SlowLane({ quietMs: 5, maxWaitMs: 30 });
    const timer = setInterval(() => lane.noteArrival(), 1);
    const started = performance.now();
    await lane.enter();
    clearInterval(timer);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
