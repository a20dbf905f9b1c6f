/**
 * The daily triage digest through the real app: the board read over GraphQL (intercepted, schema-checked),
 * posted with message metadata, exactly once per day across restarts and two instances.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import nock from 'nock';
import { createDigestService } from '../../src/digest/digest-service.js';
import { DigestLedger } from '../../src/store/digest-ledger.js';
import { InstanceRegistry } from '../../src/store/instances.js';
import { boardItems, FIXTURE_NOW, interceptBoard } from '../helpers/board-fixtures.js';
import { GITHUB_TEST_API, takeGraphqlValidationErrors } from '../helpers/github.js';
import { blockNetwork, startTestBot, type TestBot } from '../helpers/harness.js';
import { captureLogs } from '../helpers/logs.js';
import { slashCommand } from '../helpers/slack.js';

type Json = Record<string, unknown>;

const ENV = {
  GITHUB_TOKEN: 'test-github-token',
  GITHUB_API_URL: GITHUB_TEST_API,
  GITHUB_REPOSITORY: 'acme/analytics',
  GITHUB_PROJECT_URL: 'https://github.com/orgs/acme/projects/63',
  DIGEST_CRON: '0 9 * * 1-5',
  DIGEST_TIMEZONE: 'UTC',
};
// FIXTURE_NOW is Monday 2025-06-02 09:00 UTC; the tests run at 10:00 the same day.
const TEN_AM = new Date(FIXTURE_NOW.getTime() + 60 * 60_000);

/** A shared #analytics channel: what chat.postMessage puts there, conversations.history returns. */
function fakeChannel(t: TestBot) {
  const messages: Array<Json & { ts: string }> = [];
  let seq = 0;
  let emptyHistoryCalls = 0;
  t.onSlackMethod('chat.postMessage', (b) => {
    const ts = `${Math.floor(TEN_AM.getTime() / 1000)}.${String(++seq).padStart(6, '0')}`;
    const metadata = typeof b.metadata === 'string' ? JSON.parse(b.metadata) : b.metadata;
    messages.push({ ...b, metadata, ts });
    return { body: { ok: true, channel: b.channel, ts } };
  });
  t.onSlackMethod('conversations.history', () => {
    if (emptyHistoryCalls > 0) {
      emptyHistoryCalls--;
      return { body: { ok: true, messages: [] } };
    }
    return { body: { ok: true, messages: [...messages].reverse() } };
  });
  t.onSlackMethod('chat.delete', (b) => {
    const i = messages.findIndex((m) => m.ts === b.ts);
    if (i >= 0) messages.splice(i, 1);
    return { body: { ok: true } };
  });
  return {
    messages,
    digests: () => messages.filter((m) => (m.metadata as Json | undefined)?.event_type === 'analytics_triage_digest'),
    /** The next n history reads see an empty channel (two instances checking at the same moment). */
    hideHistory(n: number) {
      emptyHistoryCalls = n;
    },
  };
}

describe('triage digest', () => {
  const bots: TestBot[] = [];
  const start = async (extra: Parameters<typeof startTestBot>[0] = {}) => {
    const t = await startTestBot({ env: ENV, deps: { clock: () => TEN_AM }, ...extra });
    bots.push(t);
    return t;
  };
  beforeAll(() => blockNetwork());
  afterEach(async () => {
    expect(takeGraphqlValidationErrors()).toEqual([]);
    for (const t of bots.splice(0)) {
      expect(t.violations).toEqual([]);
      await t.stop();
    }
  });

  it('previews today’s digest to the person who asks (/analytics digest)', async () => {
    const t = await start();
    interceptBoard({ items: boardItems(250) });
    await t.post(slashCommand({ text: 'digest' }));
    await t.settle();
    const preview = t.responses.at(-1)!.body;
    expect(preview).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    const text = JSON.stringify(preview.blocks);
    expect(text).toContain('Analytics triage · Monday, Jun 2');
    expect(text).toContain('Preview: only you can see this');
    expect(text).toContain('Needs triage (oldest first)');
    expect(t.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('posts once with message metadata, and a second run the same day does nothing', async () => {
    const t = await start();
    const channel = fakeChannel(t);
    const board = interceptBoard({ items: boardItems(2000) });
    expect(await t.deps.digest.postIfDue(TEN_AM)).toBe('posted');
    expect(board.requests).toBe(20);
    expect(channel.digests()).toHaveLength(1);
    const [digest] = channel.digests();
    expect(digest!.channel).toBe('C0ANALYTICS');
    expect(digest!.metadata).toEqual({
      event_type: 'analytics_triage_digest',
      event_payload: { day: '2025-06-02', items: 2000 },
    });
    expect(await t.deps.digest.postIfDue(TEN_AM)).toBe('already_posted');
    expect(channel.digests()).toHaveLength(1);
  });

  it('carries the weekly opened/closed chart; if Slack rejects it, posts the text version and the chart as a PNG', async () => {
    const t = await start();
    const channel = fakeChannel(t);
    interceptBoard({ items: boardItems(250) });
    const chart = (b: Json) =>
      (typeof b.blocks === 'string' ? b.blocks : JSON.stringify(b.blocks ?? '')).includes('data_visualization');
    const accept = t.callsTo('chat.postMessage').length;
    t.onSlackMethod('chat.postMessage', (b) => {
      if (chart(b)) return { body: { ok: false, error: 'invalid_blocks' } };
      channel.messages.push({ ...b, metadata: JSON.parse(String(b.metadata)), ts: '1748858400.000001' });
      return { body: { ok: true, channel: b.channel, ts: '1748858400.000001' } };
    });
    t.onSlackMethod('files.getUploadURLExternal', () => ({
      body: { ok: true, upload_url: 'http://files.slack.test/upload/d', file_id: 'F0DIGEST' },
    }));
    const upload = nock('http://files.slack.test').post('/upload/d').reply(200, 'OK');
    expect(await t.deps.digest.postIfDue(TEN_AM)).toBe('posted');
    const posts = t.callsTo('chat.postMessage').slice(accept);
    expect(posts.map((p) => chart(p.body))).toEqual([true, false]);
    expect(JSON.stringify(posts[1]!.body.blocks)).toContain('Opened/closed per week');
    expect(channel.digests()).toHaveLength(1);
    expect(upload.isDone()).toBe(true);
    const [complete] = t.callsTo('files.completeUploadExternal');
    expect(complete!.body.channel_id).toBe('C0ANALYTICS');
    expect(String(t.callsTo('files.getUploadURLExternal')[0]!.body.alt_text)).toMatch(
      /^Bar chart: Requests opened and closed, last 8 weeks/,
    );
  });

  it('does not post again after a restart (ledger in DATA_DIR)', async () => {
    const first = await start();
    const channel = fakeChannel(first);
    interceptBoard({ items: boardItems(10) });
    expect(await first.deps.digest.postIfDue(TEN_AM)).toBe('posted');
    const { db, deps } = first;
    await first.bot.stop(500);
    const second = await start({ config: deps.config, db });
    expect(await second.deps.digest.postIfDue(new Date(TEN_AM.getTime() + 3_600_000))).toBe('already_posted');
    expect(channel.digests()).toHaveLength(1);
  });

  it('does not post when another instance already did (metadata in the channel)', async () => {
    const a = await start();
    const channel = fakeChannel(a); // the first harness answers both instances' Slack calls
    interceptBoard({ items: boardItems(10) });
    const b = await start(); // its own DATA_DIR: a second replica
    expect(await a.deps.digest.postIfDue(TEN_AM)).toBe('posted');
    expect(await b.deps.digest.postIfDue(TEN_AM)).toBe('already_posted');
    expect(channel.digests()).toHaveLength(1);
  });

  it('leaves one digest when two instances race past the check', async () => {
    const a = await start();
    const channel = fakeChannel(a);
    interceptBoard({ items: boardItems(10) });
    const b = await start();
    channel.hideHistory(2); // both look at an empty channel...
    const outcomes = await Promise.all([a.deps.digest.postIfDue(TEN_AM), b.deps.digest.postIfDue(TEN_AM)]);
    expect(outcomes).toEqual(['posted', 'posted']);
    expect(channel.digests()).toHaveLength(1); // ...and the later post removed itself
    expect(a.callsTo('chat.delete')).toHaveLength(1);
  });

  it('posts one short notice when a page fails, never a half-built digest, and the retry posts it', async () => {
    const t = await start();
    const channel = fakeChannel(t);
    interceptBoard({ items: boardItems(500), failPage: { page: 3, status: 502 } });
    expect(await t.deps.digest.postIfDue(TEN_AM)).toBe('failed');
    expect(channel.digests()).toHaveLength(0);
    expect(channel.messages).toHaveLength(1);
    expect(String(channel.messages[0]!.text)).toContain("Today's triage digest could not be built");
    expect(t.logs.lines.some((l) => l.level === 50 && l.msg === 'triage digest failed; will retry')).toBe(true);
    expect(await t.deps.digest.postIfDue(TEN_AM)).toBe('posted'); // GitHub answered the retry
    expect(channel.digests()).toHaveLength(1);
    expect((channel.digests()[0]!.metadata as Json).event_payload).toEqual({ day: '2025-06-02', items: 500 });
  });

  it('posts the failure notice once per day however often it fails', async () => {
    const t = await start();
    const channel = fakeChannel(t);
    interceptBoard({ items: [], exists: false });
    expect(await t.deps.digest.postIfDue(TEN_AM)).toBe('failed');
    expect(await t.deps.digest.postIfDue(TEN_AM)).toBe('failed');
    expect(channel.messages).toHaveLength(1);
    expect(String(channel.messages[0]!.text)).toContain('https://github.com/orgs/acme/projects/63');
  });

  it('explains a token without the project scope', async () => {
    const t = await start();
    fakeChannel(t);
    interceptBoard({ items: [], deny: 'INSUFFICIENT_SCOPES' });
    await t.post(slashCommand({ text: 'digest' }));
    await t.settle();
    expect(String(t.responses.at(-1)!.body.text)).toContain('read:project');
  });

  it('catches up on a run missed earlier today when it starts', async () => {
    const late = await start();
    const channel = fakeChannel(late);
    interceptBoard({ items: boardItems(5) });
    late.deps.digest.start();
    // The catch-up runs in the background, tracked: settling waits for all of it (posted and recorded).
    await late.settle();
    expect(new DigestLedger(late.db).get('2025-06-02')?.status).toBe('posted');
    expect(channel.digests()).toHaveLength(1);
  });

  it('does not post at start before today’s scheduled time', async () => {
    const early = await start({ deps: { clock: () => new Date(FIXTURE_NOW.getTime() - 3_600_000) } });
    interceptBoard({ items: boardItems(5) });
    early.deps.digest.start();
    await early.settle();
    expect(early.callsTo('conversations.history')).toHaveLength(0);
    expect(early.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('previews reuse a recent board snapshot instead of reading the whole board again', async () => {
    let now = TEN_AM.getTime();
    const t = await start({ deps: { clock: () => new Date(now) } });
    const board = interceptBoard({ items: boardItems(250) });
    await t.post(slashCommand({ text: 'digest' }));
    await t.post(slashCommand({ text: 'digest' }));
    await t.settle();
    const oneRead = board.requests;
    expect(oneRead).toBeGreaterThan(1);
    await t.post(slashCommand({ text: 'digest' }));
    await t.settle();
    expect(board.requests).toBe(oneRead);
    expect(t.responses.filter((r) => JSON.stringify(r.body.blocks).includes('Needs triage'))).toHaveLength(3);

    now += 6 * 60_000; // older than five minutes: read again
    await t.post(slashCommand({ text: 'digest' }));
    await t.settle();
    expect(board.requests).toBe(2 * oneRead);
  });

  it('a restart right after a crash mid-post takes over the dead process’s claim and posts today', async () => {
    const first = await start();
    const channel = fakeChannel(first);
    interceptBoard({ items: boardItems(5) });
    // The process that was posting died: its instance row names a pid that no longer exists.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    first.db
      .prepare(`INSERT INTO instances (id, host, pid, started_at, heartbeat_at) VALUES ('crashed', ?, ?, ?, ?)`)
      .run(hostname(), dead, TEN_AM.getTime(), TEN_AM.getTime());
    first.db
      .prepare(
        `INSERT INTO digests (day, status, claimed_at, claimed_by) VALUES ('2025-06-02', 'posting', ?, 'crashed')`,
      )
      .run(TEN_AM.getTime() - 60_000);
    const { db, deps } = first;
    await first.bot.stop(500);
    const restarted = await start({ config: deps.config, db });
    expect(await restarted.deps.digest.postIfDue(TEN_AM)).toBe('posted');
    expect(channel.digests()).toHaveLength(1);
  });

  it('a live process posting today keeps its claim', async () => {
    const first = await start();
    fakeChannel(first);
    interceptBoard({ items: boardItems(5) });
    const other = new InstanceRegistry(first.db, { clock: () => TEN_AM });
    expect(new DigestLedger(first.db).claim('2025-06-02', TEN_AM.getTime(), other)).toBe(true);
    expect(await first.deps.digest.postIfDue(TEN_AM)).toBe('in_progress');
    other.stop(); // it stopped without posting: the day is free again
    expect(await first.deps.digest.postIfDue(TEN_AM)).toBe('posted');
  });

  it('a background run that fails unexpectedly is logged and retried, not an unhandled rejection', async () => {
    const t = await start();
    const logs = captureLogs();
    const ledger = new DigestLedger(t.db);
    ledger.claim = () => {
      throw new Error('database is locked');
    };
    const digest = createDigestService({
      board: { read: async () => ({ title: 'b', url: 'u', items: [], missingFields: [], requests: 0 }) },
      ledger,
      slack: t.deps.slack,
      channel: 'C0ANALYTICS',
      cron: ENV.DIGEST_CRON,
      timezone: 'UTC',
      triageStatus: 'Triage',
      logger: logs.logger,
      clock: () => TEN_AM,
      instance: t.deps.instance,
      tasks: t.deps.tasks,
    });
    digest.start(); // catches up on this morning's run, which throws
    await t.settle();
    digest.stop();
    expect(logs.lines.some((l) => l.level === 50 && /failed unexpectedly/.test(String(l.msg)))).toBe(true);
  });

  it('posts an all-clear for an empty board', async () => {
    const t = await start();
    const channel = fakeChannel(t);
    interceptBoard({ items: [] });
    expect(await t.deps.digest.postIfDue(TEN_AM)).toBe('posted');
    expect(String(channel.digests()[0]!.text)).toContain('all clear');
    nock.cleanAll();
  });
});
