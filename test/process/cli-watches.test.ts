/**
 * `analytics-bot watches run [--dry-run]` as operators run it: one scheduler tick in a child process, against a
 * loopback Slack. A dry run posts nothing; a run posts what is due once; running it again in the same period posts
 * nothing more.
 */
import { type LocalSlack, type SlackOutput, startLocalSlack } from '../../src/console/local-slack.js';
import { openDatabase } from '../../src/store/database.js';
import { WatchStore } from '../../src/store/watch-store.js';
import { tempDir } from '../helpers/config.js';
import { runCli } from '../helpers/process.js';

/** Each run starts a child process (tsx + DuckDB) on a shared machine: allow for a slow start. */
const SLOW = 120_000;

describe('analytics-bot watches run', () => {
  const dataDir = tempDir();
  const outputs: SlackOutput[] = [];
  let slack: LocalSlack;
  const posts = () => outputs.filter((o) => o.kind === 'message' && o.method === 'chat.postMessage');
  const env = () => ({ DATA_DIR: dataDir, SLACK_API_URL: slack.apiUrl });

  beforeAll(async () => {
    slack = await startLocalSlack((o) => outputs.push(o));
    const db = openDatabase(dataDir);
    const store = new WatchStore(db);
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    const id = WatchStore.newId();
    store.createDraft({
      id,
      kind: 'watch',
      creator: 'U0CLI',
      createdIn: 'C0CLI',
      destination: 'C0CLI',
      activeSince: twoDaysAgo,
      createdAt: Date.now(),
      spec: {
        text: 'searches daily at 0:00 UTC',
        question: 'searches',
        schedule: { every: 'daily', weekday: 1, hour: 0, minute: 0, timezone: 'UTC' },
        destination: 'here',
      },
    });
    store.activate(id, twoDaysAgo);
    db.close();
  });

  afterAll(async () => {
    await slack.close();
  });

  it(
    '--dry-run prints what would be posted and posts nothing',
    async () => {
      const run = runCli(['watches', 'run', '--dry-run'], env());
      expect((await run.exited).code).toBe(0);
      expect(run.stdout()).toMatch(/w[0-9a-f]{12} \d{4}-\d{2}-\d{2}: would post to C0CLI/);
      expect(run.stdout()).toContain('🔍 Searches · ');
      expect(posts()).toHaveLength(0);
    },
    SLOW,
  );

  it(
    'posts what is due once; a second run in the same period posts nothing',
    async () => {
      const first = runCli(['watches', 'run'], env());
      expect((await first.exited).code).toBe(0);
      expect(first.stdout()).toMatch(/: posted to C0CLI/);
      expect(posts()).toHaveLength(1);
      const second = runCli(['watches', 'run'], env());
      expect((await second.exited).code).toBe(0);
      expect(second.stdout()).toContain('Nothing due.');
      expect(posts()).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'explains its usage',
    async () => {
      const run = runCli(['watches', 'go'], env());
      expect((await run.exited).code).toBe(2);
      expect(run.stderr()).toContain('Usage: analytics-bot watches run [--dry-run]');
    },
    SLOW,
  );
});
