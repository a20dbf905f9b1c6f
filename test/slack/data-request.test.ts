/**
 * Data requests end to end through the real app: signed commands/shortcuts open the modal, a signed view_submission
 * built from that modal is filed on GitHub (REST + Projects v2 GraphQL intercepted, every document schema-checked).
 */
import nock from 'nock';
import { ANSWERS, GITHUB_ENV, openRequestModal, submitRequest } from '../helpers/data-requests.js';
import {
  BOARD_FIELDS,
  BOARD_OPTION_IDS,
  type FakeBoard,
  type FakeRepo,
  fakeBoard,
  fakeRepo,
  GITHUB_TEST_API,
  takeGraphqlValidationErrors,
} from '../helpers/github.js';
import { blockNetwork, startTestBot, TEST_NOW, type TestBot } from '../helpers/harness.js';
import { globalShortcut, messageShortcut, slashCommand } from '../helpers/slack.js';

type Json = Record<string, unknown>;

function interceptSearch(items: Json[] = []) {
  return nock(GITHUB_TEST_API)
    .persist()
    .get('/search/issues')
    .query(true)
    .reply(200, { total_count: items.length, incomplete_results: false, items });
}

describe('data requests', () => {
  let t: TestBot;
  let repo: FakeRepo;
  let board: FakeBoard;
  let now: number;

  beforeAll(() => blockNetwork());
  beforeEach(() => {
    now = TEST_NOW.getTime();
  });
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    expect(takeGraphqlValidationErrors()).toEqual([]);
    await t.stop();
  });

  const start = (
    env: Record<string, string | undefined> = GITHUB_ENV,
    extra: Parameters<typeof startTestBot>[0] = {},
  ) => startTestBot({ env, deps: { clock: () => new Date(now) }, ...extra });

  const openModal = (text?: string) => openRequestModal(t, text);
  const submit = (view: Json, answers: Record<string, unknown> = ANSWERS) => submitRequest(t, view, answers);

  const dms = () => t.callsTo('chat.postMessage').filter((c) => c.body.channel === 'U0ASKER');

  it('files a complete issue on the board, sets its fields, and tells the requester and the channel', async () => {
    t = await start();
    repo = fakeRepo();
    board = fakeBoard();
    interceptSearch([
      { number: 7, title: 'WAU by plan (2025)', html_url: 'https://github.com/acme/analytics/issues/7' },
    ]);

    const view = await openModal();
    expect(view.callback_id).toBe('data_request_modal');
    const ack = await submit(view);
    expect(ack).toMatchObject({ response_action: 'update', view: { type: 'modal' } });

    expect(repo.created).toHaveLength(1);
    const issue = repo.created[0]!;
    expect(issue.title).toBe('Weekly actives by plan for the board deck');
    expect(issue.labels).toEqual(['data-request', 'necessity']);
    for (const answer of [ANSWERS.purpose_block, ANSWERS.deliverable_block, '2026-12-15', '**Necessity**']) {
      expect(issue.body).toContain(answer);
    }
    expect(issue.body).toContain('### 1. What is the deliverable going to be used for? Why do you need it?');
    expect(issue.body).toContain('Product event tracking, Looker');
    expect(issue.body).toContain('`U0CEO`');
    expect(issue.body).toMatch(/<!-- analytics-bot:request \{"v":1,"key":"[0-9a-f-]{36}","requester":"U0ASKER"/);
    expect(repo.authorizations.every((a) => a === 'token test-github-token')).toBe(true);

    expect(board.added).toHaveLength(1);
    const values = Object.fromEntries(board.updates.map((u) => [u.fieldId, u.value]));
    expect(values[BOARD_FIELDS.status.id]).toEqual({ singleSelectOptionId: BOARD_OPTION_IDS.triage });
    expect(values[BOARD_FIELDS.neededBy.id]).toEqual({ date: '2026-12-15' });
    expect(values[BOARD_FIELDS.necessity.id]).toEqual({ singleSelectOptionId: BOARD_OPTION_IDS.necessity });

    const [dm] = dms();
    expect(String(dm!.body.text)).toContain('https://github.com/acme/analytics/issues/1');
    expect(JSON.stringify(dm!.body.blocks)).toContain('https://github.com/orgs/acme/projects/63');
    expect(JSON.stringify(dm!.body.blocks)).toContain('Possibly related open requests');
    // The board status the bot just set is recorded, so its own webhook echo is not news to the requester.
    expect(t.deps.requests.outbox.byRequester('U0ASKER')[0]).toMatchObject({
      boardStatus: 'Triage',
      issueState: 'open',
    });
    const announce = t.callsTo('chat.postMessage').find((c) => c.body.channel === 'C0ANALYTICS');
    expect(String(announce!.body.text)).toContain('New data request: #1 Weekly actives by plan');
  });

  it.each([
    ['a blank purpose', { purpose_block: '   ' }, 'purpose_block', /Please answer: what the deliverable is for/],
    [
      'no deliverable',
      { deliverable_block: undefined },
      'deliverable_block',
      /Please answer: what the deliverable should look like/,
    ],
    ['a date in the past', { needed_by_block: '2026-11-28' }, 'needed_by_block', /in the past \(today is 2026-11-29/],
    ['no necessity', { necessity_block: undefined }, 'necessity_block', /nice-to-have or a necessity/],
    ['an overlong title', { title_block: 'x'.repeat(151) }, 'title_block', /under 150 characters/],
    ['a forged data source', { sources_block: ['salesforce'] }, 'sources_block', /from the list/],
  ])('refuses %s on the right block and files nothing', async (_what, change, block, message) => {
    t = await start();
    repo = fakeRepo();
    board = fakeBoard();
    const view = await openModal();
    const ack = await submit(view, { ...ANSWERS, ...change });
    expect(ack.response_action).toBe('errors');
    expect(Object.keys(ack.errors as Json)).toEqual([block]);
    expect((ack.errors as Json)[block]).toMatch(message);
    expect(repo.created).toHaveLength(0);
    expect(t.deps.requests.outbox.pendingCount()).toBe(0);
  });

  it('reads "today" in the requester’s time zone', async () => {
    // 2026-11-29T10:00Z is already Nov 29 in Auckland but the 28th is past everywhere; the 29th is fine in both.
    t = await start();
    t.onSlackMethod('users.info', () => ({ body: { ok: true, user: { id: 'U0ASKER', tz: 'Pacific/Kiritimati' } } }));
    repo = fakeRepo();
    board = fakeBoard();
    const view = await openModal();
    const ack = await submit(view, { ...ANSWERS, needed_by_block: '2026-11-29' });
    expect(ack.response_action).toBe('errors');
    expect(String((ack.errors as Json).needed_by_block)).toContain('today is 2026-11-30');
  });

  it('prefills from a message shortcut and links the message', async () => {
    t = await start();
    repo = fakeRepo();
    board = fakeBoard();
    interceptSearch();
    await t.post(
      messageShortcut({ callbackId: 'data_request_from_message', text: 'Can we get churn by plan for the QBR?' }),
    );
    await t.settle();
    const view = t.callsTo('views.open')[0]!.body as { blocks: Array<{ block_id?: string; element?: Json }> };
    const initial = (id: string) => view.blocks.find((b) => b.block_id === id)?.element?.initial_value;
    expect(initial('title_block')).toBe('Can we get churn by plan for the QBR?');
    expect(initial('purpose_block')).toContain('Can we get churn by plan for the QBR?');
    await submit(view as unknown as Json);
    expect(repo.created[0]!.body).toContain('https://acme.slack.com/archives/C0ANALYTICS/p1700000000000100');
    expect(repo.created[0]!.body).toContain('> Can we get churn by plan for the QBR?');
  });

  it('opens the modal from the global shortcut', async () => {
    t = await start();
    await t.post(globalShortcut('data_request_shortcut'));
    await t.settle();
    expect(t.callsTo('views.open')[0]!.body.callback_id).toBe('data_request_modal');
  });

  it('keeps the request when GitHub fails, DMs the answers back, and files exactly one issue on retry', async () => {
    t = await start();
    nock(GITHUB_TEST_API).post('/repos/acme/analytics/issues').reply(502, { message: 'Server Error' });
    repo = fakeRepo();
    board = fakeBoard();
    interceptSearch();
    const view = await openModal();
    const ack = await submit(view);
    expect(ack.response_action).toBe('update');
    expect(repo.created).toHaveLength(0);
    const [saved] = dms();
    expect(String(saved!.body.text)).toContain('is saved and will be filed automatically');
    for (const answer of [ANSWERS.purpose_block, ANSWERS.deliverable_block]) {
      expect(JSON.stringify(saved!.body.blocks)).toContain(answer);
    }
    expect(t.deps.requests.outbox.pendingCount()).toBe(1);

    await t.deps.requests.processDue(); // not due yet: backoff
    expect(repo.created).toHaveLength(0);
    now += 16_000;
    await t.deps.requests.processDue();
    await t.deps.requests.processDue();
    expect(repo.created).toHaveLength(1);
    expect(t.deps.requests.outbox.pendingCount()).toBe(0);
    expect(String(dms().at(-1)!.body.text)).toContain('Your data request is filed: #1');
  });

  it('files a request saved while GitHub was down after a restart', async () => {
    t = await start();
    nock(GITHUB_TEST_API).persist().post('/repos/acme/analytics/issues').reply(503, { message: 'Unavailable' });
    nock(GITHUB_TEST_API).persist().get('/repos/acme/analytics/issues').query(true).reply(200, []);
    const view = await openModal();
    await submit(view);
    expect(t.deps.requests.outbox.pendingCount()).toBe(1);
    const { db } = t;
    const config = t.deps.config;
    await t.bot.stop(1000);
    await t.deps.requests.stop();
    await t.deps.warehouse.close();
    nock.cleanAll();

    // A new process on the same DATA_DIR database; GitHub is back.
    t = await startTestBot({ config, db, deps: { clock: () => new Date(now + 60_000) } });
    repo = fakeRepo();
    board = fakeBoard();
    interceptSearch();
    t.deps.requests.start(60_000);
    await t.deps.requests.stop(); // start() runs one pass at once; stop() waits for it
    expect(repo.created).toHaveLength(1);
    expect(String(dms().at(-1)!.body.text)).toContain('Your data request is filed');
  });

  it('files one issue for a submission Slack delivers twice', async () => {
    t = await start();
    repo = fakeRepo();
    board = fakeBoard();
    interceptSearch();
    const view = await openModal();
    const first = await submit(view);
    const second = await submit(view);
    expect(first.response_action).toBe('update');
    expect(second.response_action).toBe('update');
    expect(repo.created).toHaveLength(1);
    expect(dms()).toHaveLength(1);
  });

  it('still files on a board without the needed-by and necessity fields, warning once', async () => {
    t = await start();
    repo = fakeRepo();
    board = fakeBoard({ fields: [BOARD_FIELDS.title, BOARD_FIELDS.status] });
    interceptSearch();
    await submit(await openModal());
    await submit(await openModal());
    expect(repo.created).toHaveLength(2);
    expect(board.updates.map((u) => u.fieldId)).toEqual([BOARD_FIELDS.status.id, BOARD_FIELDS.status.id]);
    const warnings = t.logs.lines.filter((l) => l.level === 40 && /field/i.test(String(l.msg)));
    expect(warnings).toHaveLength(1);
  });

  it('without GitHub credentials, files on the embedded local board and says so; the digest and /analytics my show it', async () => {
    t = await start({});
    const view = await openModal();
    await submit(view);
    const board = t.deps.localBoard!;
    const number = board.count();
    expect(board.get(number)).toMatchObject({ status: 'Triage', neededBy: '2026-12-15', necessity: 'Necessity' });
    const [dm] = dms();
    expect(String(dm!.body.text)).toBe(
      `Your data request is filed as #${number} on the local board: Weekly actives by plan for the board deck`,
    );
    expect(JSON.stringify(dm!.body.blocks)).toContain('on the local board');
    const announce = t.callsTo('chat.postMessage').find((c) => c.body.channel === 'C0ANALYTICS');
    expect(JSON.stringify(announce!.body.blocks)).toContain(
      `#${number} Weekly actives by plan for the board deck> on the local board`,
    );

    await t.post(slashCommand({ text: 'digest' }));
    await t.settle();
    const digest = JSON.stringify(t.responses.at(-1)!.body.blocks);
    expect(digest).toContain('Local board');
    expect(digest).toMatch(new RegExp(`New since the last digest[^"]*#${number} Weekly actives by plan`));

    const my = await t.post(slashCommand({ text: 'my' }));
    expect(await my.text()).toContain(`#${number} Weekly actives by plan for the board deck`);
  });
});
