/**
 * The buttons on definition answers (one metric, and two side by side), on ask-backs, and the request button on
 * refusals, clicked through the real Bolt app with signed requests, down to the Slack Web API calls and response_url
 * posts at the wire. A button carries a catalog name, a reading or the asked text; what it answers is checked
 * against the catalog.
 */
import { type TestBot, useTestBot } from '../helpers/harness.js';
import { buttonClick, eventEnvelope, slashCommand } from '../helpers/slack.js';

type Json = Record<string, unknown>;
type Block = { type: string; block_id?: string; elements?: Json[]; fields?: Json[]; element?: Json };

const buttonsOf = (body: Json) =>
  ((body.blocks ?? []) as Block[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
const actionIds = (body: Json) => buttonsOf(body).map((b) => String(b.action_id));
const textOf = (body: Json) => JSON.stringify(body.blocks ?? body.text);
const buttonText = (b: Json) => (b.text as { text: string }).text;
let tsSeq = 0;

describe('definition, ask-back and refusal buttons (signed requests, Slack at the wire)', () => {
  let t: TestBot;
  useTestBot((bot) => {
    t = bot;
  });

  /** `/analytics <text>`: the reply the asker sees (via response_url). */
  async function slash(text: string): Promise<Json> {
    const res = await t.post(slashCommand({ text }));
    expect(res.status).toBe(200);
    await t.settle();
    return t.responses.at(-1)!.body;
  }

  /** `@analytics-bot <text>` in the channel: the reply posted in its thread. */
  async function mention(text: string): Promise<{ reply: Json; ts: string }> {
    const ts = `1764420000.${String(++tsSeq).padStart(6, '0')}`;
    const event = { type: 'app_mention', user: 'U0ASKER', text: `<@U0BOT> ${text}`, ts, channel: 'C0ANALYTICS' };
    expect((await t.post(eventEnvelope({ ...event, event_ts: ts }))).status).toBe(200);
    await t.settle();
    const reply = t.callsTo('chat.postMessage').at(-1)!.body;
    expect(reply).toMatchObject({ channel: 'C0ANALYTICS', thread_ts: ts });
    return { reply, ts };
  }

  async function click(button: Json, opts: { triggerId?: string; messageTs?: string } = {}) {
    const req = buttonClick({ actionId: String(button.action_id), value: String(button.value), ...opts });
    const res = await t.post(req);
    expect(res.status).toBe(200);
    await t.settle();
    return req.responseUrl;
  }

  it('a definition answers with no number, and its button asks for that metric’s numbers', async () => {
    const definition = await slash('what counts as a search?');
    expect(textOf(definition)).toContain('*Searches* (`searches`)');
    expect(textOf(definition)).toContain(t.deps.catalog.metric('searches')!.description.slice(0, 40));
    // A definition, not an answer: nothing to share or rate, only the way to its numbers.
    expect(actionIds(definition)).toEqual(['ask_suggestion_0']);
    const [button] = buttonsOf(definition);
    expect(button).toMatchObject({ value: 'searches' });
    expect(buttonText(button!)).toBe('Searches: the numbers');

    const responseUrl = await click(button!);
    const answer = t.responses.at(-1)!;
    expect(answer.path).toBe(new URL(responseUrl).pathname);
    expect(answer.body).toMatchObject({ replace_original: true });
    expect(textOf(answer.body)).toMatch(/Searches · [A-Z][a-z]{2} \d+ – [A-Z][a-z]{2} \d+, 2026 \(UTC\)/);
    expect(actionIds(answer.body)).toEqual(expect.arrayContaining(['answer_feedback_up', 'answer_feedback_down']));
  });

  it('two definitions side by side each get a button, and the second answers the second metric', async () => {
    const both = await slash("what's the difference between wau and dau");
    expect(textOf(both)).toContain('Definitions, side by side');
    const fields = ((both.blocks as Block[]).find((b) => b.fields)?.fields ?? []).map((f) => String(f.text));
    expect(fields).toHaveLength(2);
    expect(fields[0]).toContain('*Weekly active users* (`weekly_active_users`)');
    expect(fields[1]).toContain('*Daily active users* (`daily_active_users`)');
    expect(buttonsOf(both).map((b) => [b.action_id, b.value, buttonText(b)])).toEqual([
      ['ask_suggestion_0', 'weekly_active_users', 'Weekly active users: the numbers'],
      ['ask_suggestion_1', 'daily_active_users', 'Daily active users: the numbers'],
    ]);

    await click(buttonsOf(both)[1]!);
    const answer = t.responses.at(-1)!.body;
    expect(answer).toMatchObject({ replace_original: true });
    expect(textOf(answer)).toContain('Daily active users ·');
    expect(textOf(answer)).not.toContain('Weekly active users ·');
  });

  it('a definition asked by @-mention is posted in the thread, and its button answers there', async () => {
    const { reply, ts } = await mention('how is bounce rate defined');
    expect(textOf(reply)).toContain('*Marketing site bounce rate* (`bounce_rate`)');
    expect(buttonsOf(reply).map((b) => [b.action_id, b.value])).toEqual([['ask_suggestion_0', 'bounce_rate']]);

    await click(buttonsOf(reply)[0]!, { messageTs: ts });
    const answer = t.responses.at(-1)!.body;
    expect(textOf(answer)).toContain('Marketing site bounce rate ·');
    expect(actionIds(answer)).toContain('answer_feedback_down');
  });

  it('a refusal of an undefined measure offers the closest metrics and a request button that opens the form', async () => {
    const asked = 'searches per user last week';
    const refusal = await slash(asked);
    expect(textOf(refusal)).toContain('is not a measure the metric catalog defines');
    const suggestions = buttonsOf(refusal).filter((b) => String(b.action_id).startsWith('ask_suggestion_'));
    expect(suggestions.length).toBeGreaterThanOrEqual(1);
    expect(suggestions.map((b) => b.value)).toContain('searches');
    const request = buttonsOf(refusal).find((b) => b.action_id === 'open_data_request')!;
    expect(request.value).toBe(asked);

    const before = t.callsTo('views.open').length;
    await click(request, { triggerId: '5555.request-from-refusal' });
    const opens = t.callsTo('views.open');
    expect(opens).toHaveLength(before + 1);
    const view = opens.at(-1)!.body as Json & { blocks: Block[] };
    expect(view.trigger_id).toBe('5555.request-from-refusal');
    expect(view.callback_id).toBe('data_request_modal');
    expect(view.blocks.find((b) => b.block_id === 'title_block')?.element?.initial_value).toBe(asked);
    expect(JSON.parse(String(view.private_metadata))).toMatchObject({ c: 'C0ANALYTICS', o: 'button' });
    // Opening the form posts nothing anywhere: the request is filed only when the form is submitted.
    expect(t.callsTo('chat.postMessage')).toEqual([]);
  });

  it('a refusal by @-mention carries the same request button, prefilled with what was asked', async () => {
    const { reply } = await mention("what's our NPS score this year?");
    expect(String(reply.text)).toContain("I can't answer that");
    const request = buttonsOf(reply).find((b) => b.action_id === 'open_data_request')!;
    expect(request.value).toBe("what's our NPS score this year?");

    await click(request, { triggerId: '7777.request-from-mention' });
    const view = t.callsTo('views.open').at(-1)!.body as Json & { blocks: Block[] };
    expect(view.trigger_id).toBe('7777.request-from-mention');
    expect(view.blocks.find((b) => b.block_id === 'title_block')?.element?.initial_value).toBe(
      "what's our NPS score this year?",
    );
  });

  it('a 40,000-character mention is refused as too long, with the closest metrics and the request button', async () => {
    const { reply } = await mention('can you pull signups for last week pls? '.repeat(1000));
    expect(String(reply.text)).toContain('That question is too long (40');
    expect(actionIds(reply)).toEqual(expect.arrayContaining(['ask_suggestion_0', 'open_data_request']));
    // The request is prefilled with the start of the message, never the whole paste.
    const request = buttonsOf(reply).find((b) => b.action_id === 'open_data_request')!;
    expect(String(request.value).length).toBeLessThanOrEqual(150);
  });

  it('an ask-back by @-mention offers one button per reading; a click answers exactly that reading', async () => {
    const { reply, ts } = await mention('how many users did we have last week');
    const choices = buttonsOf(reply).filter((b) => /^ask_choice_\d+$/.test(String(b.action_id)));
    expect(choices.length).toBeGreaterThanOrEqual(2);
    const lines = textOf(reply);
    expect(lines).toContain('Weekly active users · Nov 16 – Nov 22, 2026 (UTC)');
    expect(lines).toContain('Daily active users · Nov 16 – Nov 22, 2026 (UTC)');
    const daily = choices.find((b) => buttonText(b).startsWith('Daily active users'))!;

    await click(daily, { messageTs: ts });
    const answer = t.responses.at(-1)!.body;
    expect(answer).toMatchObject({ replace_original: true });
    expect(textOf(answer)).toContain('Daily active users · Nov 16 – Nov 22, 2026 (UTC)');
    expect(actionIds(answer)).toEqual(expect.arrayContaining(['answer_feedback_up', 'answer_feedback_down']));
  });

  it('a tampered ask-back value is refused clearly, with no warehouse answer', async () => {
    await click({ action_id: 'ask_choice_0', value: '{"m":"payroll","r":["2026-01-01","2027-01-01"]}' });
    const reply = t.responses.at(-1)!.body;
    expect(String(reply.text)).toContain('older answer');
    expect(textOf(reply)).not.toContain('answer_feedback_up');
  });
});
