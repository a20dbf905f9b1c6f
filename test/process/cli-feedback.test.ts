/** `analytics-bot feedback` as operators run it: a child process reading the SQLite store in DATA_DIR. */
import { openDatabase } from '../../src/store/database.js';
import { FeedbackStore } from '../../src/store/feedback-store.js';
import { tempDir } from '../helpers/config.js';
import { runCli } from '../helpers/process.js';

const T0 = Date.parse('2026-11-29T10:00:00Z');
/** Each run starts a child process (tsx) on a shared machine: allow for a slow start. */
const SLOW = 60_000;

/** Two answers rated as the Slack handlers would record them: one 👍, one 👎 with what was wrong. */
function seed(dataDir: string): void {
  const db = openDatabase(dataDir);
  try {
    const store = new FeedbackStore(db);
    const shown = (question: string, metric: string, reading: string, at: number) =>
      store.recordAnswer(
        {
          question,
          interpretation: JSON.stringify({ intent: 'metric', metric }),
          reading,
          userId: 'U0ASKER',
          channelId: 'C0ANALYTICS',
          visible: false,
        },
        at,
      );
    const good = shown('searches last week', 'searches', 'Searches · 2026-11-16 – 2026-11-22 (UTC) · by day', T0);
    store.rate(good, 'U0ASKER', 'up', T0 + 1_000);
    const bad = shown(
      'code searches from pro accounts\nlast week',
      'searches',
      'Searches · 2026-11-16 – 2026-11-22 (UTC) · by day',
      T0 + 2_000,
    );
    store.rate(bad, 'U0ASKER', 'down', T0 + 3_000);
    store.explain(bad, 'U0ASKER', 'It dropped "pro accounts"', ['ignored_words'], T0 + 4_000);
  } finally {
    db.close();
  }
}

describe('analytics-bot feedback', () => {
  const dataDir = tempDir();
  beforeAll(() => seed(dataDir));

  it(
    'prints the recent ratings, newest first, with the question, the reading and what was wrong',
    async () => {
      const run = runCli(['feedback'], { DATA_DIR: dataDir });
      expect((await run.exited).code).toBe(0);
      expect(run.stderr()).toBe('');
      const out = run.stdout();
      expect(out).toContain('2026-11-29 10:00 UTC  👎  U0ASKER in C0ANALYTICS');
      expect(out).toContain('  asked:   code searches from pro accounts last week');
      expect(out).toContain('  read as: Searches · 2026-11-16 – 2026-11-22 (UTC) · by day');
      expect(out).toContain('  wrong:   It ignored part of my question');
      expect(out).toContain('  comment: It dropped "pro accounts"');
      expect(out.indexOf('👎')).toBeLessThan(out.indexOf('👍'));
      expect(out).toContain('  asked:   searches last week');
    },
    SLOW,
  );

  it(
    '--down --json prints only the misses, as one JSON array with the interpretation',
    async () => {
      const run = runCli(['feedback', '--down', '--json'], { DATA_DIR: dataDir });
      expect((await run.exited).code).toBe(0);
      const rows = JSON.parse(run.stdout()) as Array<Record<string, unknown>>;
      expect(rows).toEqual([
        {
          at: '2026-11-29T10:00:04.000Z',
          rating: 'down',
          user: 'U0ASKER',
          channel: 'C0ANALYTICS',
          question: 'code searches from pro accounts\nlast week',
          reading: 'Searches · 2026-11-16 – 2026-11-22 (UTC) · by day',
          interpretation: { intent: 'metric', metric: 'searches' },
          reasons: ['ignored_words'],
          comment: 'It dropped "pro accounts"',
        },
      ]);
    },
    SLOW,
  );

  it(
    '--limit keeps the newest; an empty store says so; bad options exit 2',
    async () => {
      const limited = runCli(['feedback', '--limit', '1'], { DATA_DIR: dataDir });
      expect((await limited.exited).code).toBe(0);
      expect(limited.stdout()).toContain('👎');
      expect(limited.stdout()).not.toContain('👍');

      const empty = runCli(['feedback'], { DATA_DIR: tempDir() });
      expect((await empty.exited).code).toBe(0);
      expect(empty.stdout()).toBe('No feedback yet.\n');

      const bad = runCli(['feedback', '--limit', 'lots'], { DATA_DIR: dataDir });
      expect((await bad.exited).code).toBe(2);
      expect(bad.stderr()).toContain('Usage: analytics-bot feedback [--down] [--limit N] [--json]');
    },
    3 * SLOW,
  );
});
