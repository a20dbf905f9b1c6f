/**
 * Faults while filing a data request, through the real app (signed modal submission, GitHub REST/GraphQL and the
 * Slack Web API intercepted at the wire): each ends with nothing lost, nothing doubled, and the requester told once.
 * Time moves by the injected clock; backoffs and Retry-After are read from the outbox, never slept.
 */
import nock from 'nock';
import { createGitHub } from '../../src/github/create-github.js';
import { MAX_ATTEMPTS, REQUEST_EVENT_TYPES } from '../../src/requests/filer.js';
import { createTelemetry } from '../../src/telemetry.js';
import { testConfig } from '../helpers/config.js';
import {
  type FakeWorkspace,
  fakeWorkspace,
  GITHUB_ENV,
  openRequestModal,
  storedRequest,
  submitRequest,
} from '../helpers/data-requests.js';
import {
  type FakeBoard,
  type FakeRepo,
  fakeBoard,
  fakeRepo,
  GITHUB_TEST_API,
  githubError,
  takeGraphqlValidationErrors,
} from '../helpers/github.js';
import { blockNetwork, startTestBot, TEST_NOW, type TestBot } from '../helpers/harness.js';
import { captureLogs } from '../helpers/logs.js';

const CHANNEL = 'C0ANALYTICS';
const ASKER = 'U0ASKER';

describe('filing faults', () => {
  let t: TestBot;
  let repo: FakeRepo;
  let board: FakeBoard;
  let slack: FakeWorkspace;
  let now: number;

  beforeAll(() => blockNetwork());
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    expect(takeGraphqlValidationErrors()).toEqual([]);
    await t.stop();
  });

  /** The real app with the production retry policy (3 retries, short waits) so a blind retry would show. */
  async function start(repoOptions: Parameters<typeof fakeRepo>[0] = {}) {
    now = TEST_NOW.getTime();
    const config = testConfig(GITHUB_ENV);
    const logs = captureLogs();
    const { tracker } = await createGitHub(
      config,
      { logger: logs.logger, telemetry: createTelemetry({ defaultMetrics: false }), clock: () => new Date(now) },
      { retries: 3, retryBaseMs: 1, throttle: false },
    );
    t = await startTestBot({ config, tracker, deps: { clock: () => new Date(now) } });
    repo = fakeRepo(repoOptions);
    board = fakeBoard();
    nock(GITHUB_TEST_API)
      .persist()
      .get('/search/issues')
      .query(true)
      .reply(200, { total_count: 0, incomplete_results: false, items: [] });
    slack = fakeWorkspace(t);
  }

  const filedDms = () => slack.dmsTo(ASKER).filter((m) => m.eventType === REQUEST_EVENT_TYPES.dm);
  const savedDms = () => slack.dmsTo(ASKER).filter((m) => m.eventType === REQUEST_EVENT_TYPES.saved_notice);
  const announcements = () => slack.inChannel(CHANNEL);
  const steps = () => {
    const key = t.deps.requests.outbox.byRequester(ASKER)[0]!.key;
    return t.deps.requests.outbox.steps(key);
  };

  /** Retry passes at the given offsets (ms) from now, as the timer would run them. */
  async function passes(...offsets: number[]) {
    for (const offset of offsets) {
      now += offset;
      await t.deps.requests.processDue();
    }
  }

  function expectExactlyOnce() {
    expect(repo.created).toHaveLength(1);
    expect(new Set(board.added.map((a) => a.itemId)).size).toBe(1);
    expect(filedDms()).toHaveLength(1);
    expect(announcements()).toHaveLength(1);
    expect(Object.fromEntries(Object.entries(steps()).map(([k, v]) => [k, v?.state]))).toMatchObject({
      issue: 'done',
      board: 'done',
      dm: 'done',
      announce: 'done',
    });
  }

  it('GitHub 502 after the issue was created: one POST, found by its marker, no "saved" notice', async () => {
    await start();
    repo.createFaults.push({ status: 502, created: true });
    await submitRequest(t, await openRequestModal(t));

    expect(repo.posts).toBe(1); // the retry plugin did not repeat the POST
    expect(savedDms()).toHaveLength(0);
    expectExactlyOnce();
    expect(t.deps.requests.outbox.byRequester(ASKER)[0]!.issue).toMatchObject({ number: 1, existing: true });

    await passes(60_000, 3_600_000);
    expect(repo.posts).toBe(1);
    expectExactlyOnce();
  });

  it('GitHub 502 after creating, the label dropped and the lookup failing too: re-checked, never re-POSTed', async () => {
    await start({ dropLabels: true });
    repo.createFaults.push({ status: 502, created: true });
    repo.listFaults.push(503, 503, 503, 503); // the lookup right after the 502, with the client's 3 retries
    await submitRequest(t, await openRequestModal(t));

    expect(repo.posts).toBe(1);
    expect(steps().issue).toMatchObject({ state: 'pending', maybeDone: true });
    expect(savedDms()).toHaveLength(1);

    await passes(16_000, 31_000, 61_000, 3_600_000);
    expect(repo.posts).toBe(1);
    expect(repo.issues[0]!.labels).toEqual([]);
    expect(savedDms()).toHaveLength(1);
    expectExactlyOnce();
  });

  it('secondary rate limit with Retry-After: waits as told, then files once; the requester hears "saved" once', async () => {
    await start();
    repo.createFaults.push({
      status: 403,
      created: false,
      body: githubError('You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'),
      headers: { 'retry-after': '90' },
    });
    await submitRequest(t, await openRequestModal(t));

    expect(repo.created).toHaveLength(0);
    expect(steps().issue).toMatchObject({ state: 'pending', nextAttemptAt: now + 90_000, maybeDone: false });
    expect(savedDms()).toHaveLength(1);

    await passes(60_000); // earlier than GitHub asked: nothing
    expect(repo.posts).toBe(1);
    await passes(31_000, 60_000, 3_600_000);
    expect(repo.posts).toBe(2);
    expect(savedDms()).toHaveLength(1);
    expectExactlyOnce();
  });

  it('Slack 429 with Retry-After on the announcement: the DM goes once, the announcement once after the wait', async () => {
    await start();
    slack.fail(CHANNEL, { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '30' } });
    await submitRequest(t, await openRequestModal(t));

    expect(filedDms()).toHaveLength(1);
    expect(announcements()).toHaveLength(0);
    expect(steps().announce).toMatchObject({ state: 'pending', nextAttemptAt: now + 30_000 });

    await passes(10_000);
    expect(announcements()).toHaveLength(0);
    await passes(20_000, 60_000, 3_600_000);
    expectExactlyOnce();
  });

  it('Slack 429 on the DM: the announcement is not held back or repeated, the DM goes once after the wait', async () => {
    await start();
    slack.fail(ASKER, { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '20' } });
    await submitRequest(t, await openRequestModal(t));

    expect(announcements()).toHaveLength(1);
    expect(filedDms()).toHaveLength(0);
    await passes(21_000, 60_000, 3_600_000);
    expectExactlyOnce();
  });

  it.each([
    ['not_in_channel', 'the bot is invited later'],
    ['is_archived', 'the channel is unarchived later'],
  ])('%s: the DM goes once; the announcement retries with backoff and posts once when %s', async (error) => {
    await start();
    slack.failAlways(CHANNEL, { body: { ok: false, error } });
    await submitRequest(t, await openRequestModal(t));

    expect(filedDms()).toHaveLength(1);
    expect(steps().announce).toMatchObject({ state: 'pending', attempts: 1, lastError: `Slack refused: ${error}` });
    await passes(15_000, 30_000, 60_000);
    expect(steps().announce?.attempts).toBe(4);
    expect(filedDms()).toHaveLength(1); // never re-sent because the announcement failed

    slack.failAlways(CHANNEL, undefined);
    await passes(120_000, 3_600_000, 3_600_000);
    expectExactlyOnce();
    expect(steps().announce?.attempts).toBe(5);
  });

  it('an archived channel that stays archived: the announcement gives up at its cap, the DM still went once', async () => {
    await start();
    slack.failAlways(CHANNEL, { body: { ok: false, error: 'is_archived' } });
    await submitRequest(t, await openRequestModal(t));
    await passes(...Array.from({ length: MAX_ATTEMPTS.announce + 3 }, () => 3_600_000));

    expect(steps().announce).toMatchObject({ state: 'failed', attempts: MAX_ATTEMPTS.announce });
    expect(filedDms()).toHaveLength(1);
    expect(repo.created).toHaveLength(1);
    const gaveUp = t.logs.lines.filter((l) => /given up/.test(String(l.msg)));
    expect(gaveUp).toHaveLength(1);
  });

  it('the board step fails after the issue exists: DM and announcement go once, the board is retried alone', async () => {
    await start();
    board.exists = false;
    await submitRequest(t, await openRequestModal(t));

    expect(repo.created).toHaveLength(1);
    expect(steps().board).toMatchObject({ state: 'pending', attempts: 1 });
    expect(filedDms()).toHaveLength(1);
    expect(announcements()).toHaveLength(1);
    expect(announcements()[0]!.text).toContain('#1');

    board.exists = true;
    await passes(16_000, 60_000, 3_600_000);
    expectExactlyOnce();
    expect(t.deps.requests.outbox.byRequester(ASKER)[0]!.issue).toMatchObject({ projectItemId: 'PVTI_I_kwDOTest1' });
  });

  it('the submit path and retry passes racing on one request: each step happens once', async () => {
    await start();
    const request = storedRequest('race-0123456789', now);
    t.deps.requests.store(request);
    // The submission's own filing runs while retry passes keep starting, at every point of its progress.
    let done = false;
    const submitPath = t.deps.requests.file(request.key).finally(() => {
      done = true;
    });
    let racing = 0;
    while (!done) {
      await t.deps.requests.processDue();
      racing++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await submitPath;
    expectExactlyOnce();
    expect(racing).toBeGreaterThan(3);
  });
});
