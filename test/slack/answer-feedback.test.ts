/**
 * 👍 / 👎 on answers through the real Bolt app: signed slash commands, button clicks and modal submissions; Slack's
 * Web API intercepted at the wire; the answer record, ratings and comments read back from SQLite.
 */
import { type TestBot, useTestBot } from '../helpers/harness.js';
import { buttonClick, eventEnvelope, interactivity, slashCommand, viewSubmission } from '../helpers/slack.js';

type Json = Record<string, unknown>;
type Block = { type: string; block_id?: string; elements?: Json[]; text?: { text: string } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const feedbackButtons = (body: Json) =>
  ((body.blocks ?? []) as Block[]).find((b) => b.block_id === 'answer_feedback')?.elements ?? [];

describe('👍 / 👎 on answers', () => {
  let t: TestBot;
  useTestBot((bot) => {
    t = bot;
  });

  async function ask(text: string, fields: Parameters<typeof slashCommand>[0] = {}) {
    expect((await t.post(slashCommand({ text, ...fields }))).status).toBe(200);
    await t.settle();
    const answer = t.responses.at(-1)!.body;
    const [up, down] = feedbackButtons(answer);
    expect(up?.value).toMatch(UUID);
    return { answer, id: String(up!.value), up: up!, down: down! };
  }

  async function click(actionId: string, value: string, opts: Parameters<typeof buttonClick>[0] | object = {}) {
    expect((await t.post(buttonClick({ actionId, value, ...opts }))).status).toBe(200);
    await t.settle();
  }

  const feedbackRows = () =>
    t.db.prepare('SELECT answer_id, user_id, rating, comment, reasons FROM answer_feedback ORDER BY rowid').all();

  it('puts 👍 and 👎 under every answer; the buttons carry only our record id of it', async () => {
    const { answer, id, up, down } = await ask('signups last 4 weeks by plan');
    expect(up).toMatchObject({ action_id: 'answer_feedback_up', text: { text: '👍' } });
    expect(down).toMatchObject({ action_id: 'answer_feedback_down', text: { text: '👎' }, value: id });
    expect(JSON.stringify(feedbackButtons(answer))).not.toContain('signups');
    const record = t.db.prepare('SELECT * FROM answers WHERE id = ?').get(id) as Json;
    expect(record).toMatchObject({ question: 'signups last 4 weeks by plan', user_id: 'U0ASKER', visible: 0 });
    expect(JSON.parse(String(record.interpretation))).toMatchObject({
      intent: 'metric',
      metric: 'signups',
      breakdown: ['plan'],
      range: { start: '2026-10-26', end: '2026-11-22', default: false },
    });
    expect(String(record.reading)).toContain('New sign-ups · by plan');

    // The shared copy in the channel is a new answer with its own record, which anyone there may rate.
    const share = ((answer.blocks as Block[]).find((b) => b.type === 'actions')?.elements ?? []).find(
      (e) => e.action_id === 'share_answer',
    );
    await click('share_answer', String(share?.value));
    const posted = t.callsTo('chat.postMessage').at(-1)!.body;
    const sharedId = String(feedbackButtons(posted)[0]?.value);
    expect(sharedId).toMatch(UUID);
    expect(sharedId).not.toBe(id);
    await click('answer_feedback_up', sharedId, { userId: 'U0OTHER' });
    expect(feedbackRows()).toEqual([
      expect.objectContaining({ answer_id: sharedId, user_id: 'U0OTHER', rating: 'up' }),
    ]);
  });

  it('👍 records the rating, counts it and writes an audit line with the question from our record', async () => {
    const { id } = await ask('searches last week');
    await click('answer_feedback_up', id);
    expect(feedbackRows()).toEqual([{ answer_id: id, user_id: 'U0ASKER', rating: 'up', comment: null, reasons: '[]' }]);
    expect(String(t.responses.at(-1)!.body.text)).toContain('Thanks');
    expect(t.responses.at(-1)!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const audit = t.logs.lines.find((l) => l.audit === 'answer_feedback');
    expect(audit).toMatchObject({ rating: 'up', answerId: id, question: 'searches last week', user: 'U0ASKER' });
    expect(JSON.parse(String(audit?.interpretation))).toMatchObject({ metric: 'searches' });
    const scraped = await t.deps.telemetry.registry.metrics();
    expect(scraped).toContain('analytics_bot_answer_feedback_total{rating="up"} 1');
  });

  it('👎 opens "what was wrong?", records the comment, then offers the data request modal prefilled', async () => {
    const { id } = await ask('signups from pro accounts last week');
    await click('answer_feedback_down', id, { triggerId: '1234.feedback-down' });
    expect(feedbackRows()).toEqual([expect.objectContaining({ rating: 'down', comment: null })]);
    const modal = t.callsTo('views.open').at(-1)!.body as Json;
    expect(modal).toMatchObject({ callback_id: 'answer_feedback_modal', private_metadata: id });
    // The modal opens on the click's own trigger (trigger ids are single-use and expire in 3 s).
    expect(modal.trigger_id).toBe('1234.feedback-down');
    expect(JSON.stringify(modal.blocks)).toContain('signups from pro accounts last week');
    expect(JSON.stringify(modal.blocks)).toContain('I read it as');

    const res = await t.post(
      viewSubmission(modal as never, {
        feedback_reasons: ['ignored_words'],
        feedback_comment: '  It ignored "pro accounts": I wanted pro only.  ',
      }),
    );
    expect(res.status).toBe(200);
    const ack = (await res.json()) as Json;
    expect(ack).toMatchObject({ response_action: 'update', view: { title: { text: 'Thanks' } } });
    // The audit line is written after the ack: wait for the work the submission started.
    await t.settle();
    expect(feedbackRows()).toEqual([
      {
        answer_id: id,
        user_id: 'U0ASKER',
        rating: 'down',
        comment: 'It ignored "pro accounts": I wanted pro only.',
        reasons: '["ignored_words"]',
      },
    ]);
    const explained = t.logs.lines.find((l) => l.msg === 'answer feedback explained');
    expect(explained).toMatchObject({
      audit: 'answer_feedback',
      question: 'signups from pro accounts last week',
      comment: 'It ignored "pro accounts": I wanted pro only.',
      reasons: ['ignored_words'],
    });
    expect(JSON.parse(String(explained?.interpretation))).toMatchObject({ metric: 'signups' });
    expect(await t.deps.telemetry.registry.metrics()).toContain('analytics_bot_answer_feedback_total{rating="down"} 1');

    // "Turn into a data request" in the thanks view replaces it with the data request modal, prefilled.
    const thanks = ack.view as { blocks: Block[] };
    const offer = thanks.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'answer_feedback_request');
    expect(offer?.value).toBe(id);
    await t.post(viewButton('answer_feedback_request', id, 'V0THANKS'));
    await t.settle();
    const update = t.callsTo('views.update').at(-1)!.body as Json & { blocks: Array<Json & { element?: Json }> };
    expect(update).toMatchObject({ view_id: 'V0THANKS', callback_id: 'data_request_modal' });
    const initial = (block: string) => update.blocks.find((b) => b.block_id === block)?.element?.initial_value;
    expect(initial('title_block')).toBe('signups from pro accounts last week');
    expect(String(initial('purpose_block'))).toContain('I wanted pro only');
    expect(String(initial('purpose_block'))).toContain('New sign-ups');

    // Outside a modal (the local console prints the thanks view as a message) the offer opens the form instead.
    await click('answer_feedback_request', id);
    expect(t.callsTo('views.open').at(-1)!.body).toMatchObject({ callback_id: 'data_request_modal' });
  });

  it('asks for a reason or a comment before recording an empty 👎 form', async () => {
    const { id } = await ask('signups last week');
    await click('answer_feedback_down', id);
    const modal = t.callsTo('views.open').at(-1)!.body as never;
    const ack = (await (await t.post(viewSubmission(modal, { feedback_comment: '   ' }))).json()) as Json;
    expect(ack).toMatchObject({ response_action: 'errors', errors: { feedback_comment: expect.any(String) } });
    expect(feedbackRows()).toEqual([expect.objectContaining({ comment: null, reasons: '[]' })]);
  });

  it('trusts nothing in a click or a form: unknown ids, other people’s answers, edited modals', async () => {
    const { id } = await ask('signups last week');
    // A made-up id, and a value that is not an id at all.
    await click('answer_feedback_down', '00000000-0000-4000-8000-000000000000');
    await click('answer_feedback_up', '{"m":"signups","q":"DROP TABLE answers"}');
    expect(String(t.responses.at(-1)!.body.text)).toContain('no longer have a record');
    // Someone else clicking on an answer only the asker could see.
    await click('answer_feedback_down', id, { userId: 'U0OTHER' });
    expect(t.callsTo('views.open')).toHaveLength(0);
    expect(feedbackRows()).toEqual([]);
    const counted = await t.deps.telemetry.registry.metrics();
    expect(counted).toContain('analytics_bot_answer_feedback_total{rating="up"} 0');
    expect(counted).toContain('analytics_bot_answer_feedback_total{rating="down"} 0');

    // The asker's own 👎, then a submission whose visible text was edited: the stored question stays ours.
    await click('answer_feedback_down', id);
    const modal = t.callsTo('views.open').at(-1)!.body as Json & { blocks: Json[] };
    const forged = {
      ...modal,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*You asked:* revenue by customer' } },
        ...modal.blocks,
      ],
    };
    await t.post(viewSubmission(forged as never, { feedback_comment: 'wrong' }));
    const stored = t.db
      .prepare('SELECT a.question FROM answer_feedback f JOIN answers a ON a.id = f.answer_id')
      .get() as Json;
    expect(stored.question).toBe('signups last week');

    // A form pointing at an answer this person never 👎'd, and a request offer for it: refused, nothing opened.
    const other = (await ask('searches last week', { user_id: 'U0OTHER' })).id;
    const stray = await t.post(
      viewSubmission({ ...modal, private_metadata: other } as never, { feedback_comment: 'x' }),
    );
    expect(await stray.json()).toMatchObject({ response_action: 'errors' });
    await t.post(viewButton('answer_feedback_request', other, 'V0THANKS'));
    await t.settle();
    expect(t.callsTo('views.update')).toHaveLength(0);
  });

  it('rates answers given in a thread to anyone in that channel', async () => {
    const mention = await t.post(
      eventEnvelope({
        type: 'app_mention',
        user: 'U0ASKER',
        text: '<@U0BOT> signups last week',
        ts: '1700000000.000300',
        channel: 'C0ANALYTICS',
        event_ts: '1700000000.000300',
      }),
    );
    expect(mention.status).toBe(200);
    await t.settle();
    const reply = t.callsTo('chat.update').at(-1)!.body;
    const id = String(feedbackButtons(reply)[1]?.value);
    expect(t.db.prepare('SELECT question, visible FROM answers WHERE id = ?').get(id)).toEqual({
      question: 'signups last week',
      visible: 1,
    });
    await click('answer_feedback_down', id, { userId: 'U0OTHER' });
    expect(t.callsTo('views.open')).toHaveLength(1);
    // …but not from another channel.
    await click('answer_feedback_up', id, { userId: 'U0THIRD', channelId: 'C0ELSEWHERE' });
    expect(feedbackRows()).toEqual([expect.objectContaining({ user_id: 'U0OTHER', rating: 'down' })]);
  });
});

/** A button pressed inside a modal (block_actions with a view container). */
function viewButton(actionId: string, value: string, viewId: string) {
  return interactivity({
    type: 'block_actions',
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: '42.trigger',
    team: { id: 'T0TEST', domain: 'acme' },
    user: { id: 'U0ASKER', username: 'asker', name: 'asker', team_id: 'T0TEST' },
    container: { type: 'view', view_id: viewId },
    view: { id: viewId, type: 'modal', callback_id: 'answer_feedback_modal_thanks', hash: 'h1', team_id: 'T0TEST' },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'feedback_next',
        value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: '1700000000.000200',
      },
    ],
  });
}
