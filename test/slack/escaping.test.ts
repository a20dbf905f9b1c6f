/**
 * User text never becomes a live mention or a disguised link, in blocks or in the `text` fallback: the data request
 * DM and #analytics announcement, error replies to slash commands, and thread replies to @-mentions, through the
 * real app at the wire.
 */
import { fakeBoard, fakeRepo, GITHUB_TEST_ENV, takeGraphqlValidationErrors } from '../helpers/github.js';
import { blockNetwork, startTestBot, type TestBot } from '../helpers/harness.js';
import { expectInert, HOSTILE } from '../helpers/hostile.js';
import { eventEnvelope, slashCommand, viewSubmission } from '../helpers/slack.js';

type Json = Record<string, unknown>;

const GITHUB_ENV = GITHUB_TEST_ENV;

describe('escaping user text in everything the bot posts', () => {
  let t: TestBot;
  beforeAll(() => blockNetwork());
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    expect(takeGraphqlValidationErrors()).toEqual([]);
    await t.stop();
  });

  it('a data request titled with mentions and a disguised link: the DM and the announcement stay inert', async () => {
    t = await startTestBot({ env: GITHUB_ENV });
    fakeRepo();
    fakeBoard();
    await t.post(slashCommand({ text: 'request' }));
    await t.settle();
    const view = t.callsTo('views.open').at(-1)!.body as Json;
    const res = await t.post(
      viewSubmission(view, {
        title_block: HOSTILE.slice(0, 140),
        purpose_block: `For the board. ${HOSTILE}`,
        deliverable_block: `A chart. ${HOSTILE}`,
        needed_by_block: '2026-12-15',
        necessity_block: 'necessity',
      }),
    );
    expect(res.status).toBe(200);
    await t.settle();
    const posts = t.callsTo('chat.postMessage');
    const announcement = posts.find((c) => c.body.channel === 'C0ANALYTICS');
    const dm = posts.find((c) => c.body.channel === 'U0ASKER');
    expect(announcement).toBeDefined();
    expect(dm).toBeDefined();
    for (const post of posts) {
      expectInert(post.body.text);
      expectInert(post.body.blocks);
    }
    // Escaped, not dropped: people still read what was typed.
    expect(String(announcement!.body.text)).toContain('&lt;!channel&gt;');
    // The bot's own mention of the requester is still live.
    expect(JSON.stringify(announcement!.body.blocks)).toContain('<@U0ASKER>');
  });

  it('a slash command echoing an unknown metric back escapes it in text and blocks', async () => {
    t = await startTestBot();
    const command = slashCommand({ text: HOSTILE });
    expect((await t.post(command)).status).toBe(200);
    await t.settle();
    expect(t.responses.length).toBeGreaterThan(0);
    for (const r of t.responses) expectInert(r.body);
    for (const c of t.calls) expectInert(c.body);
  });

  it('an @-mention in a channel: the thread reply does not echo a live mention or link', async () => {
    t = await startTestBot();
    const res = await t.post(
      eventEnvelope({
        type: 'app_mention',
        user: 'U0ASKER',
        text: `<@U0BOT> ${HOSTILE}`,
        ts: '1700000100.000100',
        channel: 'C0ANALYTICS',
        event_ts: '1700000100.000100',
      }),
    );
    expect(res.status).toBe(200);
    await t.settle();
    expect(t.callsTo('chat.postMessage').length).toBeGreaterThan(0);
    for (const c of t.calls) expectInert(c.body);
  });
});
