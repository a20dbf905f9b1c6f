/** The "What changed?" button through the real app: the explanation, the access rules, and stale values. */
import { encodeQuestion } from '../../src/queries/question-codec.js';
import { BytesLimitExceededError } from '../../src/queries/warehouse.js';
import { failing, recording } from '../helpers/fake-warehouse.js';
import { blockNetwork, demoWarehouse, startTestBot, TEST_NOW, type TestBot } from '../helpers/harness.js';
import { buttonClick, eventEnvelope, slashCommand } from '../helpers/slack.js';

type Json = Record<string, unknown>;
type Block = Json & { type: string };

const blocksOf = (body: Json | undefined) => (body?.blocks ?? []) as Block[];
const buttonValue = (body: Json, actionId: string) =>
  blocksOf(body)
    .flatMap((b) => (b.type === 'actions' ? (b.elements as Json[]) : []))
    .find((e) => e.action_id === actionId)?.value as string | undefined;

describe('"What changed?" button', () => {
  let t: TestBot;
  beforeAll(() => blockNetwork());
  afterEach(async () => {
    expect(t.violations).toEqual([]);
    await t.stop();
  });

  async function ask(text: string) {
    expect((await t.post(slashCommand({ text }))).status).toBe(200);
    await t.settle();
    return t.responses.at(-1)!.body;
  }

  it('explains the change privately: the sentence, then a table, then a chart', async () => {
    t = await startTestBot();
    const answer = await ask('signups last 4 weeks');
    const value = buttonValue(answer, 'what_changed');
    expect(value).toBeDefined();
    await t.post(buttonClick({ actionId: 'what_changed', value }));
    await t.settle();
    const reply = t.responses.at(-1)!.body;
    expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(reply.text)).toMatch(
      /^What changed in New sign-ups: (Most|The largest part) of the (drop|increase) came from/,
    );
    const types = blocksOf(reply).map((b) => b.type);
    expect(types.slice(0, 3)).toEqual(['header', 'section', 'section']);
    expect(types.indexOf('table')).toBeLessThan(types.indexOf('data_visualization'));
    expect(JSON.stringify(reply.blocks)).toContain('add up exactly to the total change');
  });

  it('answers "why did searches drop last week?" with the decomposition, naming the planted driver', async () => {
    t = await startTestBot();
    const answer = await ask('why did searches drop last week?');
    expect(String(answer.text)).toMatch(
      /^What changed in Searches: Most of the drop came from country = DE \(−[\d,]+ of −[\d,]+\)/,
    );
    expect(blocksOf(answer).map((b) => b.type)).toContain('data_visualization');
  });

  it('answers a "what drove…" mention in its thread', async () => {
    t = await startTestBot();
    const ts = '1764410000.000888';
    await t.post(
      eventEnvelope({
        type: 'app_mention',
        user: 'U0ASKER',
        text: '<@U0BOT> what drove the increase in signups last 4 weeks?',
        ts,
        channel: 'C0ANALYTICS',
      }),
    );
    await t.settle();
    const [update] = t.callsTo('chat.update');
    expect(String(update!.body.text)).toMatch(/^What changed in New sign-ups: /);
    expect(t.callsTo('chat.postMessage')[0]!.body.thread_ts).toBe(ts);
  });

  it('applies the metric’s access rules to the explanation exactly as to the answer', async () => {
    const warehouse = recording(await demoWarehouse());
    t = await startTestBot({ warehouse });
    const parsed = t.deps.parser.parse('trial conversion last quarter', { now: TEST_NOW, timezone: 'UTC' });
    if (!parsed.ok) throw new Error('did not parse');
    const value = encodeQuestion(parsed.question);
    // Outside the allowed channels, by someone in no allowed group: refused, and nothing runs on the warehouse.
    t.onSlackMethod('usergroups.users.list', () => ({ body: { ok: true, users: ['U0REVOPS'] } }));
    await t.post(buttonClick({ actionId: 'what_changed', value, channelId: 'C0ELSEWHERE' }));
    await t.settle();
    expect(String(t.responses.at(-1)!.body.text)).toContain('is restricted');
    expect(warehouse.queries).toHaveLength(0);
    // A member of the allowed group gets it anywhere.
    await t.post(buttonClick({ actionId: 'what_changed', value, channelId: 'C0ELSEWHERE', userId: 'U0REVOPS' }));
    await t.settle();
    expect(String(t.responses.at(-1)!.body.text)).toContain('What changed in Trial-to-paid conversion');
    expect(warehouse.queries.length).toBeGreaterThan(0);
  });

  it('stays within the per-query bytes cap: a decomposition that would scan more says so', async () => {
    t = await startTestBot({ warehouse: failing(new BytesLimitExceededError(10_000_000_000), 'duckdb') });
    const parsed = t.deps.parser.parse('signups last 4 weeks', { now: TEST_NOW, timezone: 'UTC' });
    if (!parsed.ok) throw new Error('did not parse');
    await t.post(buttonClick({ actionId: 'what_changed', value: encodeQuestion(parsed.question) }));
    await t.settle();
    expect(String(t.responses.at(-1)!.body.text)).toContain('would scan more than the 10.0 GB per-query limit');
  });

  it('refuses a tampered value clearly', async () => {
    t = await startTestBot();
    await t.post(buttonClick({ actionId: 'what_changed', value: '{"m":"signups"}' }));
    await t.settle();
    expect(String(t.responses.at(-1)!.body.text)).toContain('older answer');
  });
});
