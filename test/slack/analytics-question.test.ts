/** `/analytics <question>` through the real Bolt app, on real embedded DuckDB, Slack intercepted at the wire. */
import { encodeQuestion } from '../../src/queries/question-codec.js';
import { BytesLimitExceededError, WarehouseError, WarehouseTimeoutError } from '../../src/queries/warehouse.js';
import { failing, gated, recording } from '../helpers/fake-warehouse.js';
import { blockNetwork, demoWarehouse, startTestBot, TEST_NOW, type TestBot } from '../helpers/harness.js';
import { buttonClick, slashCommand } from '../helpers/slack.js';

type Json = Record<string, unknown>;
type Block = { type: string; elements?: Array<Json>; text?: { text: string } };

const buttons = (body: Json) =>
  ((body.blocks ?? []) as Block[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
const buttonValue = (body: Json, actionId: string) =>
  buttons(body).find((e) => e.action_id === actionId)?.value as string | undefined;
const textOf = (body: Json) => JSON.stringify(body.blocks ?? body.text);

describe('/analytics <question>', () => {
  let t: TestBot;
  beforeAll(() => blockNetwork());
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    await t.stop();
  });

  async function ask(text: string, fields: Parameters<typeof slashCommand>[0] = {}) {
    const res = await t.post(slashCommand({ text, ...fields }));
    expect(res.status).toBe(200);
    const raw = await res.text();
    // Questions are acked with plain text (shown to the asker only); help and list with Block Kit JSON.
    const ackBody = (raw.startsWith('{') ? JSON.parse(raw) : { text: raw }) as Json;
    await t.settle();
    return { ackBody, answer: t.responses.at(-1)?.body as Json };
  }

  it('acks with visible progress, then answers via response_url with the headline, sparkline and breakdown', async () => {
    t = await startTestBot();
    const { ackBody, answer } = await ask('weekly active users last 4 weeks by plan');
    expect(String(ackBody.text)).toBe(
      ':hourglass_flowing_sand: Looking up “weekly active users last 4 weeks by plan”…',
    );
    expect(t.responses).toHaveLength(1);
    expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    const text = textOf(answer);
    // The interpretation line comes first: metric · breakdown · exact dates with the zone · grain.
    expect(text).toContain('Weekly active users · by plan · Oct 26 – Nov 22, 2026 (UTC) · weekly average');
    expect(text).toMatch(/\*[\d,]+ users\*/);
    expect(text).toMatch(/[▲▼→]/); // change vs previous period
    expect(text).toMatch(/`[▁▂▃▄▅▆▇█]{4}`/); // one bar per week
    for (const plan of ['free', 'pro', 'enterprise']) expect(text).toContain(plan);
    expect(text).toContain('2026-10-26 to 2026-11-22 (UTC)');
    expect(text).toContain('data through');
    expect(buttons(answer).map((b) => b.action_id)).toEqual([
      'share_answer',
      'show_sql',
      'what_changed',
      'open_looker',
      'answer_feedback_up',
      'answer_feedback_down',
    ]);
    expect(String(answer.text)).toMatch(
      /^Weekly active users · by plan · Oct 26 – Nov 22, 2026 \(UTC\) · weekly average: [\d,]+ users/,
    );
  });

  it('acks before a slow warehouse answers', async () => {
    const slow = gated(await demoWarehouse());
    t = await startTestBot({ warehouse: slow });
    const res = await t.post(slashCommand({ text: 'signups last week' }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Looking up');
    for (let i = 0; i < 100 && slow.queries.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(slow.queries).toHaveLength(1); // the query is running...
    expect(t.responses).toHaveLength(0); // ...and nothing has been answered yet
    slow.release();
    await t.settle();
    expect(textOf(t.responses[0]!.body)).toContain('New sign-ups');
  });

  it('shares the answer in the channel and removes the ephemeral copy', async () => {
    t = await startTestBot();
    const { answer } = await ask('signups last 4 weeks');
    const value = buttonValue(answer, 'share_answer')!;
    const click = buttonClick({ actionId: 'share_answer', value });
    expect((await t.post(click)).status).toBe(200);
    await t.settle();
    const [post] = t.callsTo('chat.postMessage');
    expect(post?.body.channel).toBe('C0ANALYTICS');
    expect(JSON.stringify(post?.body.blocks)).toContain('Shared by <@U0ASKER>');
    expect(JSON.stringify(post?.body.blocks)).not.toContain('share_answer');
    expect(t.responses.at(-1)).toMatchObject({
      path: expect.stringContaining('/actions/'),
      body: { delete_original: true },
    });
  });

  it('asks back with one button per reading; a click answers exactly that reading, rateable like any answer', async () => {
    t = await startTestBot();
    const { answer: asked } = await ask('searches or code navigation last week?');
    const choices = buttons(asked).filter((b) => /^ask_choice_\d+$/.test(String(b.action_id)));
    expect(choices).toHaveLength(2);
    await t.post(buttonClick({ actionId: String(choices[0]!.action_id), value: String(choices[0]!.value) }));
    await t.settle();
    const answer = t.responses.at(-1)!.body as Json;
    expect(answer.replace_original).toBe(true);
    expect(textOf(answer)).toContain('Searches');
    expect(textOf(answer)).toContain('Nov 16 – Nov 22, 2026');
    // Recorded for 👍/👎 like every other answer.
    expect(JSON.stringify(answer.blocks)).toContain('answer_feedback_up');
  });

  it('asks which metric a value alone means, and which dimension a value of two means; a click answers it', async () => {
    const warehouse = recording(await demoWarehouse());
    t = await startTestBot({ warehouse });
    const { answer: asked } = await ask('how did organic do last month');
    const choices = buttons(asked).filter((b) => /^ask_choice_\d+$/.test(String(b.action_id)));
    expect(choices.map((b) => (b.text as { text: string }).text)).toEqual([
      'New sign-ups · sign-up source = organic',
      'Marketing site sessions · channel = organic',
      'Docs site sessions · channel = organic',
      'Marketing site bounce rate · channel = organic',
    ]);
    expect(warehouse.queries).toHaveLength(0);
    await t.post(buttonClick({ actionId: String(choices[1]!.action_id), value: String(choices[1]!.value) }));
    await t.settle();
    expect(textOf(t.responses.at(-1)!.body)).toContain('Marketing site sessions · channel = organic');
    expect(Object.values(warehouse.queries.at(-1)!.params)).toContainEqual({ type: 'STRING', value: 'organic' });

    // "paid" sign-ups: the paid source, or the paying plans (both of them).
    const { answer: paid } = await ask('paid signups last month');
    const readings = buttons(paid).filter((b) => /^ask_choice_\d+$/.test(String(b.action_id)));
    expect(readings.map((b) => (b.text as { text: string }).text)).toEqual([
      'New sign-ups · plan in pro, enterprise',
      'New sign-ups · sign-up source = paid',
    ]);
    await t.post(buttonClick({ actionId: String(readings[0]!.action_id), value: String(readings[0]!.value) }));
    await t.settle();
    const params = Object.values(warehouse.queries.at(-1)!.params).map((p) => p.value);
    expect(params).toEqual(expect.arrayContaining(['pro', 'enterprise']));
  });

  it('tells the user how to invite the bot when it is not in the channel', async () => {
    t = await startTestBot();
    t.onSlackMethod('chat.postMessage', () => ({ body: { ok: false, error: 'not_in_channel' } }));
    const { answer } = await ask('signups last 4 weeks');
    await t.post(buttonClick({ actionId: 'share_answer', value: buttonValue(answer, 'share_answer')! }));
    await t.settle();
    const reply = t.responses.at(-1)!.body;
    expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(reply.text)).toContain('/invite @analytics-bot');
  });

  it('shows the compiled SQL with its bound parameters to the asker', async () => {
    t = await startTestBot();
    const { answer } = await ask('searches where plan = enterprise last 7 days');
    await t.post(buttonClick({ actionId: 'show_sql', value: buttonValue(answer, 'show_sql')! }));
    await t.settle();
    const sql = textOf(t.responses.at(-1)!.body);
    expect(sql).toContain('SELECT');
    expect(sql).toContain('$range_start');
    expect(sql).toContain('v'); // the filter placeholder
    expect(sql).toMatch(/v\d+ \(STRING\) = \\"enterprise\\"/);
  });

  it('refuses tampered button values clearly', async () => {
    t = await startTestBot();
    await t.post(buttonClick({ actionId: 'show_sql', value: '{"m":"nope"}' }));
    await t.settle();
    expect(String(t.responses.at(-1)!.body.text)).toContain('older answer');
  });

  it('lists the catalog grouped by source', async () => {
    t = await startTestBot();
    const { ackBody } = await ask('list');
    const text = textOf(ackBody);
    for (const source of ['Product event tracking', 'Instance pings', 'HubSpot', 'Google Analytics', 'Google Sheets']) {
      expect(text).toContain(source);
    }
    for (const m of t.deps.catalog.metrics) expect(text).toContain(m.label);
  });

  it('reads a near miss and says how it read it', async () => {
    t = await startTestBot();
    const { answer } = await ask('signpus last week');
    const text = textOf(answer);
    expect(text).toContain('New sign-ups · Nov 16 – Nov 22, 2026 (UTC)');
    expect(text).toContain('I read “signpus” as New sign-ups.');
  });

  it('offers the closest metrics as buttons when nothing matches, and they answer', async () => {
    t = await startTestBot();
    const { answer: ackBody } = await ask('signal strength last week');
    expect(String(ackBody.text)).toContain("I don't have a metric matching");
    const suggestions = buttons(ackBody).filter((b) => String(b.action_id).startsWith('ask_suggestion_'));
    expect(suggestions).toHaveLength(3);
    expect(buttons(ackBody).some((b) => b.action_id === 'open_data_request')).toBe(true);
    await t.post(buttonClick({ actionId: 'ask_suggestion_0', value: String(suggestions[0]!.value) }));
    await t.settle();
    expect(textOf(t.responses.at(-1)!.body)).toContain(t.deps.catalog.metric(String(suggestions[0]!.value))!.label);
  });

  it('says honestly when no metric matches, with a button that opens a prefilled data request', async () => {
    t = await startTestBot();
    const { answer: ackBody } = await ask('revenue by region');
    expect(String(ackBody.text)).toContain("I don't have a metric matching");
    const request = buttons(ackBody).find((b) => b.action_id === 'open_data_request')!;
    await t.post(buttonClick({ actionId: 'open_data_request', value: String(request.value) }));
    await t.settle();
    const [open] = t.callsTo('views.open');
    const view = open!.body as unknown as { callback_id: string; blocks: Array<{ block_id?: string; element?: Json }> };
    expect(view.callback_id).toBe('data_request_modal');
    expect(view.blocks.find((b) => b.block_id === 'title_block')?.element?.initial_value).toBe('revenue by region');
  });

  it.each([
    ['signups by deployment type', /can't be broken down by `deployment type`.*`plan`, `country`, `sign-up source`/],
    ['signups by favourite colour', /I don't know a breakdown called “favourite colour”/],
    ['signups between Nov 5 and Nov 1', /ends \(2026-11-01\) before it starts \(2026-11-05\)/],
    ['signups since 2019-01-01', /longer than 1098 days/],
  ])('explains %j specifically', async (question, pattern) => {
    t = await startTestBot();
    const { answer: ackBody } = await ask(question);
    expect(textOf(ackBody)).toMatch(pattern);
    expect(ackBody).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(t.responses).toHaveLength(1);
  });

  describe('restricted metrics', () => {
    it('are refused outside the allowed channels, with the reason', async () => {
      t = await startTestBot();
      t.onSlackMethod('usergroups.users.list', () => ({ body: { ok: true, users: ['U0SOMEONE'] } }));
      const { answer } = await ask('trial conversion last quarter', { channel_id: 'C0GENERAL' });
      expect(textOf(answer)).toContain('is restricted: Conversion numbers are shared with revenue operations');
    });

    it('are answered in an allowed channel', async () => {
      t = await startTestBot();
      const { answer } = await ask('trial conversion last quarter', { channel_id: 'C0ANALYTICS' });
      expect(textOf(answer)).toContain('Trial-to-paid conversion');
      expect(textOf(answer)).toMatch(/\d+\.\d%/);
    });

    it('are answered for members of an allowed user group anywhere', async () => {
      t = await startTestBot();
      t.onSlackMethod('usergroups.users.list', (b) => ({
        body: { ok: true, users: b.usergroup === 'S0REVOPS' ? ['U0ASKER'] : [] },
      }));
      const { answer } = await ask('trial conversion last quarter', { channel_id: 'C0GENERAL' });
      expect(textOf(answer)).toContain('Trial-to-paid conversion');
    });
  });

  it.each([
    [new WarehouseTimeoutError(30_000), /didn't answer within 30 s/],
    [new BytesLimitExceededError(10_000_000_000), /more than the 10\.0 GB per-query limit/],
    [new WarehouseError('boom: internal detail'), /The warehouse returned an error/],
  ])('turns %s into its own message without internals', async (error, pattern) => {
    t = await startTestBot({ warehouse: failing(error) });
    const { answer } = await ask('signups last week');
    expect(textOf(answer)).toMatch(pattern);
    expect(textOf(answer)).not.toContain('internal detail');
    expect(textOf(answer)).not.toMatch(/at .*\.ts:\d+/);
  });

  describe('hostile input never reaches SQL', () => {
    const hostile = [
      `x'); DROP TABLE events; --`,
      `signups where plan = "x'); DROP TABLE events; --"`,
      `"; SELECT * FROM users; --`,
      '🚀🔥 weekly active users 💯',
      'a'.repeat(5000),
      '   ',
      `signups where country = ' OR 1=1 --`,
    ];
    it.each(hostile.map((h) => [h.length > 60 ? `${h.slice(0, 20)}… (${h.length} chars)` : h, h]))(
      '%j is answered clearly',
      async (_label, text) => {
        const warehouse = recording(await demoWarehouse());
        t = await startTestBot({ warehouse });
        const { ackBody, answer } = await ask(text);
        const reply = answer ?? ackBody;
        expect(String(reply.text).length).toBeGreaterThan(10);
        for (const q of warehouse.queries) {
          expect(q.sql).not.toContain('DROP');
          expect(q.sql).not.toContain('OR 1=1');
          expect(q.sql).not.toContain('🚀');
        }
      },
    );

    it('reports a typed value that is no plan instead of filtering on it', async () => {
      const warehouse = recording(await demoWarehouse());
      t = await startTestBot({ warehouse });
      const { answer } = await ask(`signups where plan = "x'); DROP TABLE events; --" last week`);
      expect(textOf(answer)).toContain("I didn't use");
      expect(textOf(answer)).toContain('DROP TABLE events');
      expect(warehouse.queries).toHaveLength(1);
      expect(JSON.stringify(warehouse.queries[0])).not.toContain('DROP');
    });

    it('binds a filter value carried by a button as a parameter', async () => {
      const warehouse = recording(await demoWarehouse());
      t = await startTestBot({ warehouse });
      const parsed = t.deps.parser.parse('signups where plan = pro last week', { now: TEST_NOW, timezone: 'UTC' });
      if (!parsed.ok) throw new Error('did not parse');
      const hostile = "x'); DROP TABLE events; --";
      const question = { ...parsed.question, filters: [{ ...parsed.question.filters[0]!, values: [hostile] }] };
      await t.post(buttonClick({ actionId: 'ask_choice_0', value: encodeQuestion(question) }));
      await t.settle();
      expect(warehouse.queries).toHaveLength(1);
      const q = warehouse.queries[0]!;
      expect(q.sql).not.toContain('DROP');
      expect(Object.values(q.params)).toContainEqual({ type: 'STRING', value: hostile });
      // The events table is still there.
      const again = await ask('searches last week');
      expect(textOf(again.answer)).toContain('Searches');
    });
  });

  it('records every answer for audits: logs and /metrics, with bot cache hits', async () => {
    t = await startTestBot();
    await ask('signups last 4 weeks', { user_id: 'U0AUDIT' });
    await ask('signups last 4 weeks', { user_id: 'U0AUDIT' });
    const audits = t.logs.lines.filter((l) => l.audit === 'metric_answer');
    expect(audits).toHaveLength(2);
    expect(audits[0]).toMatchObject({
      user: 'U0AUDIT',
      channel: 'C0ANALYTICS',
      metric: 'signups',
      range: ['2026-10-26', '2026-11-23'],
      botCache: false,
      warehouseCacheHit: false,
    });
    expect(audits[0]).toHaveProperty('durationMs');
    expect(audits[0]).toHaveProperty('bytesProcessed');
    expect(audits[1]).toMatchObject({ botCache: true, bytesBilled: 0 });
    expect(textOf(t.responses[1]!.body)).toContain('answered from the bot cache');
    const metrics = await t.deps.telemetry.registry.metrics();
    expect(metrics).toContain('analytics_bot_metric_answers_total{metric="signups",outcome="ok",cache="miss"} 1');
    expect(metrics).toContain('analytics_bot_metric_answers_total{metric="signups",outcome="ok",cache="hit"} 1');
    expect(metrics).toContain('analytics_bot_warehouse_queries_total{warehouse="duckdb",outcome="ok"} 1');
  });
});
