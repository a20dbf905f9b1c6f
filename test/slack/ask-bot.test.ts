/** @-mentions and DMs through the real app (signed Events API payloads), answered in threads. */
import { type TestBot, useTestBot } from '../helpers/harness.js';
import { buttonClick, eventEnvelope } from '../helpers/slack.js';

type Json = Record<string, unknown>;
let tsSeq = 0;
const nextTs = () => `1764410000.${String(++tsSeq).padStart(6, '0')}`;

const mention = (text: string, extra: Json = {}) => ({
  type: 'app_mention',
  user: 'U0ASKER',
  text: `<@U0BOT> ${text}`,
  ts: nextTs(),
  channel: 'C0ANALYTICS',
  event_ts: `${tsSeq}`,
  ...extra,
});
const dm = (text: string, extra: Json = {}) => ({
  type: 'message',
  channel_type: 'im',
  channel: 'D0ASKER',
  user: 'U0ASKER',
  text,
  ts: nextTs(),
  ...extra,
});

describe('ask the bot (@-mentions and DMs)', () => {
  let t: TestBot;
  useTestBot((bot) => {
    t = bot;
  });

  async function send(event: Json, eventId?: string, retryNum?: number) {
    const res = await t.post(
      eventEnvelope(event, eventId),
      retryNum === undefined ? {} : { retryNum, retryReason: 'http_timeout' },
    );
    expect(res.status).toBe(200);
    await t.settle();
  }
  const posts = () => t.callsTo('chat.postMessage');
  const updates = () => t.callsTo('chat.update');
  const blocksOf = (c: { body: Json } | undefined) => JSON.stringify(c?.body.blocks ?? c?.body.text);

  it('answers a metric question in the thread, replacing a "looking" message', async () => {
    const event = mention('how many weekly active users did we have last month, by plan?');
    await send(event);
    const [looking] = posts();
    expect(looking!.body).toMatchObject({ channel: 'C0ANALYTICS', thread_ts: event.ts });
    expect(String(looking!.body.text)).toContain('Looking that up');
    const [answer] = updates();
    expect(answer!.body.channel).toBe('C0ANALYTICS');
    const text = blocksOf(answer);
    expect(text).toContain('Weekly active users · by plan · Oct 1 – Oct 31, 2026 (UTC)');
    expect(text).toContain('last month');
    expect(text).not.toContain('share_answer'); // already visible in the thread
    expect(text).toContain('show_sql');
  });

  it('refines the thread’s question on follow-ups ("and by country?", "what about last quarter?")', async () => {
    const first = mention('signups last month by plan');
    await send(first);
    await send(mention('and by country?', { thread_ts: first.ts }));
    const second = blocksOf(updates().at(-1));
    expect(second).toContain('New sign-ups · by country · Oct 1 – Oct 31, 2026 (UTC)');
    expect(second).toContain('last month');
    await send(mention('what about last quarter?', { thread_ts: first.ts }));
    const third = blocksOf(updates().at(-1));
    expect(third).toContain('New sign-ups · by country · Jul 1 – Sep 30, 2026 (UTC)');
    expect(third).toContain('last quarter');
  });

  it('answers DMs the same way, with follow-ups', async () => {
    await send(dm('searches last week'));
    expect(posts()[0]!.body).toMatchObject({ channel: 'D0ASKER' });
    expect(posts()[0]!.body.thread_ts).toBeUndefined();
    expect(blocksOf(updates()[0])).toContain('Searches');
    await send(dm('by client'));
    expect(blocksOf(updates().at(-1))).toContain('Searches · by client');
  });

  it.each([
    ['where can I find website traffic numbers?', 'Google Analytics'],
    ['who has the license key info for a customer?', 'license'],
    ['where do I get data about self-hosted installs?', 'ping'],
    ['is there a spreadsheet that feeds Looker?', 'Sheets'],
  ])('answers "%s" from the team’s knowledge file', async (question, expected) => {
    const event = mention(question);
    await send(event);
    const [reply] = posts();
    expect(reply!.body.thread_ts).toBe(event.ts);
    expect(blocksOf(reply)).toContain(expected);
    expect(updates()).toHaveLength(0);
  });

  it('explains how to request data and opens the modal prefilled with the question', async () => {
    await send(mention('how do I request a new dashboard for churn?'));
    const [reply] = posts();
    const text = blocksOf(reply);
    expect(text).toContain('What is the deliverable going to be used for?');
    const blocks = reply!.body.blocks as Array<{ type: string; elements?: Json[] }>;
    const requestButton = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'open_data_request')!;
    await t.post(buttonClick({ actionId: 'open_data_request', value: String(requestButton.value) }));
    await t.settle();
    const view = t.callsTo('views.open')[0]!.body as { blocks: Array<{ block_id?: string; element?: Json }> };
    expect(view.blocks.find((b) => b.block_id === 'title_block')?.element?.initial_value).toBe(
      'how do I request a new dashboard for churn?',
    );
  });

  it('says honestly when it cannot answer, never with a number', async () => {
    await send(mention("what's our NPS score this year?"));
    const [reply] = posts();
    expect(String(reply!.body.text)).toContain("I can't answer that");
    expect(blocksOf(reply)).toContain('open_data_request');
    expect(t.deps.warehouse).toBeDefined();
    expect(updates()).toHaveLength(0);
  });

  it('answers a redelivered event (same event_id, X-Slack-Retry-Num) only once', async () => {
    const event = mention('where can I find website traffic numbers?');
    await send(event, 'Ev0RETRY01');
    await send(event, 'Ev0RETRY01', 1);
    await send(event, 'Ev0RETRY01', 2);
    expect(posts()).toHaveLength(1);
    expect(t.logs.lines.filter((l) => l.msg === 'redelivered event ignored')).toHaveLength(2);
  });

  it('ignores its own and other bots’ messages, edits, and channel chatter', async () => {
    await send(dm('signups last week', { bot_id: 'B0BOT', user: 'U0BOT' }));
    await send(dm('signups last week', { bot_id: 'B0OTHER' }));
    await send(dm('signups last week', { subtype: 'message_changed' }));
    await send({ ...dm('signups last week'), channel_type: 'channel', channel: 'C0ANALYTICS' });
    expect(posts()).toHaveLength(0);
  });

  it('shows help for an empty mention', async () => {
    await send({ ...mention(''), text: '<@U0BOT>' });
    expect(blocksOf(posts()[0])).toContain('/analytics list');
  });
});
