/**
 * The whole loop on the embedded board, through the real app (Slack intercepted at the wire, no GitHub at all):
 * a request filed from a thread, the scheduled digest and App Home showing it, and the console's board commands
 * moving it, with the bot reacting through the same notifier as for GitHub webhooks.
 */
import { boardCommands } from '../../src/console/board-commands.js';
import type { DataRequest } from '../../src/requests/data-request.js';
import { TEST_CHANNEL } from '../helpers/config.js';
import { blockNetwork, startTestBot, TEST_NOW, type TestBot } from '../helpers/harness.js';
import { eventEnvelope } from '../helpers/slack.js';

const THREAD = '1700000000.000100';

const request = (key: string): DataRequest => ({
  key,
  title: 'Churn by plan for the QBR',
  purpose: 'The QBR needs churn by plan.',
  deliverable: 'A monthly table by plan.',
  neededBy: '2026-12-20',
  necessity: 'necessity',
  stakeholders: [],
  sources: [],
  sketches: [],
  requester: { id: 'U0ASKER', name: 'Ada Asker', teamId: 'T0TEST' },
  origin: { channelId: TEST_CHANNEL, threadTs: THREAD },
  submittedAt: TEST_NOW.toISOString(),
});

describe('the loop on the local board', () => {
  let t: TestBot;
  let printed: string[];
  let run: (line: string) => Promise<void>;

  beforeAll(() => blockNetwork());
  beforeEach(async () => {
    t = await startTestBot({ env: {} });
    printed = [];
    const command = boardCommands({
      board: t.deps.localBoard!,
      notifier: t.deps.notifier,
      outbox: t.deps.requests.outbox,
      actor: 'ana-analyst',
    });
    run = (line) => command(line, (text) => printed.push(text));
  });
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    await t.stop();
  });

  /** Files through the outbox and the filer, as a modal submission does; returns the local issue number. */
  async function file(key = 'key-local-0001'): Promise<number> {
    t.deps.requests.store(request(key));
    await t.deps.requests.file(key);
    return t.deps.requests.outbox.get(key)!.issue!.number;
  }

  const posts = () => t.callsTo('chat.postMessage');
  const inThread = () => posts().filter((c) => c.body.channel === TEST_CHANNEL && c.body.thread_ts === THREAD);
  const dms = () => posts().filter((c) => c.body.channel === 'U0ASKER');

  it('the scheduled digest and App Home show a request filed on the local board', async () => {
    // A preview just before filing does not hide the new request from the next one.
    await t.deps.digest.build(TEST_NOW, { preview: true });
    const number = await file();
    const preview = await t.deps.digest.build(TEST_NOW, { preview: true });
    expect(preview.digest.newSince.map((i) => i.issue.number)).toContain(number);
    expect(await t.deps.digest.postIfDue(TEST_NOW)).toBe('posted');
    const digest = posts().find((c) => String(c.body.text).startsWith('Analytics triage'))!;
    expect(digest.body.channel).toBe(TEST_CHANNEL);
    const blocks = JSON.stringify(digest.body.blocks);
    expect(blocks).toContain('Local board');
    expect(blocks).toMatch(new RegExp(`New since the last digest[^"]*#${number} Churn by plan for the QBR`));
    expect(blocks).toMatch(/Overdue/);

    await t.post(
      eventEnvelope({ type: 'app_home_opened', user: 'U0ASKER', channel: 'D0HOME', tab: 'home', event_ts: '1.2' }),
    );
    await t.settle();
    const home = JSON.stringify(t.callsTo('views.publish').at(-1)!.body.view);
    expect(home).toContain(`#${number} Churn by plan for the QBR`);
    expect(home).toContain('Status: *Triage*');
  });

  it('board commands move the request; the requester hears in the thread, and by DM when it is done or closed', async () => {
    const number = await file();
    const before = posts().length;

    await run(`:status ${number} In progress`);
    expect(printed.at(-1)).toBe(`(local board) #${number} moved to In progress.`);
    expect(inThread().at(-1)!.body.text).toBe(
      `:card_index_dividers: <http://localhost:0/board/${number}|#${number} Churn by plan for the QBR> moved to In progress on the board.`,
    );
    expect(dms().filter((c) => String(c.body.text).includes('moved to'))).toHaveLength(0);

    await run(`:assign ${number} ana-analyst`);
    await run(`:comment ${number} Which plans count as paid?`);
    expect(
      inThread()
        .map((c) => String(c.body.text))
        .slice(-2),
    ).toEqual([
      expect.stringContaining(`ana-analyst is now assigned to`),
      expect.stringContaining('ana-analyst commented on'),
    ]);

    await run(`:status ${number} Done`);
    expect(String(dms().at(-1)!.body.text)).toContain('moved to Done on the board');
    await run(`:close ${number}`);
    expect(String(dms().at(-1)!.body.text)).toContain('was closed by ana-analyst');
    expect(String(inThread().at(-1)!.body.text)).toContain('was closed by ana-analyst');
    expect(posts().length - before).toBe(7); // a thread note for each of the 5 moves, plus a DM for done and for closed

    // Recorded on the bot's own row: /analytics my and App Home read it.
    expect(t.deps.requests.outbox.get('key-local-0001')).toMatchObject({ issueState: 'closed', boardStatus: 'Done' });
    const issue = t.deps.localBoard!.get(number)!;
    expect(issue.issue).toMatchObject({ state: 'CLOSED', assignees: ['ana-analyst'] });
    expect(issue.comments.map((c) => c.body)).toEqual(['Which plans count as paid?']);

    // Nothing changed, nothing said.
    const quiet = posts().length;
    await run(`:status ${number} Done`);
    await run(`:close ${number}`);
    expect(posts().length).toBe(quiet);
    expect(printed.slice(-2)).toEqual([
      `(local board) #${number} is already in Done.`,
      `(local board) #${number} was already closed.`,
    ]);
  });

  it('explains mistakes, and never touches a GitHub request that shares the number', async () => {
    const number = await file();
    // A request filed on GitHub earlier that happens to carry the same number.
    const outbox = t.deps.requests.outbox;
    outbox.save(request('key-github-0001'), TEST_NOW.getTime());
    outbox.markFiled(
      'key-github-0001',
      {
        number,
        url: `https://github.com/acme/analytics/issues/${number}`,
        nodeId: 'I_1',
        existing: false,
        fieldsSet: [],
        fieldsMissing: [],
        tracker: 'acme/analytics',
      },
      TEST_NOW.getTime(),
    );

    await run(`:close ${number}`);
    expect(outbox.get('key-local-0001')!.issueState).toBe('closed');
    expect(outbox.get('key-github-0001')!.issueState).toBeNull();

    await run(':status 3 In review');
    expect(printed.slice(-2)).toEqual([
      '(local board) #3 moved to In review.',
      '(local board) #3 was not filed through the bot, so there is nobody to tell.',
    ]);
    await run(':status 999 Done');
    expect(printed.at(-1)).toBe('(local board) There is no request #999 on the local board');
    await run(`:status ${number} Someday`);
    expect(printed.at(-1)).toContain('Use one of: Triage, Backlog, In progress, In review, Done');
    await run(':assign 5');
    expect(printed.at(-1)).toBe('Usage: :assign 42 login');
    await run(':frobnicate 5');
    expect(printed.at(-1)).toContain('Unknown board command ":frobnicate"');
  });
});
