/** The task tracker: request work and every background run are tracked, so shutdown and tests can wait for them. */
import { TaskTracker } from '../../src/tasks.js';

describe('TaskTracker', () => {
  it('idle() waits for background runs started while it waits', async () => {
    const tasks = new TaskTracker();
    const done: string[] = [];
    void tasks.run(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      done.push('first');
      // A run that starts another (a retry scheduled from a failure) is waited for too.
      void tasks.run(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        done.push('second');
      }, fail);
    }, fail);
    expect(await tasks.idle(5000)).toBe(true);
    expect(done).toEqual(['first', 'second']);
    expect(tasks.size).toBe(0);
  });

  it('a failing run goes to its error handler, never to an unhandled rejection', async () => {
    const tasks = new TaskTracker();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const seen: unknown[] = [];
      const boom = new Error('database is locked');
      await tasks.run(
        async () => {
          throw boom;
        },
        (error) => seen.push(error),
      );
      // A synchronous throw is caught the same way.
      await tasks.run(
        () => {
          throw boom;
        },
        (error) => seen.push(error),
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual([boom, boom]);
      expect(unhandled).toEqual([]);
      expect(await tasks.idle(1000)).toBe(true);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('idle() gives up after its timeout while work still runs', async () => {
    const tasks = new TaskTracker();
    let release!: () => void;
    void tasks.run(() => new Promise<void>((resolve) => (release = resolve)), fail);
    expect(await tasks.idle(20)).toBe(false);
    release();
    expect(await tasks.idle(1000)).toBe(true);
  });
});

function fail(error: unknown): never {
  throw error;
}
